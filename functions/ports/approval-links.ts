/**
 * Approval links of email validation: one per approver of an order. The link's secret is only
 * ever in the mail; the store keeps its SHA-256 hash, which is also how a link is looked up.
 */
export const APPROVAL_LINK_STATES = ["pending", "approved", "declined", "replaced"] as const;

export type ApprovalLinkState = (typeof APPROVAL_LINK_STATES)[number];

export interface ApprovalLink {
  /** SHA-256 of the link's secret, hex. */
  readonly linkHash: string;
  readonly orderId: string;
  readonly tenantId: string;
  readonly approver: string;
  /** The ASCII names this approver approves. */
  readonly names: readonly string[];
  readonly createdAt: string;
  /** The order's validation deadline: the link is dead after it. */
  readonly validUntil: string;
  readonly state: ApprovalLinkState;
  readonly decidedAt?: string;
  /** The approver's reason for declining. */
  readonly reason?: string;
}

export interface ApprovalSettlement {
  readonly state: Exclude<ApprovalLinkState, "pending">;
  readonly at: string;
  readonly reason?: string;
}

export type SettleAnswer =
  | { readonly settled: true; readonly link: ApprovalLink }
  /** The link was not pending (decided or replaced before), or does not exist. */
  | { readonly settled: false; readonly link?: ApprovalLink };

export interface ApprovalLinkStore {
  putApprovalLink(link: ApprovalLink): Promise<void>;
  getApprovalLink(linkHash: string): Promise<ApprovalLink | undefined>;
  /** Moves a pending link to `settlement.state`, once: of two racing settlements one wins. */
  settleApprovalLink(linkHash: string, settlement: ApprovalSettlement): Promise<SettleAnswer>;
}

/** An organization an operator approved for a tenant, reusable by its later OV/EV orders. */
export interface ApprovedOrganization {
  readonly orderId: string;
  readonly approvedAt: string;
  readonly reusableUntil: string;
}

export interface OrganizationApprovalStore {
  /** `organizationKey` identifies the organization's details (see organization-reuse.ts). */
  recordApprovedOrganization(
    tenantId: string,
    organizationKey: string,
    approval: ApprovedOrganization,
  ): Promise<void>;
  approvedOrganization(
    tenantId: string,
    organizationKey: string,
    at: string,
  ): Promise<ApprovedOrganization | undefined>;
}
