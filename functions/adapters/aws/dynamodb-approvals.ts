import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { ApprovalLink, ApprovedOrganization } from "../../ports/approval-links.ts";
import type { OrderStore } from "../../ports/order-store.ts";
import { isConditionFailure } from "./order-item.ts";
import { approvalLinkKey, approvedOrganizationKey, TTL_ATTRIBUTE } from "./order-table-design.ts";

type ApprovalOperations = Pick<
  OrderStore,
  | "putApprovalLink"
  | "getApprovalLink"
  | "settleApprovalLink"
  | "recordApprovedOrganization"
  | "approvedOrganization"
>;

/** A dead link still answers "used" or "expired" for a month, then the table's TTL removes it. */
const LINK_KEPT_AFTER_EXPIRY_SECONDS = 30 * 86_400;

const epochSeconds = (iso: string) => Math.ceil(new Date(iso).getTime() / 1000);

function linkOf(item: Record<string, unknown> | undefined): ApprovalLink | undefined {
  if (item === undefined) return undefined;
  const { PK: _pk, SK: _sk, [TTL_ATTRIBUTE]: _ttl, ...link } = item;
  return link as unknown as ApprovalLink;
}

/**
 * Approval links and approved organizations, in the order table: a link's item is keyed by the
 * hash of its secret; settling it is a write conditional on it still being pending.
 */
export function dynamoDbApprovals(
  documents: DynamoDBDocumentClient,
  TableName: string,
): ApprovalOperations {
  return {
    async putApprovalLink(link) {
      await documents.send(
        new PutCommand({
          TableName,
          Item: {
            ...approvalLinkKey(link.linkHash),
            ...link,
            [TTL_ATTRIBUTE]: epochSeconds(link.validUntil) + LINK_KEPT_AFTER_EXPIRY_SECONDS,
          },
        }),
      );
    },

    async getApprovalLink(linkHash) {
      const answer = await documents.send(
        new GetCommand({ TableName, Key: approvalLinkKey(linkHash), ConsistentRead: true }),
      );
      return linkOf(answer.Item);
    },

    async settleApprovalLink(linkHash, settlement) {
      try {
        const answer = await documents.send(
          new UpdateCommand({
            TableName,
            Key: approvalLinkKey(linkHash),
            ConditionExpression: "attribute_exists(PK) AND #state = :pending",
            UpdateExpression:
              settlement.reason === undefined
                ? "SET #state = :state, decidedAt = :at"
                : "SET #state = :state, decidedAt = :at, reason = :reason",
            ExpressionAttributeNames: { "#state": "state" },
            ExpressionAttributeValues: {
              ":pending": "pending",
              ":state": settlement.state,
              ":at": settlement.at,
              ...(settlement.reason === undefined ? {} : { ":reason": settlement.reason }),
            },
            ReturnValues: "ALL_NEW",
          }),
        );
        const link = linkOf(answer.Attributes);
        if (link === undefined) throw new Error(`Approval link ${linkHash} vanished`);
        return { settled: true, link };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const link = await this.getApprovalLink(linkHash);
        return link === undefined ? { settled: false } : { settled: false, link };
      }
    },

    async recordApprovedOrganization(tenantId, organizationKey, approval) {
      await documents.send(
        new PutCommand({
          TableName,
          Item: {
            ...approvedOrganizationKey(tenantId, organizationKey),
            ...approval,
            [TTL_ATTRIBUTE]: epochSeconds(approval.reusableUntil),
          },
        }),
      );
    },

    async approvedOrganization(tenantId, organizationKey, at) {
      const answer = await documents.send(
        new GetCommand({
          TableName,
          Key: approvedOrganizationKey(tenantId, organizationKey),
          ConsistentRead: true,
        }),
      );
      const item = answer.Item;
      if (item === undefined || typeof item.reusableUntil !== "string") return undefined;
      if (item.reusableUntil <= at) return undefined;
      return {
        orderId: String(item.orderId),
        approvedAt: String(item.approvedAt),
        reusableUntil: item.reusableUntil,
      } satisfies ApprovedOrganization;
    },
  };
}
