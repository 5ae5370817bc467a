import { randomBytes } from "node:crypto";
import {
  LETTER_CONTENT_TYPES,
  LETTER_MAX_BYTES,
  LETTER_MAX_BYTES_TEXT,
  type LetterImageProblem,
  type LetterImageProblemCode,
  readLetterImage,
} from "../../domain/letter-image.ts";
import type { OrderDocument, OrderRecord, ReviewRecord } from "../../domain/order-record.ts";
import { STATUS_KIND } from "../../domain/order-status.ts";
import { noteEvent, updateOrder } from "../../orders/order-updates.ts";
import { ApiError, RateLimited } from "../api-errors.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";
import { tenantOrder } from "../tenant-order.ts";

/** Uploads one order takes per hour, and documents it keeps at most (its record stays small). */
export const UPLOADS_PER_HOUR = 20;
export const DOCUMENTS_PER_ORDER = 50;

const STATUS_OF: Readonly<Record<LetterImageProblemCode, number>> = {
  DOCUMENT_TOO_LARGE: 413,
  DOCUMENT_TYPE_UNSUPPORTED: 415,
  DOCUMENT_UNREADABLE: 422,
};

const ACCEPTED = { accepted: [...LETTER_CONTENT_TYPES], maxBytes: LETTER_MAX_BYTES };

function refusal(problem: LetterImageProblem): ApiError {
  return new ApiError(STATUS_OF[problem.code], problem.code, problem.message, {
    ...ACCEPTED,
    ...(problem.looksLike === undefined ? {} : { looksLike: problem.looksLike }),
  });
}

/** The letter as read from the bytes: its kind and dimensions, and the bytes to store. */
interface Letter {
  readonly contentType: OrderDocument["contentType"];
  readonly kind: "png" | "jpeg";
  readonly width: number;
  readonly height: number;
  readonly bytes: Uint8Array;
}

/** Document ids: `doc_` and 64 random bits in hex. */
const newDocumentId = () => `doc_${randomBytes(8).toString("hex")}`;

const sizeText = (bytes: number) =>
  bytes < 1024 ? `${bytes} bytes` : `${Math.round(bytes / 1024)} KB`;

const notOpen = (order: OrderRecord) =>
  new ApiError(
    409,
    "ORDER_CLOSED",
    `Order ${order.orderId} is ${order.status}: documents are taken only while an order is open.`,
  );

const full = (order: OrderRecord) =>
  new ApiError(
    409,
    "DOCUMENT_LIMIT_REACHED",
    `Order ${order.orderId} holds ${DOCUMENTS_PER_ORDER} documents, the most one order takes.`,
  );

/**
 * The signed confirmation letter of an OV/EV order: the request body is the image (PNG or JPEG,
 * recognised by its content). Checked in this order: the caller (401, 403 for operators), the
 * size (413), the Content-Type (415), the content (415 when it is another kind of file, 422
 * when it is a PNG or JPEG that cannot be read), then the order (404 another tenant's, 422 a DV
 * order, 409 a closed order or one holding the most documents), then the rate (429). Nothing is
 * stored on a refusal; then the bytes go to the vault and the order lists the document, moving a
 * review that waited for it on to the operator's decision.
 */
export const route = declareRoute(
  "POST /v1/orders/{id}/documents",
  {
    name: "UploadDocument",
    access: ["customer"],
    body: {
      raw: true,
      contentType: [...LETTER_CONTENT_TYPES],
      maxBytes: LETTER_MAX_BYTES,
      tooLarge: () =>
        refusal({
          code: "DOCUMENT_TOO_LARGE",
          message: `The document is over the limit of ${LETTER_MAX_BYTES_TEXT} (${LETTER_MAX_BYTES} bytes): scan or photograph the letter at a lower resolution or with more compression.`,
        }),
      unsupportedType: (contentType) =>
        new ApiError(
          415,
          "DOCUMENT_TYPE_UNSUPPORTED",
          `${contentType === undefined ? "The request has no Content-Type" : `The Content-Type ${JSON.stringify(contentType.slice(0, 100))} is not taken here`}: send the letter's bytes as the body with Content-Type image/png or image/jpeg.`,
          ACCEPTED,
        ),
      read: (bytes): Letter => {
        const verdict = readLetterImage(bytes);
        if (!verdict.ok) throw refusal(verdict.problem);
        return { ...verdict, bytes };
      },
    },
    needs: { table: "write", vaultWrite: ["documents"] },
  },
  async (deps, { event, principal, body: letter }) => {
    const order = await tenantOrder(deps, event, principal);
    if (order.product === "DV") {
      throw new ApiError(
        422,
        "DOCUMENT_NOT_NEEDED",
        `Order ${order.orderId} is a DV order: only OV and EV orders have their organization reviewed, so it takes no confirmation letter.`,
      );
    }
    if (STATUS_KIND[order.status] === "final") throw notOpen(order);
    if ((order.documents?.length ?? 0) >= DOCUMENTS_PER_ORDER) throw full(order);
    const now = deps.clock.now();
    const quota = await deps.store.countUse(
      { key: `documents#${order.orderId}`, limit: UPLOADS_PER_HOUR, windowSeconds: 3600 },
      now,
    );
    if (!quota.allowed) {
      throw new RateLimited(
        `Order ${order.orderId} took ${UPLOADS_PER_HOUR} uploads this hour; retry in ${quota.retryAfterSeconds} s.`,
        quota.retryAfterSeconds,
      );
    }

    const document: OrderDocument = {
      id: newDocumentId(),
      contentType: letter.contentType,
      size: letter.bytes.length,
      width: letter.width,
      height: letter.height,
      uploadedAt: now.toISOString(),
    };
    // The bytes go first: the order never lists a document that is not stored. Bytes no order
    // lists (the order closed in between) are harmless, and expire with the documents folder.
    await deps.vault.putDocument(order.orderId, document.id, letter.bytes, document.contentType);
    const described = `Confirmation letter uploaded (${letter.kind.toUpperCase()}, ${document.width}×${document.height}, ${sizeText(document.size)}).`;
    const updated = await updateOrder(deps.store, order.orderId, (current) => {
      if (STATUS_KIND[current.status] === "final") return undefined;
      if ((current.documents?.length ?? 0) >= DOCUMENTS_PER_ORDER) return undefined;
      const review: ReviewRecord | undefined =
        current.review?.status === "awaiting-document"
          ? { ...current.review, status: "awaiting-decision", awaitingSince: now.toISOString() }
          : undefined;
      return {
        changes: {
          documents: [...(current.documents ?? []), document],
          ...(review === undefined ? {} : { review }),
        },
        event: {
          ...noteEvent(
            now,
            "document",
            review === undefined
              ? described
              : `${described} The review now waits for an operator's decision.`,
          ),
          by: { role: principal.role, tenantId: principal.tenantId },
        },
      };
    });
    if (!(updated.documents ?? []).some((listed) => listed.id === document.id)) {
      throw STATUS_KIND[updated.status] === "final" ? notOpen(updated) : full(updated);
    }
    return jsonResponse(201, document, {
      location: `${deps.settings.publicApiUrl}/v1/orders/${order.orderId}/documents/${document.id}`,
    });
  },
);
