import { out } from '../output/print';
import { projectRoot } from '../base/paths';
import { compileOrThrow, specFileArgs } from '../compiler/project';
import { explainSchedules } from '../compiler/ir/explain';

/** `validate [files…]`: compile in memory, write nothing; --explain adds the next run times. */
export function runValidate(files: string[], flags: { specs: string; explain?: boolean }): void {
  const result = compileOrThrow({
    root: projectRoot(),
    specsDir: flags.specs,
    files: specFileArgs(files),
  });
  out(`${result.files.size} spec(s) valid`);
  if (flags.explain) explainSchedules(result.pipelines, new Date()).forEach((l) => out(l));
}
