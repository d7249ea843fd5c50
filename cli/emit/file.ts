import type { Pipeline } from '../ir/types';
import { dagCall } from './dag';
import { importsBlock } from './imports';
import { assign, render } from './python';
import { sensorOperator } from './sensor';
import { settingsBlock } from './settings';
import { stepOperator } from './task';

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
  const sections: string[] = [
    `# Generated from ${p.source} by airflow-ml — do not edit.\n# Change the spec and run \`npx airflow-ml compile\` instead.`,
    importsBlock({ steps: hasSteps, sensors: hasSensors, alerts: p.alerts !== undefined }),
  ];
  if (hasSteps) sections.push(settingsBlock());

  const body: string[] = [];
  for (const task of p.tasks) {
    if (task.kind === 'sensor') {
      body.push(assign(task.id, sensorOperator(task), 1));
    } else {
      const image = task.image ?? options.imageTags[task.step];
      if (image === undefined) throw new Error(`no image tag for step "${task.step}"`);
      body.push(assign(task.id, stepOperator(task, image), 1));
    }
  }
  const edges = p.tasks.flatMap((t) => t.upstream.map((up) => `    ${up} >> ${t.id}`));
  const withLine = `with ${render(dagCall(p), 0, 'with ', ' as dag:')} as dag:`;
  sections.push([withLine, body.join('\n'), ...(edges.length ? ['', ...edges] : [])].join('\n'));
  return sections.join('\n\n') + '\n';
}
