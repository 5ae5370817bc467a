/**
 * Named errors the steps throw. The state machine catches them into RecordFailure, which turns
 * the name into the order's failure code. Messages are shown to customers: never put key
 * material, passwords or credentials in them.
 */
export class CaValidationFailed extends Error {
  override readonly name = "CaValidationFailed";
}

export class CaTimedOut extends Error {
  override readonly name = "CaTimedOut";
}

export class CsrRejected extends Error {
  override readonly name = "CsrRejected";
}

/**
 * A name's CAA records forbid the CA (RFC 8659): the order fails before the CA is asked, and the
 * message names the records and what to add.
 */
export class CaaForbids extends Error {
  override readonly name = "CaaForbids";
}

/** The order left the state this step works on (for example, it was cancelled meanwhile). */
export class OrderNotInStep extends Error {
  override readonly name = "OrderNotInStep";
}
