import type { Wiring } from "../../functions/aws/aws-environment.ts";

/** Top-level folders of the vault bucket (functions/vault/certificate-vault.ts). */
export type VaultPrefix = "csrs" | "private-keys" | "certificates" | "ca" | "documents";

export type StepFunctionsAction =
  | "states:StartExecution"
  | "states:StopExecution"
  | "states:DescribeExecution"
  | "states:GetExecutionHistory"
  | "states:SendTaskSuccess"
  | "states:SendTaskFailure";

export type TableIndex = "ByTenant" | "ByRenewalDate";

/** What one function touches; its permissions and its wiring are derived from this alone. */
export interface FunctionNeeds {
  /** read: GetItem + Query; write adds PutItem and UpdateItem (conditional writes only). */
  readonly table?: "read" | "write";
  readonly tableIndexes?: readonly TableIndex[];
  readonly vaultRead?: readonly VaultPrefix[];
  readonly vaultWrite?: readonly VaultPrefix[];
  readonly mail?: boolean;
  /** DNS and HTTP checks of what customers published (network only, no AWS permission). */
  readonly dcv?: boolean;
  /** Talks to the CA: its vault folder, the key master secret, the EAB secret, the zone. */
  readonly ca?: boolean;
  readonly workflow?: readonly StepFunctionsAction[];
  readonly memoryMiB?: number;
}

const reads: FunctionNeeds = { table: "read" };
const writes: FunctionNeeds = { table: "write" };

/** One entry per Task function of statemachines/order.asl.json (`${<Name>FunctionArn}`). */
export const STEP_FUNCTIONS: Readonly<Record<string, FunctionNeeds>> = {
  RecordOrder: writes,
  PrepareKeyAndCsr: {
    ...writes,
    vaultRead: ["csrs", "private-keys"],
    vaultWrite: ["csrs", "private-keys"],
    // Key generation (RSA-4096 above all) is CPU-bound: more memory is more CPU.
    memoryMiB: 1024,
  },
  PlaceOrderWithCa: { ...writes, ca: true },
  SendValidationInstructions: { ...writes, mail: true },
  CheckCustomerPublished: { ...writes, dcv: true },
  ParkOrder: writes,
  AskCaToValidate: { ...writes, ca: true },
  CheckCaDecision: { ...writes, ca: true },
  FinalizeWithCsr: { ...writes, vaultRead: ["csrs"], ca: true },
  CheckCertificateReady: { ...reads, ca: true },
  StoreCertificate: { ...writes, vaultWrite: ["certificates"], ca: true },
  MarkOrderIssued: writes,
  SendIssuedMail: { ...writes, mail: true },
  RecordFailure: writes,
  SendFailureMail: { ...writes, mail: true },
};

/** One entry per route of functions/api/route-table.ts (API_ROUTES), by route name. */
export const ROUTE_FUNCTIONS: Readonly<Record<string, FunctionNeeds>> = {
  SubmitOrder: {
    ...writes,
    vaultRead: ["csrs"],
    vaultWrite: ["csrs"],
    workflow: ["states:StartExecution"],
  },
  ListOrders: { ...reads, tableIndexes: ["ByTenant"] },
  GetOrder: reads,
  GetOrderHistory: reads,
  RunChecks: { ...writes, dcv: true, workflow: ["states:SendTaskSuccess"] },
  DownloadCertificate: {
    ...reads,
    vaultRead: ["certificates", "private-keys"],
    // PKCS#12 key derivation and encryption for iis/tomcat downloads.
    memoryMiB: 1024,
  },
  CancelOrder: { ...writes, workflow: ["states:StopExecution"] },
  RevokeCertificate: { ...writes, vaultRead: ["certificates"], ca: true },
  GetServiceInfo: {},
  GetCaRoot: { ca: true },
  GetExecution: { workflow: ["states:DescribeExecution", "states:GetExecutionHistory"] },
  GetApproverEmails: {},
};

/**
 * The daily renewal run, switched on with `-c certflow:renewalSchedule=on` once its handler
 * exists: it reads the renewal index (never a scan) and starts one execution per due order.
 */
export const RENEWAL_FUNCTION = {
  name: "RenewDueOrders",
  entry: "functions/aws/entries/renewal-entry.ts",
  needs: {
    table: "read",
    tableIndexes: ["ByRenewalDate"],
    workflow: ["states:StartExecution"],
  },
} as const satisfies { name: string; entry: string; needs: FunctionNeeds };

/** Whether the key master secret is needed: private keys live encrypted under derived passphrases. */
export function needsMasterSecret(needs: FunctionNeeds): boolean {
  const prefixes = [...(needs.vaultRead ?? []), ...(needs.vaultWrite ?? [])];
  return needs.ca === true || prefixes.includes("private-keys");
}

/**
 * The resources a function's composition builds (functions/aws/aws-composition.ts). A CA is
 * built on the vault (its keys and orders) and the checks (the embedded CA validates itself).
 */
export function wiringOf(needs: FunctionNeeds): Record<Wiring, boolean> {
  const ca = needs.ca === true;
  return {
    store: needs.table !== undefined,
    vault: ca || (needs.vaultRead?.length ?? 0) + (needs.vaultWrite?.length ?? 0) > 0,
    mailer: needs.mail === true,
    dcv: ca || needs.dcv === true,
    ca,
    workflow: (needs.workflow?.length ?? 0) > 0,
  };
}
