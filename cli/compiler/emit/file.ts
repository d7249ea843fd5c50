import type { Pipeline } from '../ir/types';
import { dagCall } from './dag';
import { importsBlock } from './imports';
import { assign, parseStringLiteral, render, stringLiteral } from './python';
import { sensorOperator } from './sensor';
import { podSettingsBlock, settingsBlock } from './settings';
import { podImage, podOperator, podOperatorClass } from './pod-operator';
import { fileSensorClass } from './file-sensor';
import { stepOperatorClass } from './step-operator';
import { stepOperator } from './task';
import { InternalError } from '../../base/errors';

export interface EmitOptions {
  /** Image reference for each step, e.g. { train: "airflow-ml-train:1a2b3c4d5e6f" }. */
  imageTags: Record<string, string>;
}

/**
 * One pipeline as one Python module. Pure: the same IR and options give the same bytes.
 * The layout is what `ruff format` would print, so the committed files pass `ruff format --check`.
 */
export function emitDagFile(p: Pipeline, options: EmitOptions): string {
  const hasSteps = p.tasks.some((t) => t.kind === 'step');
  const hasSensors = p.tasks.some((t) => t.kind === 'sensor');
  const pods = p.runner === 'kubernetes';
  const sections: string[] = [
    generatedHeader(p.source),
    importsBlock({ steps: hasSteps, sensors: hasSensors, alerts: p.alerts !== undefined, pods }),
  ];
  if (hasSteps)
    sections.push(
      ...(pods ? [podSettingsBlock(), podOperatorClass()] : [settingsBlock(), stepOperatorClass()]),
    );
  // A class right after the imports needs two blank lines (isort, ruff); sections are
  // separated by one, and the step class block already ends with the second.
  if (hasSensors) sections.push(hasSteps ? fileSensorClass() : `\n${fileSensorClass()}`);

  const body: string[] = [];
  for (const task of p.tasks) {
    if (task.kind === 'sensor') {
      body.push(assign(task.id, sensorOperator(task), 1));
    } else {
      const image = task.image ?? options.imageTags[task.step];
      if (image === undefined) throw new InternalError(`no image tag for step "${task.step}"`);
      const operator = pods ? podOperator(task, podImage(task, image)) : stepOperator(task, image);
      body.push(assign(task.id, operator, 1));
    }
  }
  const edges = p.tasks.flatMap((t) => t.upstream.map((up) => `    ${up} >> ${t.id}`));
  const withLine = `with ${render(dagCall(p), 0, 'with ', ' as dag:')} as dag:`;
  sections.push([withLine, body.join('\n'), ...(edges.length ? ['', ...edges] : [])].join('\n'));
  return sections.join('\n\n') + '\n';
}

/**
 * The first lines of every generated file. The spec path is written as a Python string
 * literal, so no file or folder name (a newline, a quote) can end the comment and start code.
 * `readGeneratedHeader` is its inverse; the writer uses it to touch only our own files.
 */
export function generatedHeader(specPath: string): string {
  return [
    `${HEADER_PREFIX}${stringLiteral(specPath)}${HEADER_SUFFIX}`,
    '# Change the spec and run `npx airflow-ml compile` instead.',
  ].join('\n');
}

const HEADER_PREFIX = '# Generated from ';
const HEADER_SUFFIX = ' by airflow-ml — do not edit.';

/**
 * The spec path a generated file names in its first line, or undefined when the file is not
 * ours. Files from before the path was quoted (`# Generated from dag-specs/x.yaml by ...`)
 * are recognised too, so an upgrade can still replace them.
 */
export function readGeneratedHeader(content: string): string | undefined {
  const end = content.indexOf('\n');
  const first = end === -1 ? content : content.slice(0, end);
  if (!first.startsWith(HEADER_PREFIX) || !first.endsWith(HEADER_SUFFIX)) return undefined;
  const quoted = first.slice(HEADER_PREFIX.length, first.length - HEADER_SUFFIX.length);
  return parseStringLiteral(quoted) ?? (/^[^"'\s]+$/.test(quoted) ? quoted : undefined);
}
