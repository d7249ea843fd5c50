import { Command } from 'commander';
import { DockerBuildError } from '../base/errors';
import { buildAll } from '../ops/images';
import { progressPrinter, summaryTable } from '../ops/images/progress';
import { imageTags } from '../compiler/steps/tags';
import { projectRoot } from '../base/paths';
import { noteText, outJson, outTable, outText } from '../output/print';
import { imageTagsJson } from '../output/json';

/** `airflow-ml images build|tags`: thin adapters over cli/ops/images. */
export function registerImages(program: Command): void {
  const images = program
    .command('images')
    .description('Build and inspect the per-step Docker images');

  images
    .command('build')
    .description(
      'Build every step image whose content tag is missing (or was built on another base)',
    )
    .option(
      '--base-image <image>',
      'base image for the Dockerfile ARG BASE_IMAGE (default: $AIRFLOW_ML_NODE_BASE, else node:20-bookworm-slim)',
    )
    .action(async (opts: { baseImage?: string }) => {
      const write = noteText;
      let outcome: Awaited<ReturnType<typeof buildAll>>;
      try {
        outcome = await buildAll({
          root: projectRoot(),
          baseImage: opts.baseImage,
          onEvent: progressPrinter(write),
        });
      } catch (err) {
        // The progress lines show only the builder's steps; on failure show its last output.
        if (err instanceof DockerBuildError && err.logTail) {
          write(`--- last lines of the ${err.step} build ---\n${err.logTail}\n---\n`);
        }
        throw err;
      }
      const { plan, results } = outcome;
      const built = results.filter((r) => r.built).length;
      write(
        `base image: ${plan.baseImage}; ${built} built, ${results.length - built} up to date\n`,
      );
      outText(summaryTable(results));
    });

  images
    .command('tags')
    .description('Print the content-addressed image of each step (what compiled DAGs reference)')
    .option('--json', 'print JSON: [{"step", "image"}]')
    .action((flags: { json?: boolean }) => {
      const rows = imageTagsJson(imageTags(projectRoot()));
      if (flags.json) outJson(rows);
      else
        outTable(
          ['STEP', 'IMAGE'],
          rows.map((r) => [r.step, r.image]),
        );
    });
}
