import type { StepCatalog } from '../steps/contract';
import { checkParamValue, type ParamSpec } from '../steps/param-check';
import type { SpecPath } from './parse';
import { checkPath } from './path-check';
import type { Report } from './report';
import { didYouMean } from './suggest';
import { checkImageReference, IMAGE_REFERENCE_HINT } from './image-ref';
import { checkTemplate } from './templates';
import type { ScalarValue, TaskSettings, TaskSpec } from './types';

/** A task against the step catalog: step or sensor, its inputs, outputs, params and settings. */
const STEP_ONLY_KEYS = [
  'step',
  'inputs',
  'outputs',
  'params',
  'image',
  'resources',
  'environment',
] as const;

export function checkTask(
  task: TaskSpec,
  at: SpecPath,
  catalog: StepCatalog,
  report: Report,
): void {
  if (task.sensor && task.step !== undefined) {
    report(at, 'a task is either a step or a sensor, not both');
    return;
  }
  if (task.sensor) {
    for (const key of STEP_ONLY_KEYS) {
      if (task[key] !== undefined)
        report([...at, key], `"${key}" applies only to step tasks`, undefined, true);
    }
    checkPath(task.sensor.path, [...at, 'sensor', 'path'], report);
    return;
  }
  if (task.step === undefined) {
    report(
      at,
      `task "${task.id}" needs "step" (a step image to run) or "sensor" (a file to wait for)`,
    );
    return;
  }
  const manifest = catalog[task.step];
  if (!manifest) {
    report(
      [...at, 'step'],
      () => `unknown step "${task.step}"${didYouMean(task.step as string, Object.keys(catalog))}`,
      `a step is a folder docker/steps/<name>/ with a step.yaml: ${Object.keys(catalog).join(', ')}`,
    );
    return;
  }
  checkSettings(task, at, report);
  checkPathMap('inputs', task.inputs ?? {}, manifest.inputs, at, report);
  checkPathMap('outputs', task.outputs ?? {}, manifest.outputs, at, report);
  for (const [name, value] of Object.entries(task.params ?? {})) {
    const param = manifest.params[name];
    const path = [...at, 'params', name];
    if (!param) {
      const known = Object.keys(manifest.params);
      report(
        path,
        () => `step "${task.step}" has no parameter "${name}"${didYouMean(name, known)}`,
        known.length
          ? `its parameters: ${known.join(', ')}`
          : `step "${task.step}" takes no parameters`,
        true,
      );
      continue;
    }
    const problem = checkParam(value, param);
    if (problem) report(path, problem);
  }
}

function checkPathMap(
  kind: 'inputs' | 'outputs',
  given: Record<string, string>,
  expected: Record<string, unknown>,
  at: SpecPath,
  report: Report,
): void {
  for (const [name, path] of Object.entries(given)) {
    if (!(name in expected)) {
      const known = Object.keys(expected);
      report(
        [...at, kind, name],
        () => `unknown ${kind.slice(0, -1)} "${name}"${didYouMean(name, known)}`,
        known.length ? `this step's ${kind}: ${known.join(', ')}` : `this step has no ${kind}`,
        true,
      );
    } else {
      checkPath(path, [...at, kind, name], report);
    }
  }
  for (const name of Object.keys(expected)) {
    if (!(name in given)) report([...at, kind], `missing ${kind.slice(0, -1)} "${name}"`);
  }
}

export function checkSettings(settings: TaskSettings, at: SpecPath, report: Report): void {
  if (settings.image !== undefined) {
    const problem = checkImageReference(settings.image);
    if (problem) report([...at, 'image'], problem, IMAGE_REFERENCE_HINT);
  }
  for (const [name, value] of Object.entries(settings.environment ?? {})) {
    if (typeof value === 'string') {
      const problem = checkTemplate(value);
      if (problem) report([...at, 'environment', name], problem);
    }
  }
}

/** The contract's own check (steps/param-check.ts), plus templates inside string values. */
function checkParam(value: ScalarValue, param: ParamSpec): string | undefined {
  const problem = checkParamValue(value, param);
  if (problem || param.type !== 'string') return problem;
  return checkTemplate(value as string);
}
