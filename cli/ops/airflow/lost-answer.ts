import { AirflowApiError, AirflowUnreachableError } from './errors';

/**
 * A non-idempotent request (POST, PATCH) is sent once (cli/ops/airflow/retry.ts). When its
 * answer is lost, Airflow may or may not have applied it; the caller finds out by looking
 * for what it asked for (a run by its id, a backfill by its range) instead of asking twice.
 */

/** The request may have reached Airflow but its answer did not come back intact. */
export function answerLost(err: unknown): err is AirflowUnreachableError | AirflowApiError {
  return (
    (err instanceof AirflowUnreachableError && err.mayHaveReached) ||
    (err instanceof AirflowApiError && err.status !== undefined && err.status >= 500)
  );
}

/** What became of the answer, for the user: "ECONNRESET", "timeout", "HTTP 502". */
export function lostReason(err: AirflowUnreachableError | AirflowApiError): string {
  return err instanceof AirflowUnreachableError ? err.reason : `HTTP ${err.status}`;
}
