import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { fromOrderItem } from "../../functions/adapters/aws/order-item.ts";
import { ORDER_SORT_KEY, ORDER_TABLE } from "../../functions/adapters/aws/order-table-design.ts";
import type { OrderRecord } from "../../functions/domain/order-record.ts";
import { ORDER_STATUSES, STATUS_KIND } from "../../functions/domain/order-status.ts";

/**
 * Every order in a transient status, read from the local table once at start (a Scan: the
 * local table holds one developer's orders).
 */
export async function scanOrdersInFlight(
  client: DynamoDBClient,
  tableName: string,
): Promise<OrderRecord[]> {
  const documents = DynamoDBDocumentClient.from(client);
  const transient = ORDER_STATUSES.filter((status) => STATUS_KIND[status] === "transient");
  const values = Object.fromEntries(transient.map((status, index) => [`:s${index}`, status]));
  const orders: OrderRecord[] = [];
  let position: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: `#sk = :order AND #status IN (${Object.keys(values).join(", ")})`,
        ExpressionAttributeNames: { "#sk": ORDER_TABLE.sortKey, "#status": "status" },
        ExpressionAttributeValues: { ":order": ORDER_SORT_KEY, ...values },
        ExclusiveStartKey: position,
      }),
    );
    orders.push(...(page.Items ?? []).map(fromOrderItem));
    position = page.LastEvaluatedKey;
  } while (position !== undefined);
  return orders;
}
