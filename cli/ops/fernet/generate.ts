import { writeFileAtomic } from '../../base/atomic-write';
import { readIfExists } from '../../base/read';
import { ConfigError } from '../../base/errors';
import { setEnvValue } from './env-file';
import { generateFernetKey, isFernetKey } from './key';

export interface FernetGenerateOptions {
  envFile: string;
  /** Put a new key in front of the existing one(s) instead of refusing. */
  rotate?: boolean;
  /** Make every check, write nothing. */
  dryRun?: boolean;
}

export interface FernetGenerateResult {
  envFile: string;
  /** True when an existing key was kept behind the new one. */
  rotated: boolean;
  /** How many keys FERNET_KEY now holds (2+ while a rotation is in progress). */
  keyCount: number;
  /** What the user must do next; empty for a first key. */
  nextSteps: string[];
}

/**
 * Write a fresh FERNET_KEY into an env file (mode 0600, atomic, other lines untouched).
 * An existing key is never replaced silently: without `rotate` this refuses, because every
 * encrypted connection and variable would become unreadable; with `rotate` it writes
 * `new,old`, which Airflow reads as "encrypt with new, decrypt with either".
 * The key itself is never returned for printing.
 */
export function generateFernetKeyFile(options: FernetGenerateOptions): FernetGenerateResult {
  const text = readEnvText(options.envFile);
  const key = generateFernetKey();
  const current = (currentValue(text) ?? '').trim();
  if (current && !options.rotate) {
    throw new ConfigError(
      `FERNET_KEY is already set in ${options.envFile}; not replacing it`,
      'replacing it would make every encrypted connection and variable unreadable; ' +
        'pass --rotate to add a new key in front of the old one',
    );
  }
  const old = current
    ? current
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean)
    : [];
  const invalid = old.filter((k) => !isFernetKey(k));
  if (invalid.length > 0) {
    throw new ConfigError(
      `FERNET_KEY in ${options.envFile} holds ${invalid.length} value(s) that are not Fernet keys`,
      'fix or remove that line first; a Fernet key is 32 bytes of URL-safe base64 (44 characters)',
    );
  }
  const value = [key, ...old].join(',');
  if (!options.dryRun) {
    writeFileAtomic(options.envFile, setEnvValue(text, 'FERNET_KEY', value).text, 0o600);
  }
  const rotated = old.length > 0;
  return {
    envFile: options.envFile,
    rotated,
    keyCount: old.length + 1,
    nextSteps: rotated
      ? [
          `FERNET_KEY in ${options.envFile} is now "new,old": Airflow encrypts with the new key and still decrypts with the old.`,
          '1. Restart every Airflow component so each reads the new FERNET_KEY (e.g. docker compose up -d).',
          '2. Re-encrypt stored secrets with the new key: airflow rotate-fernet-key',
          '   (compose: docker compose run --rm airflow-cli airflow rotate-fernet-key).',
          `3. Then keep only the first key in FERNET_KEY in ${options.envFile} and restart again.`,
        ]
      : [],
  };
}

function currentValue(text: string): string | undefined {
  return setEnvValue(text, 'FERNET_KEY', '').previous;
}

/** The env file's text ('' when missing); unreadable is a ConfigError naming it. */
function readEnvText(file: string): string {
  try {
    return readIfExists(file) ?? '';
  } catch (err) {
    throw new ConfigError(
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
}

/** What `fernet-key generate` prints: where the key went (or would go), then the next steps. */
export function describeFernetResult(
  result: FernetGenerateResult,
  envFile: string,
  dryRun = false,
): string[] {
  const keys = `${result.keyCount} key${result.keyCount > 1 ? 's' : ''}`;
  return [
    dryRun
      ? `dry run: would write a new FERNET_KEY to ${envFile} (mode 0600, ${keys}); nothing was written`
      : `wrote FERNET_KEY to ${envFile} (mode 0600, ${keys})`,
    ...result.nextSteps,
  ];
}
