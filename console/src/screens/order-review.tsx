import { useEffect, useState } from "preact/hooks";
import { LETTER_MAX_BYTES_TEXT, readLetterImage } from "../../../functions/domain/letter-image.ts";
import { ApiFailure, api, type Caller, imageUrl, type Order, type OrderDocument } from "../api.ts";
import { announce, describedBy, ErrorNote, FieldProblems, Time } from "../components.tsx";

const REVIEW_WORDS: Readonly<Record<string, string>> = {
  "awaiting-document": "Waiting for your signed letter",
  "awaiting-decision": "Letter received: waiting for an operator's decision",
  approved: "Approved",
  rejected: "Rejected",
};

/** OV/EV: the organization review, the letter upload (checked before sending), the decision. */
export function ReviewSection(props: { order: Order; caller: Caller; onChanged: () => void }) {
  const { order, caller } = props;
  const review = order.review;
  const open = review !== undefined && review.status !== "approved";
  return (
    <section aria-labelledby="review-title" class="review">
      <h2 id="review-title">Organization review</h2>
      {review === undefined ? (
        <p>No review recorded yet.</p>
      ) : (
        <dl class="facts">
          <div>
            <dt>Review</dt>
            <dd>
              <span aria-hidden="true">
                {review.status === "approved" ? "✓ " : review.status === "rejected" ? "✕ " : "◔ "}
              </span>
              {REVIEW_WORDS[review.status] ?? review.status}
            </dd>
          </div>
          {review.reason === undefined ? null : (
            <div>
              <dt>Reason</dt>
              <dd>{review.reason}</dd>
            </div>
          )}
          <div>
            <dt>{review.decidedAt === undefined ? "Decision due by" : "Decided"}</dt>
            <dd>
              <Time at={review.decidedAt ?? review.deadline} />
            </dd>
          </div>
          {order.organization === undefined ? null : (
            <div>
              <dt>Organization</dt>
              <dd>
                {order.organization.name}
                {order.organization.unit === undefined ? "" : `, ${order.organization.unit}`},{" "}
                {order.organization.locality}, {order.organization.state},{" "}
                {order.organization.country}
              </dd>
            </div>
          )}
        </dl>
      )}
      {caller.role === "customer" && open ? (
        <LetterUpload order={order} onUploaded={props.onChanged} />
      ) : null}
      <Letters documents={order.documents ?? []} organization={order.organization?.name} />
      {caller.role === "operator" && review?.status === "awaiting-decision" ? (
        <ReviewDecision orderId={order.id} onDecided={props.onChanged} />
      ) : null}
    </section>
  );
}

function LetterUpload({ order, onUploaded }: { order: Order; onUploaded: () => void }) {
  const [problem, setProblem] = useState<{ code: string; message: string } | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const upload = async (event: Event) => {
    event.preventDefault();
    const input = document.getElementById("letter-file") as HTMLInputElement | null;
    const file = input?.files?.[0];
    setDone(undefined);
    if (file === undefined) {
      setProblem({
        code: "DOCUMENT_REQUIRED",
        message: "Choose the scan or photo of the signed letter.",
      });
      input?.focus();
      return;
    }
    // The same checks as the service, before sending: size, and PNG or JPEG by content.
    const bytes = new Uint8Array(await file.arrayBuffer());
    const verdict = readLetterImage(bytes);
    if (!verdict.ok) {
      setProblem(verdict.problem);
      input?.focus();
      return;
    }
    setProblem(undefined);
    setBusy(true);
    try {
      await api("POST", `/v1/orders/${order.id}/documents`, {
        rawBody: new Blob([bytes], { type: verdict.contentType }),
        headers: { "content-type": verdict.contentType },
      });
      setDone(`${file.name} uploaded (${verdict.width}×${verdict.height} pixels).`);
      announce("Letter uploaded.");
      if (input !== null) input.value = "";
      onUploaded();
    } catch (error) {
      setProblem(
        error instanceof ApiFailure ? error : { code: "UNEXPECTED", message: String(error) },
      );
    } finally {
      setBusy(false);
    }
  };
  const problems = problem === undefined ? [] : [problem];
  return (
    <form class="letter-upload" onSubmit={upload} noValidate>
      <div class="field">
        <label for="letter-file">Signed confirmation letter</label>
        <p class="hint" id="letter-file-hint">
          A scan or photo of the signed and stamped letter: PNG or JPEG, at most{" "}
          {LETTER_MAX_BYTES_TEXT}.
        </p>
        <input
          id="letter-file"
          type="file"
          accept="image/png,image/jpeg"
          aria-invalid={problems.length > 0 ? "true" : undefined}
          aria-describedby={describedBy("letter-file", true, problems)}
        />
        <FieldProblems id="letter-file" problems={problems} />
      </div>
      <button type="submit" disabled={busy}>
        {busy
          ? "Uploading…"
          : (order.documents?.length ?? 0) > 0
            ? "Upload another letter"
            : "Upload the letter"}
      </button>
      {done === undefined ? null : (
        <p role="status" class="ok-note">
          <span aria-hidden="true">✓ </span>
          {done}
        </p>
      )}
    </form>
  );
}

/** The letters, each loaded with the token and shown as an image. */
export function Letters(props: { documents: readonly OrderDocument[]; organization?: string }) {
  if (props.documents.length === 0) return null;
  return (
    <div class="letters">
      {props.documents.map((document, index) => (
        <Letter
          key={document.id}
          document={document}
          label={`Letter ${index + 1} of ${props.documents.length}${props.organization === undefined ? "" : ` for ${props.organization}`}`}
        />
      ))}
    </div>
  );
}

function Letter({ document, label }: { document: OrderDocument; label: string }) {
  const [url, setUrl] = useState<string | undefined>();
  const [failure, setFailure] = useState<ApiFailure | undefined>();
  useEffect(() => {
    let current: string | undefined;
    let live = true;
    imageUrl(document.url)
      .then((loaded) => {
        current = loaded;
        if (live) setUrl(loaded);
        else URL.revokeObjectURL(loaded);
      })
      .catch((error: unknown) => {
        if (live && error instanceof ApiFailure) setFailure(error);
      });
    return () => {
      live = false;
      if (current !== undefined) URL.revokeObjectURL(current);
    };
  }, [document.url]);
  return (
    <figure class="letter">
      {url === undefined ? (
        <p class="letter-placeholder">{failure === undefined ? "Loading the letter…" : ""}</p>
      ) : (
        <a href={url} target="_blank" rel="noopener">
          <img
            src={url}
            alt={`${label}, as uploaded`}
            width={document.width}
            height={document.height}
          />
        </a>
      )}
      <figcaption>
        {label}: {document.contentType === "image/png" ? "PNG" : "JPEG"}, {document.width}×
        {document.height} pixels, {Math.round(document.size / 1024)} KB, uploaded{" "}
        <Time at={document.uploadedAt} />
      </figcaption>
      <ErrorNote problem={failure} />
    </figure>
  );
}

/** An operator's decision: approve, or reject with the reason the customer reads. */
export function ReviewDecision(props: { orderId: string; onDecided: (decision: string) => void }) {
  const [reason, setReason] = useState("");
  const [problem, setProblem] = useState<{ code: string; message: string } | undefined>();
  const [busy, setBusy] = useState(false);
  const reasonId = `reason-${props.orderId}`;
  const decide = async (decision: "approve" | "reject") => {
    const trimmed = reason.trim();
    if (decision === "reject" && trimmed === "") {
      setProblem({
        code: "REASON_REQUIRED",
        message: "Say why the review is rejected: the customer reads it.",
      });
      document.getElementById(reasonId)?.focus();
      return;
    }
    setProblem(undefined);
    setBusy(true);
    try {
      await api("POST", `/v1/orders/${props.orderId}/review`, {
        body: trimmed === "" ? { decision } : { decision, reason: trimmed },
      });
      announce(
        decision === "approve"
          ? `Order ${props.orderId} approved.`
          : `Order ${props.orderId} rejected.`,
      );
      props.onDecided(decision);
    } catch (error) {
      setProblem(
        error instanceof ApiFailure ? error : { code: "UNEXPECTED", message: String(error) },
      );
    } finally {
      setBusy(false);
    }
  };
  const problems = problem === undefined ? [] : [problem];
  return (
    <fieldset class="decision">
      <legend>Decision on {props.orderId}</legend>
      <div class="field">
        <label for={reasonId}>Reason (required to reject; the customer reads it)</label>
        <textarea
          id={reasonId}
          rows={2}
          maxLength={1000}
          value={reason}
          onInput={(event) => setReason(event.currentTarget.value)}
          aria-invalid={problems.length > 0 ? "true" : undefined}
          aria-describedby={describedBy(reasonId, false, problems)}
        />
        <FieldProblems id={reasonId} problems={problems} />
      </div>
      <button type="button" class="approve" disabled={busy} onClick={() => decide("approve")}>
        <span aria-hidden="true">✓ </span>Approve
      </button>{" "}
      <button type="button" class="danger" disabled={busy} onClick={() => decide("reject")}>
        <span aria-hidden="true">✕ </span>Reject
      </button>
    </fieldset>
  );
}
