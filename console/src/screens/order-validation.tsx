import { useState } from "preact/hooks";
import {
  ApiFailure,
  api,
  type CheckResult,
  type Checks,
  type Order,
  type ServerCheck,
  type Validation,
  type Verdict,
} from "../api.ts";
import { announce, CopyValue, ErrorNote, Time } from "../components.tsx";
import { useNow } from "../live.ts";
import { causeWords, durationWords, METHOD_WORDS, validationStatusWords } from "../words.ts";

/**
 * What to publish for each name while the order waits for it, with copy buttons, the deadline's
 * countdown and "Verify now"; once validated, each name's outcome.
 */
export function ValidationSection({ order, onChecked }: { order: Order; onChecked: () => void }) {
  const waiting = order.status === "PENDING_VALIDATION";
  const renewing = order.renewal?.status;
  if (order.validations.length === 0 && renewing?.validations === undefined) return null;
  if (!waiting && order.validations.length > 0 && renewing?.validations === undefined) {
    return (
      <section aria-labelledby="validation-title">
        <h2 id="validation-title">Proof of control</h2>
        <ul class="name-outcomes">
          {order.validations.map((validation) => (
            <li key={validation.domain}>
              <strong>{validation.domain}</strong>: {validationStatusWords(validation.status)} (
              {validation.method})
            </li>
          ))}
        </ul>
      </section>
    );
  }
  const validations = waiting ? order.validations : (renewing?.validations ?? []);
  const deadline = waiting ? order.validationDeadline : renewing?.validationDeadline;
  return (
    <section aria-labelledby="validation-title" class="validation">
      <h2 id="validation-title">
        {waiting ? "Publish these to prove control" : "The renewal needs these published"}
      </h2>
      {deadline === undefined ? null : <Countdown deadline={deadline} />}
      <VerifyNow order={order} onChecked={onChecked} renewal={!waiting} />
      <div class="names">
        {validations.map((validation) => (
          <NameCard key={validation.domain} validation={validation} />
        ))}
      </div>
    </section>
  );
}

function Countdown({ deadline }: { deadline: string }) {
  const now = useNow(1000);
  const left = new Date(deadline).getTime() - now;
  return (
    <p class={`countdown${left < 3_600_000 ? " countdown-short" : ""}`}>
      {left > 0 ? (
        <>
          Time left to publish: <strong role="timer">{durationWords(left)}</strong> (until{" "}
          <Time at={deadline} />; then the order fails as VALIDATION_TIMED_OUT)
        </>
      ) : (
        <>
          The deadline (<Time at={deadline} />) has passed.
        </>
      )}
    </p>
  );
}

function VerifyNow(props: { order: Order; onChecked: () => void; renewal: boolean }) {
  const [busy, setBusy] = useState(false);
  const [checks, setChecks] = useState<Checks | undefined>();
  const [failure, setFailure] = useState<ApiFailure | undefined>();
  const orderId = props.renewal ? props.order.renewal?.status?.orderId : props.order.id;
  if (orderId === undefined) return null;
  const verify = async () => {
    setBusy(true);
    setFailure(undefined);
    try {
      const answer = await api<Checks>("POST", `/v1/orders/${orderId}/checks`);
      setChecks(answer);
      const missing = answer.results.filter((result) => !result.ok).length;
      announce(
        answer.allPublished
          ? "Everything is published. The order moves on now."
          : `${missing} of ${answer.results.length} names not found yet.`,
      );
      props.onChecked();
    } catch (error) {
      setFailure(
        error instanceof ApiFailure
          ? error.code === "RATE_LIMITED" && error.retryAfterSeconds !== undefined
            ? new ApiFailure(
                error.status,
                error.code,
                `Checked a moment ago; try again in ${error.retryAfterSeconds} s.`,
              )
            : error
          : new ApiFailure(0, "UNEXPECTED", String(error)),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="verify">
      <p class="hint" id="verify-hint">
        Published everything? Check now instead of waiting for the next scheduled check.
      </p>
      <button
        type="button"
        class="primary"
        onClick={verify}
        disabled={busy}
        aria-describedby="verify-hint"
      >
        {busy ? "Checking…" : "Verify now"}
      </button>
      <ErrorNote problem={failure} />
      {checks === undefined ? null : <CheckResults checks={checks} />}
    </div>
  );
}

function CheckResults({ checks }: { checks: Checks }) {
  return (
    <div class="check-results" role="status" aria-labelledby="check-results-title">
      <h3 id="check-results-title">
        {checks.allPublished ? "✓ Everything is published" : "Not everything is published yet"}
      </h3>
      <ul>
        {checks.results.map((result) => (
          <CheckResultLine key={result.domain} result={result} />
        ))}
      </ul>
      {checks.allPublished ? (
        <p>{checks.resumed ? "The order moves on now." : "The order moves on at its next step."}</p>
      ) : null}
    </div>
  );
}

function CheckResultLine({ result }: { result: CheckResult }) {
  return (
    <li class={result.ok ? "ok" : "not-ok"}>
      <strong>{result.domain}</strong>:{" "}
      {result.ok ? (
        <>
          <span aria-hidden="true">✓ </span>found
        </>
      ) : (
        <>
          <span aria-hidden="true">✕ </span>
          <span class="problem-code">{result.cause ?? "NOT_FOUND"}</span> —{" "}
          {causeWords(result.cause)}
          {result.detail === undefined ? null : <span class="detail"> {result.detail}</span>}
        </>
      )}
      {result.caa === undefined || result.caa.ok ? null : <CaaNote caa={result.caa} />}
      {result.servers === undefined || result.ok ? null : <ServersTable servers={result.servers} />}
    </li>
  );
}

function CaaNote({ caa }: { caa: Verdict }) {
  return (
    <p class="caa">
      <span aria-hidden="true">⚠ </span>CAA: <span class="problem-code">{caa.cause ?? "CAA"}</span>{" "}
      {caa.detail ?? causeWords(caa.cause)}
    </p>
  );
}

function ServersTable({ servers }: { servers: readonly ServerCheck[] }) {
  if (servers.length === 0) return null;
  return (
    <table class="servers">
      <caption>What each of the zone's DNS servers answers</caption>
      <thead>
        <tr>
          <th scope="col">Server</th>
          <th scope="col">Address</th>
          <th scope="col">Record</th>
        </tr>
      </thead>
      <tbody>
        {servers.map((server) => (
          <tr key={`${server.name}:${server.address}`}>
            <th scope="row">{server.name}</th>
            <td>{server.address}</td>
            <td>
              {!server.answered ? "✕ no answer" : server.found ? "✓ published" : "✕ not there yet"}
              {server.detail === undefined ? null : <span class="detail"> {server.detail}</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function NameCard({ validation }: { validation: Validation }) {
  const { instructions, lastCheck } = validation;
  const done = validation.status === "valid" || validation.status === "published";
  return (
    <article class="name-card" aria-labelledby={`name-${validation.domain}`}>
      <h3 id={`name-${validation.domain}`}>{validation.domain}</h3>
      <p class={`name-status${done ? " ok" : ""}`}>
        <span aria-hidden="true">{done ? "✓ " : "○ "}</span>
        {validationStatusWords(validation.status)} ·{" "}
        {METHOD_WORDS[validation.method] ?? validation.method}
      </p>
      {instructions === undefined || validation.status === "valid" ? null : instructions.method ===
        "email" ? (
        <p>
          The approval link was mailed to <strong>{instructions.approver}</strong>; it approves by
          opening the link.
        </p>
      ) : instructions.method === "http-file" ? (
        <>
          <p>Serve this file, exactly, with status 200 and no redirect:</p>
          <dl class="copy-list">
            <CopyValue
              label="File URL"
              what={`File URL for ${validation.domain}`}
              value={instructions.url}
            />
            <CopyValue
              label="File content"
              what={`File content for ${validation.domain}`}
              value={instructions.content}
            />
          </dl>
        </>
      ) : (
        <>
          <p>Add this DNS record at your DNS provider:</p>
          <dl class="copy-list">
            <div class="copy-value">
              <dt>Record type</dt>
              <dd>
                <code>{instructions.recordType}</code>
              </dd>
            </div>
            <CopyValue
              label="Record name"
              what={`Record name for ${validation.domain}`}
              value={instructions.host}
            />
            <CopyValue
              label="Record value"
              what={`Record value for ${validation.domain}`}
              value={instructions.value}
            />
          </dl>
        </>
      )}
      {lastCheck === undefined || done ? null : (
        <div class="last-check">
          <p>
            Last check, <Time at={lastCheck.at} />:{" "}
            {lastCheck.ok ? (
              <>
                <span aria-hidden="true">✓ </span>found
              </>
            ) : (
              <>
                <span aria-hidden="true">✕ </span>
                <span class="problem-code">{lastCheck.cause ?? "NOT_FOUND"}</span> —{" "}
                {causeWords(lastCheck.cause)}
              </>
            )}
          </p>
          {lastCheck.detail === undefined ? null : <p class="detail">{lastCheck.detail}</p>}
          {lastCheck.servers === undefined ? null : <ServersTable servers={lastCheck.servers} />}
        </div>
      )}
      {validation.caa === undefined || validation.caa.ok ? null : <CaaNote caa={validation.caa} />}
    </article>
  );
}
