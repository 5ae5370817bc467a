import {
  buildDeliveryBundle,
  DELIVERY_FORMATS,
  DeliveryError,
  type DeliveryFormat,
} from "../../pki/delivery-bundles.ts";
import type { ApiDependencies } from "../api-dependencies.ts";
import { ApiError } from "../api-errors.ts";
import type { ApiEvent, ApiResult } from "../api-types.ts";
import { header, principalOf } from "../principal.ts";
import { binaryResponse } from "../responses.ts";
import { tenantOrder } from "../tenant-order.ts";

export async function downloadCertificate(
  deps: ApiDependencies,
  event: ApiEvent,
): Promise<ApiResult> {
  const order = await tenantOrder(deps, event, principalOf(event));
  const format = event.queryStringParameters?.format ?? "pem";
  if (!(DELIVERY_FORMATS as readonly string[]).includes(format)) {
    throw new ApiError(
      400,
      "FORMAT_UNKNOWN",
      `format must be one of ${DELIVERY_FORMATS.join(", ")}.`,
    );
  }
  if (order.status !== "ISSUED") {
    throw new ApiError(
      409,
      "NOT_ISSUED",
      `Order ${order.orderId} is ${order.status}; nothing to download yet.`,
    );
  }
  const stored = await deps.vault.getCertificate(order.orderId);
  if (stored === undefined)
    throw new Error(`Issued order ${order.orderId} has no stored certificate.`);
  const privateKeyPkcs8 =
    order.keySource.kind === "generated"
      ? await deps.vault.getPrivateKey(order.orderId)
      : undefined;
  try {
    const bundle = await buildDeliveryBundle(format as DeliveryFormat, {
      commonName: order.names[0]?.ascii ?? order.orderId,
      certificatePem: stored.certificatePem,
      chainPems: splitPems(stored.chainPem),
      privateKeyPkcs8,
      password: header(event, "X-Pfx-Password"),
    });
    return binaryResponse(bundle.body, bundle.contentType, bundle.fileName);
  } catch (error) {
    if (error instanceof DeliveryError) {
      throw new ApiError(error.code === "KEY_NOT_HELD" ? 409 : 400, error.code, error.message);
    }
    throw error;
  }
}

function splitPems(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g) ?? [];
}
