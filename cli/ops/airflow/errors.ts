import { AirflowMlError, ExitCode } from '../../base/errors';

/**
 * Errors from talking to Airflow. Every message names the request (method and URL, never
 * credentials) and every hint says what to do. Bodies are excerpts, already redacted.
 */

export interface RequestInfo {
  method: string;
  /** Full URL without credentials, e.g. http://localhost:8080/api/v2/variables. */
  url: string;
}

/** Airflow answered, but not with what we asked for (4xx other than auth, or 5xx after retries). */
export class AirflowApiError extends AirflowMlError {
  readonly exitCode = ExitCode.airflowApi;
  constructor(
    readonly request: RequestInfo,
    readonly status: number | undefined,
    readonly bodyExcerpt: string,
    message: string,
    hint?: string,
  ) {
    super(message, hint);
  }
}

/** Nothing answered: connection refused or reset after retries, DNS failure, or a timeout. */
export class AirflowUnreachableError extends AirflowMlError {
  readonly exitCode = ExitCode.airflowUnreachable;
  constructor(
    readonly request: RequestInfo,
    readonly reason: string,
    message: string,
    hint?: string,
    /** The request may have reached Airflow (a reset or a timeout), so it may have taken effect. */
    readonly mayHaveReached = false,
  ) {
    super(message, hint);
  }
}

/** Login refused, a token that still fails after one fresh login, or a permission denial. */
export class AuthError extends AirflowMlError {
  readonly exitCode = ExitCode.auth;
  constructor(
    readonly request: RequestInfo,
    readonly status: number | undefined,
    message: string,
    hint?: string,
  ) {
    super(message, hint);
  }
}

/**
 * Runs `call`; an AirflowApiError with `status` is re-thrown with a message and hint in the
 * caller's terms ("Airflow has no DAG x"), keeping the request and body excerpt. Other errors
 * pass through unchanged.
 */
export async function explainStatus<T>(
  call: Promise<T>,
  status: number,
  message: string,
  hint: string,
): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof AirflowApiError && err.status === status) {
      throw new AirflowApiError(err.request, status, err.bodyExcerpt, message, hint);
    }
    throw err;
  }
}
