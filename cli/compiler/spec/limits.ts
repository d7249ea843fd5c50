/**
 * Bounds on what one spec may cost to compile. Specs come from pull requests, so the compiler
 * treats them as untrusted input: a hostile file must fail fast, not hang or exhaust memory.
 */

/** Largest spec file, in bytes. The shipped specs are under 2 KB. */
export const MAX_SPEC_BYTES = 1024 * 1024;

/**
 * Most diagnostics reported for one spec. Past this the rest are counted, not described, so
 * that positions and did-you-mean suggestions are computed for a bounded number of problems.
 */
export const MAX_DIAGNOSTICS_PER_SPEC = 50;
