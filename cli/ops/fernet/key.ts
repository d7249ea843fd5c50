import { randomBytes } from 'node:crypto';

/**
 * A Fernet key as Airflow (python `cryptography`) expects it: 32 bytes from the OS CSPRNG,
 * URL-safe base64 *with* padding, so always 44 characters ending in "=".
 */
export function generateFernetKey(): string {
  return toUrlSafe(randomBytes(32).toString('base64'));
}

/** True when `key` is URL-safe base64 of exactly 32 bytes (padding included). */
export function isFernetKey(key: string): boolean {
  return /^[A-Za-z0-9_-]{43}=$/.test(key) && Buffer.from(key, 'base64url').length === 32;
}

function toUrlSafe(b64: string): string {
  return b64.replace(/\+/g, '-').replace(/\//g, '_');
}
