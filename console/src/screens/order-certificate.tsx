import { useState } from "preact/hooks";
import { ApiFailure, api, type Caller, download, type Order } from "../api.ts";
import { announce, describedBy, ErrorNote, FieldProblems, Time } from "../components.tsx";
import { DOWNLOAD_FORMATS } from "../words.ts";

/** Hands a downloaded file to the browser's save dialog. */
function save(blob: Blob, fileName: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The certificate, and a download per server (the .pfx password goes in a header, never the URL). */
export function CertificateSection({ order, caller }: { order: Order; caller: Caller }) {
  const [password, setPassword] = useState("");
  const [profile, setProfile] = useState("modern");
  const [passwordProblem, setPasswordProblem] = useState<{ code: string; message: string }>();
  const [failure, setFailure] = useState<ApiFailure | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  const certificate = order.certificate;
  if (order.status !== "ISSUED" || certificate === undefined) return null;
  // The bundles with the key are the ordering customer's only; operators get the PEM.
  const formats =
    caller.role === "operator"
      ? DOWNLOAD_FORMATS.filter((entry) => entry.format === "pem")
      : DOWNLOAD_FORMATS;

  const fetchFormat = async (entry: (typeof DOWNLOAD_FORMATS)[number]) => {
    setFailure(undefined);
    if (entry.pfx && password === "") {
      setPasswordProblem({
        code: "PASSWORD_REQUIRED",
        message: `The ${entry.label} file is protected by a password: choose one first.`,
      });
      document.getElementById("download-password")?.focus();
      return;
    }
    setPasswordProblem(undefined);
    setBusy(entry.format);
    try {
      const query = new URLSearchParams({ format: entry.format });
      if (entry.pfx) query.set("profile", profile);
      const headers: Record<string, string> = { accept: entry.accept };
      if (entry.pfx) headers["x-pfx-password"] = password;
      const file = await download(`/v1/orders/${order.id}/certificate?${query}`, headers);
      save(file.blob, file.fileName);
      announce(`${file.fileName} downloaded.`);
    } catch (error) {
      setFailure(
        error instanceof ApiFailure ? error : new ApiFailure(0, "UNEXPECTED", String(error)),
      );
    } finally {
      setBusy(undefined);
    }
  };

  const passwordProblems = passwordProblem === undefined ? [] : [passwordProblem];
  return (
    <section aria-labelledby="certificate-title" class="certificate">
      <h2 id="certificate-title">Certificate</h2>
      <dl class="facts">
        <div>
          <dt>Serial number</dt>
          <dd>
            <code>{certificate.serialNumber}</code>
          </dd>
        </div>
        <div>
          <dt>Valid from</dt>
          <dd>
            <Time at={certificate.notBefore} />
          </dd>
        </div>
        <div>
          <dt>Valid until</dt>
          <dd>
            <Time at={certificate.notAfter} />
          </dd>
        </div>
        <div>
          <dt>SHA-256 fingerprint</dt>
          <dd>
            <code class="wrap">{certificate.sha256Fingerprint}</code>
          </dd>
        </div>
      </dl>
      <h3>Download for your server</h3>
      {caller.role === "operator" ? (
        <p class="hint">
          The bundles that hold the private key are for the ordering customer only.
        </p>
      ) : (
        <div class="download-options">
          <div class="field field-short">
            <label for="download-password">Password for the .pfx files (IIS, Tomcat)</label>
            <p class="hint" id="download-password-hint">
              Sent to the service in a request header, never in a URL; you need it to import the
              file.
            </p>
            <input
              id="download-password"
              type="password"
              autoComplete="new-password"
              value={password}
              onInput={(event) => setPassword(event.currentTarget.value)}
              aria-invalid={passwordProblems.length > 0 ? "true" : undefined}
              aria-describedby={describedBy("download-password", true, passwordProblems)}
            />
            <FieldProblems id="download-password" problems={passwordProblems} />
          </div>
          <div class="field field-short">
            <label for="download-profile">.pfx encryption</label>
            <select
              id="download-profile"
              value={profile}
              aria-describedby="download-profile-hint"
              onChange={(event) => setProfile(event.currentTarget.value)}
            >
              <option value="modern">Modern (AES-256)</option>
              <option value="legacy">Legacy (3DES)</option>
            </select>
            <p class="hint" id="download-profile-hint">
              Modern imports on Windows Server 2019 and later, Java 8u301 and later; legacy is for
              Windows Server 2016 and older only.
            </p>
          </div>
        </div>
      )}
      <ul class="downloads">
        {formats.map((entry) => (
          <li key={entry.format}>
            <button type="button" onClick={() => fetchFormat(entry)} disabled={busy !== undefined}>
              <span aria-hidden="true">⤓ </span>
              {busy === entry.format ? "Preparing…" : `Download for ${entry.label}`}
            </button>
          </li>
        ))}
      </ul>
      <ErrorNote problem={failure} />
    </section>
  );
}

/** Automatic renewal, the next one, the plan's end, a renewal in flight, and every certificate. */
export function RenewalSection(props: { order: Order; caller: Caller; onChanged: () => void }) {
  const { order } = props;
  const [failure, setFailure] = useState<ApiFailure | undefined>();
  const [busy, setBusy] = useState(false);
  const renewal = order.renewal;
  if (renewal === undefined && (order.certificates?.length ?? 0) === 0) return null;
  const toggle = async () => {
    if (renewal === undefined) return;
    setBusy(true);
    setFailure(undefined);
    try {
      await api("PUT", `/v1/orders/${order.id}/renewal`, { body: { autoRenew: !renewal.auto } });
      announce(renewal.auto ? "Automatic renewal is off." : "Automatic renewal is on.");
      props.onChanged();
    } catch (error) {
      setFailure(
        error instanceof ApiFailure ? error : new ApiFailure(0, "UNEXPECTED", String(error)),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="renewal-title" class="renewal">
      <h2 id="renewal-title">Renewal</h2>
      {renewal === undefined ? null : (
        <dl class="facts">
          <div>
            <dt>Automatic renewal</dt>
            <dd>
              {renewal.auto ? "On" : "Off"}{" "}
              {props.caller.role === "customer" ? (
                <button type="button" class="small" onClick={toggle} disabled={busy}>
                  {renewal.auto ? "Turn off" : "Turn on"}
                </button>
              ) : null}
            </dd>
          </div>
          {renewal.nextAt === undefined ? null : (
            <div>
              <dt>Next renewal</dt>
              <dd>
                <Time at={renewal.nextAt} />
              </dd>
            </div>
          )}
          {renewal.planEndsAt === undefined ? null : (
            <div>
              <dt>Plan ends</dt>
              <dd>
                <Time at={renewal.planEndsAt} />
                {renewal.planMonths === undefined ? "" : ` (${renewal.planMonths} months)`}
              </dd>
            </div>
          )}
          {renewal.notRenewing === undefined ? null : (
            <div>
              <dt>Not renewing</dt>
              <dd>{renewal.notRenewing}</dd>
            </div>
          )}
          {renewal.status === undefined ? null : (
            <div>
              <dt>Renewal in progress</dt>
              <dd>
                <code>{renewal.status.orderId}</code>, {renewal.status.status ?? "starting"} (since{" "}
                <Time at={renewal.status.startedAt} />
                {renewal.status.rekey ? ", with a new key" : ""})
              </dd>
            </div>
          )}
          {renewal.lastFailure === undefined ? null : (
            <div>
              <dt>Last renewal failed</dt>
              <dd>
                <Time at={renewal.lastFailure.at} />:{" "}
                <span class="problem-code">{renewal.lastFailure.code}</span>{" "}
                {renewal.lastFailure.message}
              </dd>
            </div>
          )}
        </dl>
      )}
      <ErrorNote problem={failure} />
      {order.certificates === undefined || order.certificates.length === 0 ? null : (
        <table class="certificates">
          <caption>Certificates of this order, current first</caption>
          <thead>
            <tr>
              <th scope="col">Serial number</th>
              <th scope="col">Valid from</th>
              <th scope="col">Valid until</th>
              <th scope="col">Replaces</th>
            </tr>
          </thead>
          <tbody>
            {order.certificates.map((certificate, index) => (
              <tr key={certificate.serialNumber}>
                <th scope="row">
                  <code>{certificate.serialNumber}</code>
                  {index === 0 ? <span class="tag"> current</span> : null}
                </th>
                <td>
                  <Time at={certificate.notBefore} />
                </td>
                <td>
                  <Time at={certificate.notAfter} />
                </td>
                <td>
                  {certificate.replaces === undefined ? "—" : <code>{certificate.replaces}</code>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
