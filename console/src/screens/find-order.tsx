import { useState } from "preact/hooks";
import { describedBy, FieldProblems, ScreenTitle } from "../components.tsx";
import { navigate } from "../router.ts";

/** Any order by its id (operators see every tenant's; customers their own). */
export function FindOrderScreen() {
  const [id, setId] = useState("");
  const [problem, setProblem] = useState<{ code: string; message: string } | undefined>();
  const open = (event: Event) => {
    event.preventDefault();
    // What the field holds now, even when its last keystroke's render is still pending.
    const field = (event.currentTarget as HTMLFormElement).elements.namedItem("orderId");
    const orderId = (field instanceof HTMLInputElement ? field.value : id).trim();
    if (!/^ord_[A-Za-z0-9]+$/.test(orderId)) {
      setProblem({
        code: "INVALID_ORDER_ID",
        message: "An order id starts with ord_ followed by letters and digits, as in ord_01J….",
      });
      document.getElementById("find-order-id")?.focus();
      return;
    }
    navigate({ screen: "order", orderId });
  };
  const problems = problem === undefined ? [] : [problem];
  return (
    <>
      <ScreenTitle title="Find an order">Find an order</ScreenTitle>
      <form class="find" onSubmit={open} noValidate>
        <div class="field">
          <label for="find-order-id">Order id</label>
          <p class="hint" id="find-order-id-hint">
            Operators open any tenant's order; its page links to its execution.
          </p>
          <input
            id="find-order-id"
            name="orderId"
            value={id}
            spellcheck={false}
            autoComplete="off"
            onInput={(event) => setId(event.currentTarget.value)}
            aria-invalid={problems.length > 0 ? "true" : undefined}
            aria-describedby={describedBy("find-order-id", true, problems)}
          />
          <FieldProblems id="find-order-id" problems={problems} />
        </div>
        <button type="submit" class="primary">
          Open the order
        </button>
      </form>
    </>
  );
}
