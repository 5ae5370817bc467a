import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { OrderStatusName } from "../domain/order-record.ts";
import { TRANSIENT_STATUS_AGE_METRIC, type TransientAge } from "./transient-status-age.ts";

/**
 * Collects what one step invocation saw and publishes it as CloudWatch embedded metrics
 * (Powertools writes them to the function's log; no API call, no extra permission).
 */
export function createStepMetrics(metrics = new Metrics()) {
  const oldest = new Map<OrderStatusName, TransientAge>();
  return {
    report(age: TransientAge) {
      const seen = oldest.get(age.status);
      if (seen === undefined || seen.seconds < age.seconds) oldest.set(age.status, age);
    },
    /** Publishes one value per status seen (the oldest order), then forgets them. */
    publish() {
      for (const age of oldest.values()) {
        const single = metrics.singleMetric();
        single.addDimension("Status", age.status);
        single.addMetadata("orderId", age.orderId);
        single.addMetric(TRANSIENT_STATUS_AGE_METRIC, MetricUnit.Seconds, Math.round(age.seconds));
      }
      oldest.clear();
    },
  };
}
