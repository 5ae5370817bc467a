/**
 * The idempotency key is held by a request with another body whose order was never written
 * (its writer stopped between the claim and the order): there is no order to answer with.
 */
export class IdempotencyKeyInUse extends Error {
  override readonly name = "IdempotencyKeyInUse";
  constructor(key: string) {
    super(`The Idempotency-Key ${JSON.stringify(key)} is held by another request.`);
  }
}
