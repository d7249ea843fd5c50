import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  compiledContract,
  readStepContract,
  type CompiledContract,
} from '../../../../cli/compiler/steps/contract';

/**
 * Where a step's flag parser gets its contract. Run from the sources (unit tests, ts-jest),
 * it is read from docker/steps/<step>/step.yaml through the compiler's own contract module.
 * In an image it is baked in: scripts/bundle-steps.mjs replaces this module with the step's
 * compiled contract (JSON), so a step never reads YAML and never disagrees with the compiler.
 */
export function contractFor(step: string): CompiledContract {
  const { contract, diagnostics } = readStepContract(projectRoot(), step);
  if (!contract) {
    throw new Error(
      `step "${step}": ${diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.message}`).join('; ')}`,
    );
  }
  return compiledContract(contract);
}

/** The checkout these sources are in (from src/lib, or from a tsc build under dist/). */
function projectRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'docker', 'steps', 'src', 'lib'))) return dir;
  }
  throw new Error(`no airflow-ml checkout above ${__dirname}`);
}
