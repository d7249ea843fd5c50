import { ConfigError } from '../../base/errors';
import type { VariableResponse } from './api-types';

/**
 * The JSON file shape of `airflow variables import/export`: an object from key to value,
 * where a value is a string (stored as is), any other JSON value (stored serialised), or
 * `{"value": …, "description": …}`. Round-trips with the Airflow CLI.
 */

export interface VariableInput {
  key: string;
  /** A string is stored verbatim; other JSON values are serialised by Airflow. */
  value: unknown;
  description?: string | null;
}

export function parseVariablesFile(text: string, file: string): VariableInput[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(
      `${file} is not valid JSON: ${(err as Error).message}`,
      'the file must be a JSON object of key to value',
    );
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ConfigError(
      `${file} must hold a JSON object of key to value`,
      'e.g. {"PROD_DIR": "models/production"}',
    );
  }
  return Object.entries(data as Record<string, unknown>).map(([key, v]) => {
    if (isObject(v) && 'value' in v) {
      const description = v.description;
      return {
        key,
        value: v.value,
        description: typeof description === 'string' ? description : null,
      };
    }
    return { key, value: v };
  });
}

/**
 * Variables as `airflow variables export` writes them: values that parse as JSON non-strings
 * are written as JSON, everything else as the stored string; a description (or a dict value
 * with a "value" key, which would be ambiguous) uses the `{"value", "description"}` form.
 */
export function toVariablesFile(variables: VariableResponse[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const v of [...variables].sort((a, b) => a.key.localeCompare(b.key))) {
    const stored = v.value ?? '';
    let value: unknown = stored;
    try {
      const decoded: unknown = JSON.parse(stored);
      if (typeof decoded !== 'string') value = decoded;
    } catch {
      // not JSON: keep the string
    }
    out[v.key] =
      v.description || (isObject(value) && 'value' in value)
        ? { value, description: v.description }
        : value;
  }
  return out;
}

/** Airflow masks values of keys that look sensitive (password, secret, token, …) as "***". */
export function isMasked(v: VariableResponse): boolean {
  return v.value === '***';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
