import * as path from 'node:path';
import { out } from '../output/print';
import { projectEnvFile } from '../base/env';
import { describeFernetResult, generateFernetKeyFile } from '../ops/fernet/generate';

/** `fernet-key generate`: the project's .env unless --env-file names another. */
export function runFernetGenerate(flags: {
  envFile?: string;
  rotate?: boolean;
  dryRun?: boolean;
}): void {
  const envFile = flags.envFile === undefined ? projectEnvFile() : path.resolve(flags.envFile);
  const result = generateFernetKeyFile({ envFile, rotate: flags.rotate, dryRun: flags.dryRun });
  describeFernetResult(result, envFile, flags.dryRun).forEach((l) => out(l));
}
