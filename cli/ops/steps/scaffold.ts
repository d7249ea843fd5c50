import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../../base/errors';
import {
  CONTRACT_FILE,
  RESERVED_STEP_NAMES,
  STEP_NAME,
  STEPS_DIR,
  stepDirs,
} from '../../compiler/steps/contract';
import { stepTemplate, type StepLang } from './templates';

/**
 * `step new NAME --lang ts|python`: a new step folder docker/steps/NAME/ with its contract,
 * code, a unit test and a fixture (templates.ts), written all or nothing: into a temp folder
 * beside it, renamed into place once complete. Returns the files written, root-relative.
 */
export const STEP_LANGS: readonly StepLang[] = ['ts', 'python'];

export function scaffoldStep(root: string, name: string, lang: string): string[] {
  if (!STEP_LANGS.includes(lang as StepLang)) {
    throw new UsageError(`--lang must be one of ${STEP_LANGS.join(', ')} (got "${lang}")`);
  }
  if (!STEP_NAME.test(name)) {
    throw new UsageError(
      `"${name}" is not a valid step name`,
      'a lower-case letter, then lower-case letters, digits or dashes (at most 40): it names the folder, the image and the spec\'s "step:"',
    );
  }
  if (RESERVED_STEP_NAMES.includes(name)) {
    throw new UsageError(
      `"${name}" is reserved: it is the shared base image's`,
      'choose another name',
    );
  }
  const dir = path.join(root, STEPS_DIR, name);
  if (fs.existsSync(dir)) {
    const known = stepDirs(root).includes(name);
    throw new UsageError(
      `${STEPS_DIR}/${name} already exists${known ? ` (a step: ${STEPS_DIR}/${name}/${CONTRACT_FILE})` : ''}`,
      'choose another name, or remove the folder first',
    );
  }
  const files = stepTemplate(name, lang as StepLang);
  sweepStaleTemps(path.join(root, STEPS_DIR));
  const tmp = fs.mkdtempSync(path.join(root, STEPS_DIR, `.${name}.tmp-`));
  try {
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
      fs.writeFileSync(path.join(tmp, rel), text);
    }
    fs.renameSync(tmp, dir);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return Object.keys(files)
    .sort()
    .map((rel) => `${STEPS_DIR}/${name}/${rel}`);
}

/** A temp folder older than this was left by a `step new` that was killed, not one running. */
export const STALE_TEMP_MS = 10 * 60 * 1000;
const TEMP_FOLDER = /^\.[a-z][a-z0-9-]{0,39}\.tmp-[A-Za-z0-9]{6}$/;

/**
 * Removes the temp folders of killed `step new` runs (the catalog ignores dot folders, so
 * they only take space). Young ones may belong to a `step new` running now: left alone.
 */
function sweepStaleTemps(stepsDir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(stepsDir);
  } catch {
    return;
  }
  const now = Date.now();
  for (const n of names.filter((n) => TEMP_FOLDER.test(n))) {
    const p = path.join(stepsDir, n);
    try {
      const st = fs.lstatSync(p);
      if (st.isDirectory() && now - st.mtimeMs > STALE_TEMP_MS) {
        fs.rmSync(p, { recursive: true, force: true });
      }
    } catch {
      // gone already, or not ours to remove: the new step does not depend on it
    }
  }
}
