import { useCallback, useState } from "preact/hooks";
import { ApiFailure, api, type Review } from "../api.ts";
import { ErrorNote, Loading, ScreenTitle, StatusBadge, Time } from "../components.tsx";
import { ACTIVE_BACKOFF, type Backoff, usePolling } from "../live.ts";
import { hrefOf } from "../router.ts";
import { Letters, ReviewDecision } from "./order-review.tsx";

const QUEUE_BACKOFF: Backoff = { ...ACTIVE_BACKOFF, first: 5000, most: 30_000 };

/** Operators: OV/EV orders whose letter awaits a decision, longest waiting first. */
export function ReviewQueueScreen() {
  const [reviews, setReviews] = useState<readonly Review[] | undefined>();
  const [failure, setFailure] = useState<ApiFailure | undefined>();
  const [decided, setDecided] = useState<readonly { orderId: string; decision: string }[]>([]);
  const load = useCallback(async () => {
    try {
      const answer = await api<{ reviews: Review[] }>("GET", "/v1/reviews");
      setReviews(answer.reviews);
      setFailure(undefined);
      return {
        fingerprint: answer.reviews.map((review) => review.orderId).join(","),
        backoff: QUEUE_BACKOFF,
      };
    } catch (error) {
      if (error instanceof ApiFailure) setFailure(error);
      return undefined;
    }
  }, []);
  const { poke } = usePolling(load, "reviews");

  return (
    <>
      <ScreenTitle title="Review queue">Review queue</ScreenTitle>
      <p class="lead">
        OV and EV orders whose signed letter awaits a decision, longest waiting first. Check the
        letter against the organization's details, then approve, or reject with a reason.
      </p>
      {decided.length === 0 ? null : (
        <div role="status">
          <ul class="decided">
            {decided.map((entry) => (
              <li key={entry.orderId}>
                <span aria-hidden="true">{entry.decision === "approve" ? "✓ " : "✕ "}</span>
                <a href={hrefOf({ screen: "order", orderId: entry.orderId })}>{entry.orderId}</a>{" "}
                {entry.decision === "approve" ? "approved" : "rejected"}.
              </li>
            ))}
          </ul>
        </div>
      )}
      <ErrorNote problem={failure} />
      {reviews === undefined ? (
        failure === undefined ? (
          <Loading what="the queue" />
        ) : null
      ) : reviews.length === 0 ? (
        <p role="status">Nothing waits for a decision.</p>
      ) : (
        <ol class="queue">
          {reviews.map((review) => (
            <li key={review.orderId}>
              <article class="review-card" aria-labelledby={`review-${review.orderId}`}>
                <h2 id={`review-${review.orderId}`}>
                  {review.organization?.name ?? review.names[0]}{" "}
                  <span class="subtitle">
                    {review.product}, {review.names.join(", ")}
                  </span>
                </h2>
                <dl class="facts">
                  <div>
                    <dt>Order</dt>
                    <dd>
                      <a href={hrefOf({ screen: "order", orderId: review.orderId })}>
                        {review.orderId}
                      </a>{" "}
                      (tenant {review.tenantId})
                    </dd>
                  </div>
                  <div>
                    <dt>Status</dt>
                    <dd>
                      <StatusBadge status={review.status} />
                    </dd>
                  </div>
                  <div>
                    <dt>Waiting since</dt>
                    <dd>
                      <Time at={review.awaitingSince} />
                    </dd>
                  </div>
                  <div>
                    <dt>Decide by</dt>
                    <dd>
                      <Time at={review.deadline} />
                    </dd>
                  </div>
                  {review.organization === undefined ? null : (
                    <div>
                      <dt>Organization</dt>
                      <dd>
                        {review.organization.name}
                        {review.organization.unit === undefined
                          ? ""
                          : `, ${review.organization.unit}`}
                        , {review.organization.locality}, {review.organization.state},{" "}
                        {review.organization.country}
                      </dd>
                    </div>
                  )}
                  <div>
                    <dt>Contact</dt>
                    <dd>
                      {review.contact.name}, {review.contact.email}
                      {review.contact.phone === undefined ? "" : `, ${review.contact.phone}`}
                    </dd>
                  </div>
                </dl>
                <Letters documents={review.documents} organization={review.organization?.name} />
                <ReviewDecision
                  orderId={review.orderId}
                  onDecided={(decision) => {
                    setDecided([{ orderId: review.orderId, decision }, ...decided]);
                    setReviews(reviews.filter((entry) => entry.orderId !== review.orderId));
                    poke();
                  }}
                />
              </article>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
