import { lineageOf } from "../../orders/certificate-lineage.ts";
import {
  buildDeliveryBundle,
  DELIVERY_FORMATS,
  DeliveryError,
  type DeliveryFormat,
} from "../../pki/delivery-bundles.ts";
import { ApiError } from "../api-errors.ts";
import { header } from "../principal.ts";
import { binaryResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";
import { tenantOrder } from "../tenant-order.ts";

/** Downloads that hold the private key when the service made it: the ordering customer's only. */
const KEY_FORMATS: ReadonlySet<string> = new Set<DeliveryFormat>([
  "nginx",
  "apache",
  "iis",
  "tomcat",
]);

export const route = declareRoute(
  "GET /v1/orders/{id}/certificate",
  {
    name: "DownloadCertificate",
    needs: {
      table: "read",
      vaultRead: ["certificates", "private-keys"],
      // PKCS#12 key derivation and encryption for iis/tomcat downloads.
      memoryMiB: 1024,
    },
  },
  async (deps, { event, principal }) => {
    const order = await tenantOrder(deps, event, principal);
    const format = event.queryStringParameters?.format ?? "pem";
    if (!(DELIVERY_FORMATS as readonly string[]).includes(format)) {
      throw new ApiError(
        400,
        "FORMAT_UNKNOWN",
        `format must be one of ${DELIVERY_FORMATS.join(", ")}.`,
      );
    }
    const holdsKey = order.keySource.kind === "generated" && KEY_FORMATS.has(format);
    if (principal.role === "operator" && holdsKey) {
      throw new ApiError(
        403,
        "KEY_DOWNLOAD_OWNER_ONLY",
        `The ${format} download holds the private key, which only the customer who ordered it may download; operators may download pem.`,
      );
    }
    if (order.status !== "ISSUED") {
      throw new ApiError(
        409,
        "NOT_ISSUED",
        `Order ${order.orderId} is ${order.status}; nothing to download yet.`,
      );
    }
    // The current certificate, or with ?serial= an earlier one of the order's lineage; each is
    // held (with its key) by the order or the renewal that issued it.
    const serial = event.queryStringParameters?.serial?.toLowerCase();
    const lineage = lineageOf(order);
    const chosen =
      serial === undefined
        ? (lineage[0] ?? { heldBy: order.orderId })
        : lineage.find((entry) => entry.serialNumber === serial);
    if (chosen === undefined) {
      throw new ApiError(
        404,
        "NOT_FOUND",
        `Order ${order.orderId} has no certificate with serial ${serial ?? ""}; its certificates are ${lineage.map((entry) => entry.serialNumber).join(", ")}.`,
      );
    }
    const holder = chosen.heldBy;
    const stored = await deps.vault.getCertificate(holder);
    if (stored === undefined)
      throw new Error(`Issued order ${order.orderId} has no stored certificate.`);
    // The key is read only for the formats that carry it.
    const privateKeyPkcs8 =
      order.keySource.kind === "generated" && format !== "pem"
        ? await deps.vault.getPrivateKey(holder)
        : undefined;
    try {
      const bundle = await buildDeliveryBundle(format as DeliveryFormat, {
        commonName: order.names[0]?.ascii ?? order.orderId,
        certificatePem: stored.certificatePem,
        chainPems: splitPems(stored.chainPem),
        privateKeyPkcs8,
        password: header(event, "X-Pfx-Password"),
        profile: event.queryStringParameters?.profile,
      });
      return binaryResponse(bundle.body, bundle.contentType, bundle.fileName);
    } catch (error) {
      if (error instanceof DeliveryError) {
        throw new ApiError(error.code === "KEY_NOT_HELD" ? 409 : 400, error.code, error.message);
      }
      throw error;
    }
  },
);

function splitPems(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g) ?? [];
}
