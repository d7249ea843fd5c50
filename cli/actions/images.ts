import { DockerBuildError } from '../base/errors';
import { buildAll } from '../ops/images';
import { progressPrinter, summaryTable } from '../ops/images/progress';
import { imageTags } from '../compiler/steps/tags';
import { projectRoot } from '../base/paths';
import { noteText, outJson, outTable, outText } from '../output/print';
import { imageTagsJson } from '../output/json';

/** `images build`: every step image whose content tag is missing, progress on stderr. */
export async function runImagesBuild(opts: { baseImage?: string }): Promise<void> {
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
  const python = plan.images.some((i) => i.family === 'python')
    ? `, python ${plan.bases.python}`
    : '';
  write(
    `base image: ${plan.baseImage}${python}; ${built} built, ${results.length - built} up to date\n`,
  );
  outText(summaryTable(results));
}

/** `images tags`: the content-addressed image of each step, as compiled DAGs reference it. */
export function runImagesTags(flags: { json?: boolean }): void {
  const rows = imageTagsJson(imageTags(projectRoot()));
  if (flags.json) outJson(rows);
  else
    outTable(
      ['STEP', 'IMAGE'],
      rows.map((r) => [r.step, r.image]),
    );
}
