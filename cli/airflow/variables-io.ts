import * as fs from 'node:fs';
import { ConfigError } from '../errors';
import { writeFileAtomic } from '../config/atomic-write';
import type { AirflowClient } from './client';
import { listVariables, upsertVariables } from './variables';
import { isMasked, parseVariablesFile, toVariablesFile } from './variables-file';

/** `variables import FILE`: upserts every variable in an `airflow variables export` file. */
export async function importVariablesFile(client: AirflowClient, file: string): Promise<string[]> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      'check the path',
    );
  }
  return upsertVariables(client, parseVariablesFile(text, file));
}

export interface ExportResult {
  exported: string[];
  /** Keys Airflow shows as "***"; left out, as importing "***" would destroy the real value. */
  masked: string[];
}

/**
 * `variables export FILE`: every variable in the import shape, sorted, indented like the
 * Airflow CLI. The file may hold secrets, so it is written with mode 0600.
 */
export async function exportVariablesFile(
  client: AirflowClient,
  file: string,
): Promise<ExportResult> {
  const all = await listVariables(client);
  const masked = all.filter(isMasked).map((v) => v.key);
  const kept = all.filter((v) => !isMasked(v));
  writeFileAtomic(file, `${JSON.stringify(toVariablesFile(kept), null, 4)}\n`, 0o600);
  return { exported: kept.map((v) => v.key).sort(), masked: masked.sort() };
}
