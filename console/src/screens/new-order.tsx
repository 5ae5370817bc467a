import { useMemo, useRef, useState } from "preact/hooks";
import type { ValidationMethod } from "../../../functions/domain/dcv-methods.ts";
import { KEY_TYPES, type KeyType } from "../../../functions/domain/key-types.ts";
import { BUSINESS_CATEGORIES } from "../../../functions/domain/order-record.ts";
import { ApiFailure, api, type FieldProblem, type Order, type ServiceInfo } from "../api.ts";
import { announce, describedBy, FieldProblems, ScreenTitle, TextField } from "../components.tsx";
import {
  approverChoices,
  checkOrderForm,
  controlIdOf,
  csrShapeProblem,
  EMPTY_FORM,
  lineOfProblem,
  namesOf,
  type OrderForm,
  orderRequestOf,
  type Product,
  problemsFor,
} from "../order-form.ts";
import { navigate } from "../router.ts";
import { METHOD_WORDS } from "../words.ts";

const PRODUCTS: readonly { value: Product; label: string; hint: string }[] = [
  { value: "DV", label: "DV", hint: "Domain validated: proof of control of the names only." },
  {
    value: "OV",
    label: "OV",
    hint: "Organization validated: your organization's name in the certificate, after a review of a signed letter.",
  },
  {
    value: "EV",
    label: "EV",
    hint: "Extended validation: OV plus where the organization is registered, and as what.",
  },
];

const METHODS: readonly { value: ValidationMethod; hint: string }[] = [
  { value: "dns-txt", hint: "Publish a TXT record per name. Works for wildcards." },
  {
    value: "dns-cname",
    hint: "Point _acme-challenge at the service once; renewals then need nothing from you.",
  },
  { value: "http-file", hint: "Serve a small file from each name's web server (port 80)." },
  { value: "email", hint: "An approver at the domain clicks a link. Deprecated by the CA rules." },
];

function focusControl(id: string | undefined) {
  if (id === undefined) return;
  const control = document.getElementById(id);
  control?.focus();
  control?.scrollIntoView({ block: "center" });
}

/** A new order: the names, the product, how to prove control, the key or CSR, who asks. */
export function NewOrderScreen({ service }: { service: ServiceInfo }) {
  const [form, setForm] = useState<OrderForm>(EMPTY_FORM);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [attempted, setAttempted] = useState(false);
  const [apiProblems, setApiProblems] = useState<readonly FieldProblem[]>([]);
  const [refusal, setRefusal] = useState<ApiFailure | undefined>();
  const [busy, setBusy] = useState(false);
  const [csrLook, setCsrLook] = useState<string | undefined>();
  const attempt = useRef<{ body: string; key: string } | undefined>(undefined);
  const summary = useRef<HTMLDivElement>(null);

  const acme = service.ca === "acme";
  const issuer = acme ? "public" : "private";
  const check = useMemo(() => checkOrderForm(form, issuer, new Date()), [form, issuer]);
  const csrProblem = form.haveCsr ? csrShapeProblem(form.csr) : undefined;

  const update = (changes: Partial<OrderForm>, control?: string) => {
    setForm((current) => ({ ...current, ...changes }));
    if (control !== undefined) {
      // What the API said of this field no longer holds once it is edited.
      setApiProblems((current) =>
        current.filter((problem) => controlIdOf(problem.field) !== control),
      );
      if (control === "order-csr") setCsrLook(undefined);
    }
  };
  const touch = (control: string) => {
    if (!touched.has(control)) setTouched(new Set([...touched, control]));
  };

  /** Problems shown at a control: the rules' (once touched or submitted) and the API's. */
  const shown = (control: string): FieldProblem[] => {
    const own =
      attempted || touched.has(control) || (control === "order-names" && form.names.trim() !== "")
        ? problemsFor(check.problems, control)
        : [];
    return [...own, ...problemsFor(apiProblems, control)];
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    setAttempted(true);
    setRefusal(undefined);
    const local = [
      ...check.problems,
      ...(csrProblem === undefined
        ? []
        : [{ code: "CSR_NOT_PEM", message: csrProblem, field: "csr" }]),
    ];
    if (local.length > 0) {
      setApiProblems([]);
      setTimeout(() => summary.current?.focus(), 0);
      return;
    }
    const request = orderRequestOf(form);
    const body = JSON.stringify(request);
    // The same key for the same order sent again (a lost answer); a new one for a changed order.
    if (attempt.current?.body !== body) attempt.current = { body, key: crypto.randomUUID() };
    setBusy(true);
    try {
      const order = await api<Order>("POST", "/v1/orders", {
        body: request,
        headers: { "idempotency-key": attempt.current.key },
      });
      announce(`Order ${order.id} placed.`);
      navigate({ screen: "order", orderId: order.id });
    } catch (error) {
      const failure =
        error instanceof ApiFailure ? error : new ApiFailure(0, "UNEXPECTED", String(error));
      setRefusal(failure);
      setApiProblems(failure.problems());
      setCsrLook(undefined);
      setTimeout(() => summary.current?.focus(), 0);
    } finally {
      setBusy(false);
    }
  };

  const listed: FieldProblem[] = attempted
    ? [
        ...check.problems,
        ...(csrProblem === undefined
          ? []
          : [{ code: "CSR_NOT_PEM", message: csrProblem, field: "csr" }]),
        ...apiProblems,
      ]
    : [];
  const organizational = form.product !== "DV";

  return (
    <>
      <ScreenTitle title="New order">New order</ScreenTitle>
      <form class="order-form" onSubmit={submit} noValidate>
        {listed.length === 0 ? null : (
          <div class="error-summary" ref={summary} tabIndex={-1} role="alert">
            <h2>
              {refusal === undefined
                ? "The order cannot be placed yet"
                : `The service refused the order (${refusal.status === 0 ? "no answer" : refusal.status})`}
            </h2>
            {refusal === undefined ? null : listed.length > 1 ||
              listed[0]?.code !== refusal.code ? (
              <p>
                <span class="problem-code">{refusal.code}</span>:{" "}
                {listed.length === 1 ? "1 problem" : `${listed.length} problems`}, each next to its
                field:
              </p>
            ) : null}
            <ul>
              {listed.map((problem, index) => {
                const control = controlIdOf(problem.field);
                const line = lineOfProblem(problem.field, form.names);
                const text = (
                  <>
                    <span class="problem-code">{problem.code}</span>
                    {line === undefined ? "" : ` (line ${line})`}: {problem.message}
                  </>
                );
                return (
                  <li key={`${index}:${problem.code}`}>
                    {control === undefined ? (
                      text
                    ) : (
                      <a
                        href={`#${control}`}
                        onClick={(clicked) => {
                          clicked.preventDefault();
                          focusControl(control);
                        }}
                      >
                        {text}
                      </a>
                    )}
                  </li>
                );
              })}
            </ul>
          </div>
        )}

        <NamesField
          form={form}
          update={update}
          touch={touch}
          problems={shown("order-names")}
          check={check}
        />

        <fieldset>
          <legend>Product</legend>
          <div class="choices">
            {PRODUCTS.map((product) => {
              const offered = !acme || product.value === "DV";
              return (
                <div class="choice" key={product.value}>
                  <input
                    type="radio"
                    name="product"
                    id={`order-product-${product.value}`}
                    value={product.value}
                    checked={form.product === product.value}
                    disabled={!offered}
                    aria-describedby={`order-product-${product.value}-hint`}
                    onChange={() => update({ product: product.value })}
                  />
                  <label for={`order-product-${product.value}`}>{product.label}</label>
                  <p class="hint" id={`order-product-${product.value}-hint`}>
                    {product.hint}
                    {offered ? "" : " Not offered: this service orders from an ACME CA (DV only)."}
                  </p>
                </div>
              );
            })}
          </div>
        </fieldset>

        <fieldset>
          <legend>How you prove control of the names</legend>
          <div class="choices">
            {METHODS.map((method) => {
              const offered = !acme || method.value !== "email";
              return (
                <div class="choice" key={method.value}>
                  <input
                    type="radio"
                    name="method"
                    id={`order-method-${method.value}`}
                    value={method.value}
                    checked={form.method === method.value}
                    disabled={!offered}
                    aria-describedby={`order-method-${method.value}-hint`}
                    onChange={() => update({ method: method.value }, "order-approver")}
                  />
                  <label for={`order-method-${method.value}`}>
                    {METHOD_WORDS[method.value]} <span class="code-name">({method.value})</span>
                  </label>
                  <p class="hint" id={`order-method-${method.value}-hint`}>
                    {method.hint}
                    {offered ? "" : " Not offered: ACME has no email validation."}
                  </p>
                </div>
              );
            })}
          </div>
          <FieldProblems id="order-method-dns-txt" problems={shown("order-method-dns-txt")} />
          {form.method === "email" ? (
            <ApproverPicker
              form={form}
              update={update}
              touch={touch}
              check={check}
              problems={shown("order-approver")}
            />
          ) : null}
        </fieldset>

        <fieldset>
          <legend>Key and CSR</legend>
          <fieldset class="choices-inline plain">
            <legend>Do you have a CSR?</legend>
            <div class="choice">
              <input
                type="radio"
                name="have-csr"
                id="order-have-csr-no"
                checked={!form.haveCsr}
                onChange={() => update({ haveCsr: false }, "order-csr")}
              />
              <label for="order-have-csr-no">No: the service makes the key</label>
            </div>
            <div class="choice">
              <input
                type="radio"
                name="have-csr"
                id="order-have-csr-yes"
                checked={form.haveCsr}
                onChange={() => update({ haveCsr: true }, "order-key-type")}
              />
              <label for="order-have-csr-yes">Yes: I paste my CSR (I keep the key)</label>
            </div>
          </fieldset>
          {form.haveCsr ? (
            <CsrField
              form={form}
              update={update}
              touch={touch}
              problems={shown("order-csr")}
              look={csrLook}
              onCheck={() => {
                touch("order-csr");
                setCsrLook(
                  csrShapeProblem(form.csr) ??
                    "It reads as a CSR. The service checks its signature, key and names against the names above when you place the order, and lists every defect here.",
                );
              }}
            />
          ) : (
            <div class="field field-short">
              <label for="order-key-type">Key type</label>
              <p class="hint" id="order-key-type-hint">
                EC P-256 suits every current server; RSA for old clients.
              </p>
              <select
                id="order-key-type"
                value={form.keyType}
                aria-describedby={describedBy("order-key-type", true, shown("order-key-type"))}
                onChange={(event) =>
                  update({ keyType: event.currentTarget.value as KeyType }, "order-key-type")
                }
              >
                {KEY_TYPES.map((type) => (
                  <option key={type} value={type}>
                    {type}
                  </option>
                ))}
              </select>
              <FieldProblems id="order-key-type" problems={shown("order-key-type")} />
            </div>
          )}
        </fieldset>

        <fieldset>
          <legend>Contact</legend>
          <p class="hint">
            Who gets the mails about this order
            {organizational ? ", and whom the reviewers may call" : ""}.
          </p>
          <TextField
            id="order-contact-name"
            label="Contact name"
            required
            autocomplete="name"
            value={form.contactName}
            onInput={(contactName) => update({ contactName }, "order-contact-name")}
            onBlur={() => touch("order-contact-name")}
            problems={shown("order-contact-name")}
          />
          <TextField
            id="order-contact-email"
            label="Contact email"
            type="email"
            required
            autocomplete="email"
            spellcheck={false}
            value={form.contactEmail}
            onInput={(contactEmail) => update({ contactEmail }, "order-contact-email")}
            onBlur={() => touch("order-contact-email")}
            problems={shown("order-contact-email")}
          />
          <TextField
            id="order-contact-phone"
            label="Contact phone"
            type="tel"
            required={organizational}
            autocomplete="tel"
            hint={
              organizational
                ? "For OV and EV the reviewers may call to confirm the order."
                : undefined
            }
            value={form.contactPhone}
            onInput={(contactPhone) => update({ contactPhone }, "order-contact-phone")}
            onBlur={() => touch("order-contact-phone")}
            problems={shown("order-contact-phone")}
          />
        </fieldset>

        {organizational ? (
          <OrganizationFields form={form} update={update} touch={touch} shown={shown} />
        ) : null}
        {form.product === "EV" ? (
          <EvFields form={form} update={update} touch={touch} shown={shown} />
        ) : null}

        {check.warnings.length === 0 ? null : (
          <ul class="warnings" aria-label="Warnings">
            {check.warnings.map((warning) => (
              <li key={`${warning.code}:${warning.message}`}>
                <span aria-hidden="true">⚠ </span>
                <span class="problem-code">{warning.code}</span>: {warning.message}
              </li>
            ))}
          </ul>
        )}

        <div class="form-actions">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? "Placing the order…" : "Place the order"}
          </button>
        </div>
      </form>
    </>
  );
}

interface PartProps {
  readonly form: OrderForm;
  readonly update: (changes: Partial<OrderForm>, control?: string) => void;
  readonly touch: (control: string) => void;
}

function NamesField(
  props: PartProps & {
    problems: readonly FieldProblem[];
    check: ReturnType<typeof checkOrderForm>;
  },
) {
  const { form, problems } = props;
  const entered = namesOf(form.names);
  const byLine = new Map<number, FieldProblem[]>();
  const general: FieldProblem[] = [];
  for (const problem of problems) {
    const line = lineOfProblem(problem.field, form.names);
    if (line === undefined) general.push(problem);
    else byLine.set(line, [...(byLine.get(line) ?? []), problem]);
  }
  const names = props.check.names;
  return (
    <fieldset>
      <legend>Names</legend>
      <div class="field">
        <label for="order-names">Names to protect, one per line</label>
        <p class="hint" id="order-names-hint">
          The first is the certificate's common name. A wildcard is written{" "}
          <code>*.example.com</code> (DNS methods only); international names may be typed as they
          are read.
        </p>
        <textarea
          id="order-names"
          rows={Math.min(10, Math.max(3, entered.length + 1))}
          spellcheck={false}
          autoCapitalize="off"
          value={form.names}
          aria-invalid={problems.length > 0 ? "true" : undefined}
          aria-describedby={describedBy("order-names", true, problems)}
          onInput={(event) => props.update({ names: event.currentTarget.value }, "order-names")}
          onBlur={() => props.touch("order-names")}
        />
        {problems.length === 0 ? null : (
          <ul class="field-problems" id="order-names-problems">
            {[...byLine.entries()].map(([line, lineProblems]) =>
              lineProblems.map((problem) => (
                <li key={`${line}:${problem.code}`}>
                  <span class="problem-mark" aria-hidden="true">
                    ✕{" "}
                  </span>
                  Line {line}: <span class="problem-code">{problem.code}</span>: {problem.message}
                </li>
              )),
            )}
            {general.map((problem) => (
              <li key={problem.code}>
                <span class="problem-mark" aria-hidden="true">
                  ✕{" "}
                </span>
                <span class="problem-code">{problem.code}</span>: {problem.message}
              </li>
            ))}
          </ul>
        )}
        {names === undefined || names.length === 0 ? null : (
          <div class="names-ok" id="order-names-ok">
            <p>
              <span aria-hidden="true">✓ </span>
              {names.length === 1 ? "1 name" : `${names.length} names`}, as the certificate will
              hold them:
            </p>
            <ul>
              {names.map((name, index) => (
                <li key={name.ascii}>
                  <code>{name.ascii}</code>
                  {name.display !== name.ascii ? ` (${name.display})` : ""}
                  {index === 0 ? " — common name" : ""}
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </fieldset>
  );
}

function ApproverPicker(
  props: PartProps & {
    problems: readonly FieldProblem[];
    check: ReturnType<typeof checkOrderForm>;
  },
) {
  const { form, problems } = props;
  const names = props.check.names ?? [];
  if (names.length === 0) {
    return (
      <div class="field">
        <p class="hint" id="order-approver-hint">
          Enter the names first: the approver addresses are built from them (admin@, administrator@,
          hostmaster@, postmaster@ and webmaster@ the domain).
        </p>
        <FieldProblems id="order-approver" problems={problems} />
      </div>
    );
  }
  const choices = approverChoices(names);
  if (choices.kind === "shared") {
    return (
      <div class="field">
        <label for="order-approver">Approver address</label>
        <p class="hint" id="order-approver-hint">
          The Baseline Requirements allow only these addresses at the domain or a parent of it up to
          the registered domain. The link goes to this address.
        </p>
        <select
          id="order-approver"
          value={form.approverEmail}
          aria-invalid={problems.length > 0 ? "true" : undefined}
          aria-describedby={describedBy("order-approver", true, problems)}
          onChange={(event) => {
            props.update(
              { approverEmail: event.currentTarget.value, approverEmails: {} },
              "order-approver",
            );
            props.touch("order-approver");
          }}
        >
          <option value="">Choose an address</option>
          {choices.addresses.map((address) => (
            <option key={address} value={address}>
              {address}
            </option>
          ))}
        </select>
        <FieldProblems id="order-approver" problems={problems} />
      </div>
    );
  }
  return (
    <fieldset class="nested">
      <legend>Approver address per name</legend>
      <p class="hint" id="order-approver-hint">
        The names are in different registered domains, so each has its own approver.
      </p>
      {choices.names.map(({ name, addresses }, index) => {
        const id = index === 0 ? "order-approver" : `order-approver-${index}`;
        return (
          <div class="field" key={name.ascii}>
            <label for={id}>Approver for {name.display}</label>
            <select
              id={id}
              value={form.approverEmails[name.ascii] ?? ""}
              aria-describedby="order-approver-hint"
              onChange={(event) => {
                props.update(
                  {
                    approverEmail: "",
                    approverEmails: {
                      ...form.approverEmails,
                      [name.ascii]: event.currentTarget.value,
                    },
                  },
                  "order-approver",
                );
                props.touch("order-approver");
              }}
            >
              <option value="">Choose an address</option>
              {addresses.map((address) => (
                <option key={address} value={address}>
                  {address}
                </option>
              ))}
            </select>
          </div>
        );
      })}
      <FieldProblems id="order-approver" problems={problems} />
    </fieldset>
  );
}

function CsrField(
  props: PartProps & {
    problems: readonly FieldProblem[];
    look: string | undefined;
    onCheck: () => void;
  },
) {
  const { form, problems } = props;
  return (
    <div class="field">
      <label for="order-csr">Your CSR (PEM)</label>
      <p class="hint" id="order-csr-hint">
        The text from <code>-----BEGIN CERTIFICATE REQUEST-----</code> to its END line. Never paste
        the private key: it stays on your server.
      </p>
      <textarea
        id="order-csr"
        class="mono"
        rows={8}
        spellcheck={false}
        value={form.csr}
        aria-invalid={problems.length > 0 ? "true" : undefined}
        aria-describedby={describedBy("order-csr", true, problems)}
        onInput={(event) => props.update({ csr: event.currentTarget.value }, "order-csr")}
        onBlur={() => props.touch("order-csr")}
      />
      <div class="field-actions">
        <button type="button" onClick={props.onCheck}>
          Check the CSR
        </button>
        {props.look === undefined ? null : (
          <p class="check-note" role="status">
            {props.look}
          </p>
        )}
      </div>
      {problems.length === 0 ? null : (
        <div class="csr-defects">
          <p id="order-csr-defects-title">
            {problems.length === 1
              ? "1 problem with this CSR:"
              : `${problems.length} problems with this CSR:`}
          </p>
          <FieldProblems id="order-csr" problems={problems} />
        </div>
      )}
    </div>
  );
}

function OrganizationFields(props: PartProps & { shown: (control: string) => FieldProblem[] }) {
  const { form, update, touch, shown } = props;
  const field = (
    id: string,
    label: string,
    key: keyof OrderForm,
    options: {
      required?: boolean;
      hint?: string;
      autocomplete?: string;
      size?: "short";
      maxLength?: number;
    } = {},
  ) => (
    <TextField
      id={id}
      label={label}
      required={options.required ?? true}
      hint={options.hint}
      autocomplete={options.autocomplete}
      size={options.size}
      maxLength={options.maxLength}
      value={String(form[key])}
      onInput={(value) =>
        update(
          { [key]: key === "orgCountry" ? value.toUpperCase() : value } as Partial<OrderForm>,
          id,
        )
      }
      onBlur={() => touch(id)}
      problems={shown(id)}
    />
  );
  return (
    <fieldset>
      <legend>Organization</legend>
      <p class="hint">
        As registered: it goes into the certificate, and the reviewers check it against your letter.
      </p>
      {field("order-org-name", "Organization name", "orgName", { autocomplete: "organization" })}
      {field("order-org-unit", "Unit", "orgUnit", { required: false })}
      {field("order-org-locality", "City or locality", "orgLocality", {
        autocomplete: "address-level2",
      })}
      {field("order-org-state", "State or province", "orgState", {
        autocomplete: "address-level1",
      })}
      {field("order-org-country", "Country", "orgCountry", {
        hint: "Two letters (ISO 3166), such as DE or US.",
        autocomplete: "country",
        size: "short",
        maxLength: 2,
      })}
    </fieldset>
  );
}

function EvFields(props: PartProps & { shown: (control: string) => FieldProblem[] }) {
  const { form, update, touch, shown } = props;
  const categoryProblems = shown("order-ev-business-category");
  return (
    <fieldset>
      <legend>EV registration</legend>
      <TextField
        id="order-ev-jurisdiction-country"
        label="Country of registration"
        required
        size="short"
        maxLength={2}
        hint="Two letters (ISO 3166)."
        value={form.evJurisdictionCountry}
        onInput={(value) =>
          update({ evJurisdictionCountry: value.toUpperCase() }, "order-ev-jurisdiction-country")
        }
        onBlur={() => touch("order-ev-jurisdiction-country")}
        problems={shown("order-ev-jurisdiction-country")}
      />
      <TextField
        id="order-ev-jurisdiction-state"
        label="State of registration"
        value={form.evJurisdictionState}
        onInput={(evJurisdictionState) =>
          update({ evJurisdictionState }, "order-ev-jurisdiction-state")
        }
        problems={shown("order-ev-jurisdiction-state")}
      />
      <TextField
        id="order-ev-jurisdiction-locality"
        label="Locality of registration"
        value={form.evJurisdictionLocality}
        onInput={(evJurisdictionLocality) =>
          update({ evJurisdictionLocality }, "order-ev-jurisdiction-locality")
        }
        problems={shown("order-ev-jurisdiction-locality")}
      />
      <div class="field">
        <label for="order-ev-business-category">
          Business category
          <span class="required">
            {" "}
            <span aria-hidden="true">*</span>
            <span class="visually-hidden">(required)</span>
          </span>
        </label>
        <select
          id="order-ev-business-category"
          value={form.evBusinessCategory}
          aria-invalid={categoryProblems.length > 0 ? "true" : undefined}
          aria-describedby={describedBy("order-ev-business-category", false, categoryProblems)}
          onChange={(event) => {
            update({ evBusinessCategory: event.currentTarget.value }, "order-ev-business-category");
            touch("order-ev-business-category");
          }}
        >
          <option value="">Choose a category</option>
          {BUSINESS_CATEGORIES.map((category) => (
            <option key={category} value={category}>
              {category}
            </option>
          ))}
        </select>
        <FieldProblems id="order-ev-business-category" problems={categoryProblems} />
      </div>
      <TextField
        id="order-ev-registration-number"
        label="Registration number"
        required
        value={form.evRegistrationNumber}
        onInput={(evRegistrationNumber) =>
          update({ evRegistrationNumber }, "order-ev-registration-number")
        }
        onBlur={() => touch("order-ev-registration-number")}
        problems={shown("order-ev-registration-number")}
      />
    </fieldset>
  );
}
