// Small pieces every screen uses: status badges, fields with their hints and problems, copy
// buttons, the announcer for screen readers, headings that take focus when a screen opens.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { OrderStatus } from "../../functions/domain/order-status.ts";
import type { FieldProblem } from "./api.ts";
import { statusWords, timeWords } from "./words.ts";

let announcer: ((text: string) => void) | undefined;

/** Says `text` to screen readers (a polite live region), without moving focus. */
export function announce(text: string): void {
  announcer?.(text);
}

export function Announcer() {
  const [text, setText] = useState("");
  useEffect(() => {
    announcer = (next) => {
      // The same words twice in a row are still said: clear, then set.
      setText("");
      setTimeout(() => setText(next), 50);
    };
    return () => {
      announcer = undefined;
    };
  }, []);
  return (
    <div class="visually-hidden" aria-live="polite" aria-atomic="true">
      {text}
    </div>
  );
}

/** A screen's heading: focused when the screen opens, so keyboard and reader users start there. */
export function ScreenTitle({ children, title }: { children: ComponentChildren; title: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · certflow`;
    heading.current?.focus({ preventScroll: false });
  }, [title]);
  return (
    <h1 ref={heading} tabIndex={-1}>
      {children}
    </h1>
  );
}

export function StatusBadge({ status }: { status: OrderStatus }) {
  const words = statusWords(status);
  return (
    <span class={`badge badge-${words.tone}`} data-status={status}>
      <span aria-hidden="true">{words.symbol} </span>
      {words.label}
    </span>
  );
}

export function Time({ at }: { at: string | undefined }) {
  if (at === undefined) return null;
  return <time dateTime={at}>{timeWords(at)}</time>;
}

/** The problems of one field, said next to it (and tied to it with aria-describedby). */
export function FieldProblems({ id, problems }: { id: string; problems: readonly FieldProblem[] }) {
  if (problems.length === 0) return null;
  return (
    <ul class="field-problems" id={`${id}-problems`}>
      {problems.map((problem) => (
        <li key={`${problem.code}:${problem.message}`}>
          <span class="problem-mark" aria-hidden="true">
            ✕{" "}
          </span>
          <span class="problem-code">{problem.code}</span>: {problem.message}
        </li>
      ))}
    </ul>
  );
}

/** aria-describedby for a control with an optional hint and its problems. */
export function describedBy(id: string, hint: boolean, problems: readonly FieldProblem[]) {
  const ids = [hint ? `${id}-hint` : "", problems.length > 0 ? `${id}-problems` : ""].filter(
    (part) => part !== "",
  );
  return ids.length === 0 ? undefined : ids.join(" ");
}

interface TextFieldProps {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly onInput: (value: string) => void;
  /** Leaving the field: its problems show from then on. */
  readonly onBlur?: () => void;
  readonly hint?: string;
  readonly problems?: readonly FieldProblem[];
  readonly required?: boolean;
  readonly type?: "text" | "email" | "tel" | "password" | "search";
  readonly autocomplete?: string;
  readonly maxLength?: number;
  readonly spellcheck?: boolean;
  readonly size?: "short" | "wide";
}

export function TextField(props: TextFieldProps) {
  const problems = props.problems ?? [];
  return (
    <div class={`field${props.size === "short" ? " field-short" : ""}`}>
      <label for={props.id}>
        {props.label}
        {props.required ? (
          <span class="required">
            {" "}
            <span aria-hidden="true">*</span>
            <span class="visually-hidden">(required)</span>
          </span>
        ) : (
          <span class="optional"> (optional)</span>
        )}
      </label>
      {props.hint === undefined ? null : (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
      <input
        id={props.id}
        // Preact types <input> by its type; these text-like types share every attribute used here.
        type={(props.type ?? "text") as "text"}
        value={props.value}
        onInput={(event) => props.onInput(event.currentTarget.value)}
        onBlur={props.onBlur}
        aria-invalid={problems.length > 0 ? "true" : undefined}
        aria-describedby={describedBy(props.id, props.hint !== undefined, problems)}
        aria-required={props.required ? "true" : undefined}
        autoComplete={props.autocomplete}
        maxLength={props.maxLength}
        spellcheck={props.spellcheck}
      />
      <FieldProblems id={props.id} problems={problems} />
    </div>
  );
}

/** Copies `text` to the clipboard, and says so. */
export function CopyButton({ text, what }: { text: string; what: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // No clipboard permission (an http page elsewhere than localhost): select the text instead.
      const range = document.createRange();
      const target = document.querySelector(`[data-copy="${CSS.escape(text)}"]`);
      if (target !== null) {
        range.selectNodeContents(target);
        getSelection()?.removeAllRanges();
        getSelection()?.addRange(range);
      }
    }
    setCopied(true);
    announce(`${what} copied.`);
    setTimeout(() => setCopied(false), 2000);
  };
  return (
    <button type="button" class="copy" onClick={copy} aria-label={`Copy ${what}`}>
      {copied ? "Copied ✓" : "Copy"}
    </button>
  );
}

/** A value to copy exactly: shown in a code box with its copy button (`what` names it in full). */
export function CopyValue({ label, what, value }: { label: string; what: string; value: string }) {
  return (
    <div class="copy-value">
      <dt>{label}</dt>
      <dd>
        <code data-copy={value}>{value}</code>
        <CopyButton text={value} what={what} />
      </dd>
    </div>
  );
}

/** A refusal or failure shown where it happened (role=alert: said at once). */
export function ErrorNote({ problem }: { problem: { code: string; message: string } | undefined }) {
  if (problem === undefined) return null;
  return (
    <p class="error-note" role="alert">
      <span aria-hidden="true">✕ </span>
      <span class="problem-code">{problem.code}</span>: {problem.message}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status">
      Loading {what}…
    </p>
  );
}
