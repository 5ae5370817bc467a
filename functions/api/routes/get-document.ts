import { ApiError, notFound } from "../api-errors.ts";
import { binaryResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";
import { tenantOrder } from "../tenant-order.ts";

const EXTENSIONS = { "image/png": "png", "image/jpeg": "jpg" } as const;

/**
 * A document the customer uploaded for the order's review (the confirmation letter), as stored:
 * for the ordering customer and for operators, shown inline with its stored Content-Type.
 */
export const route = declareRoute(
  "GET /v1/orders/{id}/documents/{docId}",
  { name: "GetDocument", needs: { table: "read", vaultRead: ["documents"] } },
  async (deps, { event, principal }) => {
    const order = await tenantOrder(deps, event, principal);
    const docId = event.pathParameters?.docId ?? "";
    // Only a document the order lists is read; only an id shaped like one is named back.
    const isId = /^doc_[A-Za-z0-9]{1,64}$/.test(docId);
    const document = isId ? order.documents?.find((listed) => listed.id === docId) : undefined;
    if (document === undefined) {
      throw notFound(isId ? `Document ${docId} of order ${order.orderId}` : "The document");
    }
    const bytes = await deps.vault.getDocument(order.orderId, document.id);
    if (bytes === undefined) {
      throw new ApiError(
        410,
        "DOCUMENT_GONE",
        `Document ${document.id} of order ${order.orderId} (uploaded ${document.uploadedAt}) is no longer kept.`,
      );
    }
    return binaryResponse(
      bytes,
      document.contentType,
      `${document.id}.${EXTENSIONS[document.contentType]}`,
      "inline",
    );
  },
);
