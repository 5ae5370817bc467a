import { tenantPartition } from "./order-table-design.ts";

/** A cursor that is malformed, or that belongs to another tenant's listing. */
export class InvalidListCursor extends RangeError {
  override readonly name = "InvalidListCursor";
  constructor() {
    super("The cursor is not valid for this listing.");
  }
}

/** The ByTenant position a listing continues after (DynamoDB's LastEvaluatedKey). */
export interface ListPosition {
  readonly PK: string;
  readonly SK: string;
  readonly GSI1PK: string;
  readonly GSI1SK: string;
}

const POSITION_FIELDS = ["PK", "SK", "GSI1PK", "GSI1SK"] as const;

export const encodeListCursor = (position: ListPosition): string =>
  Buffer.from(
    JSON.stringify(Object.fromEntries(POSITION_FIELDS.map((field) => [field, position[field]]))),
  ).toString("base64url");

export function decodeListCursor(cursor: string, tenantId: string): ListPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new InvalidListCursor();
  }
  if (typeof parsed !== "object" || parsed === null) throw new InvalidListCursor();
  const fields = parsed as Record<string, unknown>;
  const position: Record<string, string> = {};
  for (const field of POSITION_FIELDS) {
    const value = fields[field];
    if (typeof value !== "string") throw new InvalidListCursor();
    position[field] = value;
  }
  if (position.GSI1PK !== tenantPartition(tenantId)) throw new InvalidListCursor();
  return position as unknown as ListPosition;
}
