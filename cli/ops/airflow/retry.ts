/**
 * When to try a request again: only when a later attempt can fix the failure, and only when
 * sending the request twice cannot do twice what it asks.
 *
 * - Failures a later attempt can fix: a refused, reset or unreachable connection (an
 *   api-server still starting or restarting) and 5xx answers. A 4xx never changes on its
 *   own, and a timeout already cost the user its full wait, so neither is retried.
 * - Idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS; RFC 9110 §9.2.2) are retried on any
 *   of those. POST and PATCH are retried only when the request never reached the server
 *   (the connection was refused or the host unreachable): after a reset or a 5xx Airflow may
 *   already have applied it, and a second POST /dagRuns would answer 409 for a run that the
 *   first one created.
 */

/** Connection failures before a single byte of the request was delivered. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/** Connection failures after the request may have reached Airflow. */
const MAYBE_SENT_CODES = new Set(['ECONNRESET', 'EPIPE']);

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

export function isIdempotentMethod(method: string): boolean {
  return IDEMPOTENT_METHODS.has(method.toUpperCase());
}

/** The request certainly did not reach the server: resending it is safe for any method. */
export function isNotSentCode(code: string | undefined): boolean {
  return code !== undefined && NOT_SENT_CODES.has(code);
}

/** A failure a later attempt may fix, given whether the request is safe to repeat. */
export function isRetryableNetworkCode(code: string | undefined, idempotent = true): boolean {
  if (isNotSentCode(code)) return true;
  return idempotent && code !== undefined && MAYBE_SENT_CODES.has(code);
}

export function isRetryableStatus(status: number, idempotent = true): boolean {
  return idempotent && status >= 500 && status <= 599;
}

export interface BackoffPolicy {
  /** Attempts after the first; 0 disables retries. */
  retries: number;
  /** Delay before the first retry; doubles each time. */
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { retries: 3, baseMs: 500, maxMs: 5000 };

/** Delay before retry number `retry` (1-based): base, 2·base, 4·base, … capped at maxMs. */
export function backoffDelay(retry: number, policy: BackoffPolicy): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, retry - 1));
}
