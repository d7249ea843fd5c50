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

export function loadStepCatalog(root: string): StepCatalog {
  const raw = JSON.parse(fs.readFileSync(path.join(root, STEP_MANIFEST_PATH), 'utf8')) as Record<
    string,
    unknown
  >;
  const catalog: StepCatalog = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!name.startsWith('$')) catalog[name] = value as StepManifest;
  }
  return catalog;
}
