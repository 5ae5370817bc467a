import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";

/** The dimension naming the scheduled run a metric comes from (next to Powertools' `service`). */
export const SCHEDULE_DIMENSION = "Schedule";

export interface RunMetric {
  readonly name: string;
  readonly unit: (typeof MetricUnit)[keyof typeof MetricUnit];
  readonly value: number;
}

/**
 * The numbers a scheduled run's result carries, as metrics: each top-level field holding a
 * finite number becomes a metric of the field's name, in seconds when the name ends in
 * `Seconds`, a count otherwise (the renewal run's `failed`, the CRL refresh's
 * `nextUpdateInSeconds`). Other fields (text, flags, lists) are left out.
 */
export function runMetricsOf(result: unknown): RunMetric[] {
  if (typeof result !== "object" || result === null || Array.isArray(result)) return [];
  return Object.entries(result).flatMap(([name, value]) =>
    typeof value === "number" && Number.isFinite(value)
      ? [{ name, unit: name.endsWith("Seconds") ? MetricUnit.Seconds : MetricUnit.Count, value }]
      : [],
  );
}

/**
 * Publishes a run's numbers as CloudWatch embedded metrics, with the run's name as the
 * `Schedule` dimension (Powertools writes them to the function's log: no API call, no
 * permission). A run that publishes nothing, and one that failed, publish no metric.
 */
export function publishRunMetrics(
  metrics: Pick<Metrics, "addDimension" | "addMetric" | "publishStoredMetrics">,
  schedule: string,
  result: unknown,
): void {
  const values = runMetricsOf(result);
  if (values.length === 0) return;
  metrics.addDimension(SCHEDULE_DIMENSION, schedule);
  for (const { name, unit, value } of values) metrics.addMetric(name, unit, value);
  metrics.publishStoredMetrics();
}
