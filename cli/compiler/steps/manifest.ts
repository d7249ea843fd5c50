import * as fs from 'node:fs';
import * as path from 'node:path';

/** docker/steps/steps.json: the step contract that specs are checked against. */

export interface ParamSpec {
  type: 'integer' | 'number' | 'string' | 'boolean';
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: string | number | boolean;
}

export interface StepManifest {
  description: string;
  inputs: Record<string, 'file' | 'dir'>;
  outputs: Record<string, 'file' | 'dir'>;
  params: Record<string, ParamSpec>;
}

export type StepCatalog = Record<string, StepManifest>;

export const STEP_MANIFEST_PATH = path.join('docker', 'steps', 'steps.json');

/**
 * The catalog and each step's inputs, outputs and params are objects without a prototype:
 * a spec naming a step "__proto__" or a param "toString" must find nothing, not
 * Object.prototype's members.
 */
export function loadStepCatalog(root: string): StepCatalog {
  const raw = JSON.parse(fs.readFileSync(path.join(root, STEP_MANIFEST_PATH), 'utf8')) as Record<
    string,
    unknown
  >;
  const catalog: StepCatalog = bare({});
  for (const [name, value] of Object.entries(raw)) {
    if (name.startsWith('$')) continue;
    const step = value as StepManifest;
    catalog[name] = {
      ...step,
      inputs: bare(step.inputs ?? {}),
      outputs: bare(step.outputs ?? {}),
      params: bare(step.params ?? {}),
    };
  }
  return catalog;
}

function bare<T>(entries: Record<string, T>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}
