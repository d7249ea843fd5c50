import * as fs from 'node:fs';
import { ConfigError } from '../../base/errors';
import { writeFileAtomic } from '../../base/atomic-write';
import type { AirflowClient } from './client';
import { listVariables, upsertVariables } from './variables';
import {
  isMasked,
  parseVariablesFile,
  toVariablesFile,
  type VariableInput,
} from './variables-file';

/** `-` names standard input or output wherever a file is read or written. */
export const STDIO = '-';

/**
 * Reads and checks a variables file (`-`: standard input) before anything is sent, so a
 * malformed file changes nothing. `readStdin` is a seam for tests.
 */
export function readVariablesFile(
  file: string,
  readStdin: () => string = () => fs.readFileSync(0, 'utf8'),
): VariableInput[] {
  const name = file === STDIO ? 'standard input' : file;
  let text: string;
  try {
    text = file === STDIO ? readStdin() : fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `cannot read ${name}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      'check the path',
    );
  }
  return parseVariablesFile(text, name);
}

/** `variables import FILE`: upserts every variable of an `airflow variables export` file. */
export function importVariables(
  client: AirflowClient,
  variables: VariableInput[],
): Promise<string[]> {
  return upsertVariables(client, variables);
}

export interface ExportResult {
  exported: string[];
  /** Keys Airflow shows as "***"; left out, as importing "***" would destroy the real value. */
  masked: string[];
}

/**
 * `variables export FILE`: every variable in the import shape, sorted, indented like the
 * Airflow CLI. The file may hold secrets, so it is written with mode 0600; `-` writes it to
 * standard output instead.
 */
export async function exportVariablesFile(
  client: AirflowClient,
  file: string,
  /** Where `-` sends the file: the command line's output module. */
  writeStdout: (text: string) => void,
): Promise<ExportResult> {
  const all = await listVariables(client);
  const masked = all.filter(isMasked).map((v) => v.key);
  const kept = all.filter((v) => !isMasked(v));
  const text = `${JSON.stringify(toVariablesFile(kept), null, 4)}\n`;
  if (file === STDIO) writeStdout(text);
  else writeFileAtomic(file, text, 0o600);
  return { exported: kept.map((v) => v.key).sort(), masked: masked.sort() };
}
