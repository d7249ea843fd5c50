/**
 * When to try a request again. Only failures that a later attempt can fix are retried:
 * a refused or reset connection (an api-server still starting or restarting) and 5xx
 * answers. A 4xx never changes on its own, and a timeout already cost the user its full
 * wait, so neither is retried.
 */

const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

export function isRetryableNetworkCode(code: string | undefined): boolean {
  return code !== undefined && RETRYABLE_NETWORK_CODES.has(code);
}

export function isRetryableStatus(status: number): boolean {
  return status >= 500 && status <= 599;
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
