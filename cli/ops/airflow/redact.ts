/**
 * Keeps secrets out of anything we print. Airflow echoes request bodies in 422 errors, so
 * every excerpt, log line and error message goes through `redact` with the password, the
 * current token and any per-request secrets (a connection's password) registered here.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: string | undefined): void {
    // Very short strings would blank out ordinary words; they are not worth hiding anyway.
    if (secret && secret.length >= 4) this.secrets.add(secret);
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is replaced whole.
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length))
      out = out.split(s).join('***');
    // Tokens we never saw (e.g. a proxy's) still look like JWTs or bearer headers.
    out = out.replace(/\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*/g, '***');
    return out.replace(/(Bearer\s+)[^\s"',}]+/gi, '$1***');
  }
}

/** `http://user:pw@host/` -> `http://host/`: a URL we can show. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
}

/** A short, single-line excerpt of a response body for error messages. */
export function excerpt(body: unknown, max = 400): string {
  let text: string;
  if (body === undefined || body === null || body === '') return '';
  if (typeof body === 'string') text = body;
  else if (Buffer.isBuffer(body)) text = body.toString('utf8');
  else {
    try {
      text = JSON.stringify(body);
    } catch {
      text = String(body);
    }
  }
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
