import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inputError } from './errors';

/**
 * The model registry: a layout of the data root's models/ folder, owned by this module and
 * used by the steps (validate, promote, predict) and by `airflow-ml models` on the host.
 *
 *   models/<ds>/<version>/model.json     written once by train (version: the DAG run's id)
 *   models/<ds>/<version>/metrics.json   written by validate, with the gate's verdict
 *   models/production -> <ds>/<version>  a relative symlink, swapped atomically (rename)
 *   models/history.jsonl                 one line per switch: when, from, to, why, by whom
 *
 * PROD_DIR defaults to models/production, so predict follows promotions; pointing PROD_DIR
 * at a version folder pins that model while promotions keep moving the alias.
 */

export const PRODUCTION_ALIAS = 'production';
export const HISTORY_FILE = 'history.jsonl';
export const METRICS_FILE = 'metrics.json';
export const MODEL_FILE = 'model.json';

/** A version folder name: an Airflow run id (allowed_run_id_pattern) or a plain word. */
const VERSION = /^[A-Za-z0-9_.~:+-]+$/;
const DS = /^\d{4}-\d{2}-\d{2}$/;

export interface ModelRef {
  ds: string;
  version: string;
}

export interface Switch {
  at: string;
  from: string | null;
  to: string;
  reason: string;
  by: string;
}

/** "<ds>/<version>" for a ref; the alias target and the history use this form. */
export const refPath = (ref: ModelRef): string => `${ref.ds}/${ref.version}`;

/** A "<ds>/<version>" path, checked: no other shape can name a model folder. */
export function parseRef(text: string): ModelRef | undefined {
  const parts = text.split('/');
  if (parts.length !== 2) return undefined;
  const [ds, version] = parts;
  if (!DS.test(ds) || !VERSION.test(version) || version === '.' || version === '..') {
    return undefined;
  }
  return { ds, version };
}

/** The model folder a path names, when it is <models>/<ds>/<version> exactly. */
export function refOfFolder(modelsRoot: string, folder: string): ModelRef | undefined {
  const rel = path.relative(modelsRoot, folder);
  return rel.startsWith('..') || path.isAbsolute(rel) ? undefined : parseRef(rel);
}

/** The model in production, or undefined when none was ever promoted. */
export function readProduction(modelsRoot: string): ModelRef | undefined {
  let target: string;
  try {
    target = fs.readlinkSync(path.join(modelsRoot, PRODUCTION_ALIAS));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const ref = parseRef(target);
  if (!ref) {
    throw inputError(
      `${path.join(modelsRoot, PRODUCTION_ALIAS)}: points to "${target}", which is not a model folder <ds>/<version>`,
    );
  }
  return ref;
}

/**
 * Makes `to` the production model: a new relative symlink under a random name, renamed over
 * the alias (rename(2) is atomic, so a reader sees the old model or the new one, never
 * neither), then one line appended to the history. The alias never leaves models/.
 */
export function switchProduction(
  modelsRoot: string,
  to: ModelRef,
  reason: string,
  by: string,
): Switch {
  const folder = path.join(modelsRoot, to.ds, to.version);
  if (!fs.existsSync(path.join(folder, MODEL_FILE))) {
    throw inputError(`${folder}: no ${MODEL_FILE}; only a trained model can go to production`);
  }
  const from = readProduction(modelsRoot);
  sweepStaleAliasTemps(modelsRoot);
  const temp = path.join(modelsRoot, `${ALIAS_TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
  fs.symlinkSync(refPath(to), temp);
  try {
    fs.renameSync(temp, path.join(modelsRoot, PRODUCTION_ALIAS));
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
  const entry: Switch = {
    at: new Date().toISOString(),
    from: from ? refPath(from) : null,
    to: refPath(to),
    reason,
    by,
  };
  fs.appendFileSync(path.join(modelsRoot, HISTORY_FILE), `${JSON.stringify(entry)}\n`, {
    mode: 0o644,
  });
  return entry;
}

const ALIAS_TEMP_PREFIX = `.${PRODUCTION_ALIAS}.tmp-`;

/**
 * Removes alias temps that a switch killed between symlink and rename left behind. Only old
 * ones: a young one may belong to a switch running right now.
 */
export function sweepStaleAliasTemps(modelsRoot: string, now = Date.now()): string[] {
  const swept: string[] = [];
  for (const name of fs.readdirSync(modelsRoot)) {
    if (!name.startsWith(ALIAS_TEMP_PREFIX)) continue;
    const file = path.join(modelsRoot, name);
    const stat = fs.lstatSync(file, { throwIfNoEntry: false });
    if (stat && now - stat.mtimeMs > 60_000) {
      fs.rmSync(file, { force: true });
      swept.push(name);
    }
  }
  return swept;
}

/** Every switch so far, oldest first; lines that are not switches are skipped. */
export function readHistory(modelsRoot: string): Switch[] {
  let text: string;
  try {
    text = fs.readFileSync(path.join(modelsRoot, HISTORY_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: Switch[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const s = JSON.parse(line) as Switch;
      if (typeof s.to === 'string' && typeof s.at === 'string') out.push(s);
    } catch {
      // a torn last line from a crash mid-append: not a switch
    }
  }
  return out;
}

/** Every model folder (<ds>/<version> holding model.json), oldest date first. */
export function listModelRefs(modelsRoot: string): ModelRef[] {
  const refs: ModelRef[] = [];
  for (const ds of safeReaddir(modelsRoot)
    .filter((d) => DS.test(d))
    .sort()) {
    for (const version of safeReaddir(path.join(modelsRoot, ds)).sort()) {
      const ref = parseRef(`${ds}/${version}`);
      if (ref && fs.existsSync(path.join(modelsRoot, ds, version, MODEL_FILE))) refs.push(ref);
    }
  }
  return refs;
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
