import { createHash } from "node:crypto";
import type { ApprovalRefusal, ApprovalRequestView } from "../orders/approval-decisions.ts";
import type { ApiResult } from "./api-types.ts";

const escapeHtml = (text: string) =>
  text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");

/** "1 December 2026, 16:23 UTC": a time as a person reads it, with the machine form beside it. */
function readableTime(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const date = at.toLocaleDateString("en-GB", {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
  const time = at.toISOString().slice(11, 16);
  return `${date}, ${time} UTC`;
}

/** Posts the decision as JSON to the page's own URL and shows the answer in place. */
const DECIDE_SCRIPT = `
const form = document.getElementById("decide");
const answer = document.getElementById("answer");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const decision = event.submitter.value;
  const reason = document.getElementById("reason").value.trim();
  for (const button of form.querySelectorAll("button")) button.disabled = true;
  const response = await fetch(location.pathname, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(reason === "" ? { decision } : { decision, reason }),
  });
  const body = await response.json();
  form.hidden = true;
  answer.textContent = response.ok
    ? (decision === "approve" ? "Approved. Thank you: the certificate can now be issued." : "Declined. The certificate will not be issued.")
    : body.error.message;
  answer.focus();
});`;

const SCRIPT_HASH = `sha256-${createHash("sha256").update(DECIDE_SCRIPT).digest("base64")}`;

const STYLE = `body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}
h1{font-size:1.4rem}ul{padding-left:1.2rem}dt{font-weight:600}dd{margin:0 0 .6rem}
button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.6rem;border-radius:.3rem;border:2px solid #1b1b1b;background:#fff;cursor:pointer}
button[value=approve]{background:#1b5e20;border-color:#1b5e20;color:#fff}
button:focus-visible,textarea:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
textarea{width:100%;font:inherit}label{display:block;margin:.8rem 0 .2rem}`;

function page(status: number, title: string, body: string): ApiResult {
  return {
    statusCode: status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      "x-content-type-options": "nosniff",
      "content-security-policy": `default-src 'none'; style-src 'unsafe-inline'; script-src '${SCRIPT_HASH}'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'`,
    },
    body: `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>
`,
  };
}

/** The page an approver opens from the mail: what is asked, by whom, until when; approve or decline. */
export function approvalPage(view: ApprovalRequestView): ApiResult {
  const names = view.names.map((name) => `<li>${escapeHtml(name)}</li>`).join("");
  return page(
    200,
    "Approve a TLS certificate",
    `<h1>Approve a TLS certificate</h1>
<p>A certificate was requested for these names, and this address (${escapeHtml(view.approver)}) was chosen to approve it:</p>
<ul>${names}</ul>
<dl><dt>Requested by</dt><dd>${escapeHtml(view.requestedBy)}</dd>
<dt>This link works until</dt><dd><time datetime="${escapeHtml(view.expiresAt)}">${escapeHtml(readableTime(view.expiresAt))}</time> (once)</dd></dl>
<p>Approve only if you administer these names and expect this certificate.</p>
<form id="decide">
<label for="reason">Reason (optional, shown to the requester if you decline)</label>
<textarea id="reason" name="reason" rows="2" maxlength="500"></textarea>
<p><button type="submit" value="approve">Approve</button><button type="submit" value="decline">Decline</button></p>
</form>
<p id="answer" tabindex="-1" role="status"></p>
<script>${DECIDE_SCRIPT}</script>`,
  );
}

export function approvalRefusalPage(refusal: ApprovalRefusal): ApiResult {
  return page(
    refusal.status,
    refusal.title,
    `<h1>${escapeHtml(refusal.title)}</h1><p>${escapeHtml(refusal.message)}</p>`,
  );
}
