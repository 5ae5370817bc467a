import { useState } from "preact/hooks";
import { ApiFailure, api, type Caller, type Order } from "../api.ts";
import { announce, ErrorNote } from "../components.tsx";
import { REVOCATION_REASONS } from "../words.ts";

const CANCELLABLE: readonly string[] = ["SUBMITTED", "PENDING_VALIDATION", "PENDING_REVIEW"];

type Pending = "renew" | "cancel" | "revoke";

/** Renew, cancel or revoke, as the order's status allows; the two that end things ask first. */
export function OrderActions(props: { order: Order; caller: Caller; onChanged: () => void }) {
  const { order } = props;
  const [asking, setAsking] = useState<Pending | undefined>();
  const [rekey, setRekey] = useState(false);
  const [reason, setReason] = useState("unspecified");
  const [failure, setFailure] = useState<ApiFailure | undefined>();
  const [busy, setBusy] = useState(false);
  const issued = order.status === "ISSUED";
  const cancellable = CANCELLABLE.includes(order.status);
  const renewable = issued && order.renewal?.status === undefined && order.renewalOf === undefined;
  if (!issued && !cancellable) return null;

  const act = async (action: Pending) => {
    setBusy(true);
    setFailure(undefined);
    try {
      if (action === "renew") {
        await api("POST", `/v1/orders/${order.id}/renewals`, {
          body: rekey ? { rekey: true } : {},
        });
        announce("Renewal started: this page shows its progress.");
        setAsking(undefined);
        props.onChanged();
      } else if (action === "cancel") {
        await api("POST", `/v1/orders/${order.id}/cancellation`);
        announce("The order is cancelled.");
        setAsking(undefined);
        props.onChanged();
      } else {
        await api("POST", `/v1/orders/${order.id}/revocation`, { body: { reason } });
        announce("The certificate is revoked.");
        setAsking(undefined);
        props.onChanged();
      }
    } catch (error) {
      setFailure(
        error instanceof ApiFailure ? error : new ApiFailure(0, "UNEXPECTED", String(error)),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="actions-title" class="actions">
      <h2 id="actions-title">Actions</h2>
      <div class="action-buttons">
        {renewable ? (
          <button
            type="button"
            onClick={() => setAsking("renew")}
            aria-expanded={asking === "renew"}
          >
            Renew now…
          </button>
        ) : null}
        {cancellable ? (
          <button
            type="button"
            class="danger"
            onClick={() => setAsking("cancel")}
            aria-expanded={asking === "cancel"}
          >
            Cancel the order…
          </button>
        ) : null}
        {issued ? (
          <button
            type="button"
            class="danger"
            onClick={() => setAsking("revoke")}
            aria-expanded={asking === "revoke"}
          >
            Revoke the certificate…
          </button>
        ) : null}
      </div>
      {asking === "renew" ? (
        <fieldset class="confirm">
          <legend id="renew-question">
            Renew now? The order stays issued, its certificate serving, until the renewal issues.
          </legend>
          <div class="choice">
            <input
              type="checkbox"
              id="renew-rekey"
              checked={rekey}
              onChange={(event) => setRekey(event.currentTarget.checked)}
            />
            <label for="renew-rekey">
              With a new key (not for orders placed with your own CSR)
            </label>
          </div>
          <button type="button" class="primary" disabled={busy} onClick={() => act("renew")}>
            Start the renewal
          </button>{" "}
          <button type="button" onClick={() => setAsking(undefined)}>
            Keep as is
          </button>
        </fieldset>
      ) : null}
      {asking === "cancel" ? (
        <fieldset class="confirm">
          <legend id="cancel-question">
            Cancel this order? The CA gives it up and the instructions stop working. This cannot be
            undone.
          </legend>
          <button type="button" class="danger" disabled={busy} onClick={() => act("cancel")}>
            Yes, cancel the order
          </button>{" "}
          <button type="button" onClick={() => setAsking(undefined)}>
            Keep the order
          </button>
        </fieldset>
      ) : null}
      {asking === "revoke" ? (
        <fieldset class="confirm">
          <legend id="revoke-question">
            Revoke the certificate? Clients that check revocation will refuse it at once. This
            cannot be undone.
          </legend>
          <div class="field field-short">
            <label for="revoke-reason">Reason</label>
            <select
              id="revoke-reason"
              value={reason}
              onChange={(event) => setReason(event.currentTarget.value)}
            >
              {REVOCATION_REASONS.map((entry) => (
                <option key={entry.value} value={entry.value}>
                  {entry.label}
                </option>
              ))}
            </select>
          </div>
          <button type="button" class="danger" disabled={busy} onClick={() => act("revoke")}>
            Yes, revoke it
          </button>{" "}
          <button type="button" onClick={() => setAsking(undefined)}>
            Keep the certificate
          </button>
        </fieldset>
      ) : null}
      <ErrorNote problem={failure} />
    </section>
  );
}
