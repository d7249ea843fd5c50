import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeNewFile } from '../base/atomic-write';
import { readGeneratedHeader } from './emit/file';
import { ConfigError } from '../base/errors';

/**
 * The one writer of generated DAG files, for `compile` and `deploy`.
 *
 * A DAGs folder is shared ground: it may hold hand-written DAGs, or DAGs generated from
 * another spec folder. So a file is replaced or pruned only when its first line is our
 * generated header naming a spec in the same spec folder; anything else in the way is a
 * conflict that names the file, and then nothing is written at all.
 *
 * Writing is all or nothing: new contents go to temporary files with random names opened
 * exclusively (a planted file or symlink can never be written through), and only when every
 * one is on disk are they renamed into place. If a rename or a removal fails part-way, the
 * steps already taken are undone, so the folder is left as it was.
 */

export interface FolderPlan {
  folder: string;
  create: string[];
  update: string[];
  unchanged: string[];
  /** Generated from the same spec folder, whose spec is gone. */
  remove: string[];
  /** Files in the way of a write, with the reason; a non-empty list means nothing is written. */
  conflicts: { name: string; reason: string }[];
  contents: Map<string, string>;
}

export interface FolderOwner {
  /**
   * The spec folder, relative to the project root (as in the generated header). Undefined
   * means any regular file may be replaced (deploying hand-made files, as tests do).
   */
  specsDir: string | undefined;
  /** Remove generated files of this spec folder whose spec is gone (compile does, deploy not). */
  prune: boolean;
}

/** Reads the folder and says what writing `files` would do. Touches nothing. */
export function planDagFolder(
  folder: string,
  files: Map<string, string>,
  owner: FolderOwner,
): FolderPlan {
  const plan: FolderPlan = {
    folder,
    create: [],
    update: [],
    unchanged: [],
    remove: [],
    conflicts: [],
    contents: files,
  };
  const ownFolder = owner.specsDir === undefined ? undefined : normalizeFolder(owner.specsDir);
  for (const name of [...files.keys()].sort()) {
    checkFileName(name);
    const current = inspect(path.join(folder, name));
    if (current.kind === 'missing') plan.create.push(name);
    else if (current.kind === 'other') plan.conflicts.push({ name, reason: current.reason });
    else if (!isOurs(current.content, ownFolder))
      plan.conflicts.push({ name, reason: foreignReason(current.content) });
    else if (current.content === files.get(name)) plan.unchanged.push(name);
    else plan.update.push(name);
  }
  if (owner.prune && fs.existsSync(folder)) {
    for (const name of fs.readdirSync(folder).sort()) {
      if (!name.endsWith('.py') || files.has(name)) continue;
      const current = inspect(path.join(folder, name));
      if (current.kind === 'file' && isOurs(current.content, ownFolder)) plan.remove.push(name);
    }
  }
  return plan;
}

/** Throws a ConfigError naming every file in the way, if any. */
export function requireNoConflicts(plan: Pick<FolderPlan, 'folder' | 'conflicts'>): void {
  if (plan.conflicts.length > 0) {
    throw new ConfigError(
      `nothing was written: ${plan.conflicts.length} file(s) in ${plan.folder} are in the way:\n` +
        plan.conflicts.map((c) => `  ${c.name}: ${c.reason}`).join('\n'),
      'move or rename those files, give the spec another dag_id, or compile into another folder with --out',
    );
  }
}

/** Carries out a plan, all or nothing. Throws a ConfigError naming every conflict first. */
export function applyDagFolder(plan: FolderPlan): void {
  requireNoConflicts(plan);
  fs.mkdirSync(plan.folder, { recursive: true });
  sweepStaleTemps(plan.folder);
  const staged: { temp: string; target: string; backup?: string }[] = [];
  try {
    for (const name of [...plan.create, ...plan.update]) {
      const target = path.join(plan.folder, name);
      staged.push({
        temp: writeTemp(plan.folder, name, plan.contents.get(name) as string),
        target,
      });
    }
  } catch (err) {
    for (const s of staged) fs.rmSync(s.temp, { force: true });
    throw err;
  }

  // Each step below is undone, newest first, if a later one fails.
  const undo: (() => void)[] = [];
  try {
    for (const s of staged) {
      if (fs.existsSync(s.target)) {
        const backup = tempName(plan.folder, path.basename(s.target), 'old');
        fs.linkSync(s.target, backup);
        undo.push(() => fs.renameSync(backup, s.target));
        s.backup = backup;
      } else {
        undo.push(() => fs.rmSync(s.target, { force: true }));
      }
      fs.renameSync(s.temp, s.target);
    }
    for (const name of plan.remove) {
      const target = path.join(plan.folder, name);
      const backup = tempName(plan.folder, name, 'old');
      fs.renameSync(target, backup);
      undo.push(() => fs.renameSync(backup, target));
      staged.push({ temp: backup, target, backup });
    }
  } catch (err) {
    for (const step of undo.reverse()) {
      try {
        step();
      } catch {
        // Keep undoing the rest; the original error is what the user needs to see.
      }
    }
    for (const s of staged) fs.rmSync(s.temp, { force: true });
    throw err;
  }
  for (const s of staged) if (s.backup) fs.rmSync(s.backup, { force: true });
}

type Inspected =
  { kind: 'missing' } | { kind: 'file'; content: string } | { kind: 'other'; reason: string };

function inspect(file: string): Inspected {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw err;
  }
  if (stat.isSymbolicLink()) return { kind: 'other', reason: 'is a symbolic link' };
  if (!stat.isFile()) return { kind: 'other', reason: 'is not a regular file' };
  return { kind: 'file', content: fs.readFileSync(file, 'utf8') };
}

function isOurs(content: string, ownFolder: string | undefined): boolean {
  if (ownFolder === undefined) return true;
  const spec = readGeneratedHeader(content);
  return spec !== undefined && normalizeFolder(path.posix.dirname(spec)) === ownFolder;
}

function foreignReason(content: string): string {
  const spec = readGeneratedHeader(content);
  return spec === undefined
    ? 'was not generated by airflow-ml (no generated header); it is never overwritten'
    : `was generated from another spec folder (${JSON.stringify(spec)})`;
}

function normalizeFolder(folder: string): string {
  return path.posix.normalize(folder.split(path.sep).join('/')).replace(/\/$/, '');
}

function checkFileName(name: string): void {
  if (name === '' || name === '.' || name === '..' || /[\\/\0]/.test(name)) {
    throw new ConfigError(`generated file name ${JSON.stringify(name)} is not a plain file name`);
  }
}

/** What tempName writes: `.<name>.<16 hex>.<new|old>.tmp`. */
const TEMP_NAME = /^\..+\.[0-9a-f]{16}\.(new|old)\.tmp$/;
/** Older than this, a temp belongs to no writer still running (a write takes milliseconds). */
const STALE_TEMP_MS = 60_000;

/**
 * Removes temps that a writer killed part-way left behind. They are hidden and not *.py, so
 * Airflow never parses them, but nothing else would ever remove them. A young temp may be a
 * concurrent writer's, so only old ones go. An `.old` temp of a killed prune is the pruned
 * file itself, whose spec is gone: removing it finishes the prune.
 */
export function sweepStaleTemps(folder: string, now = Date.now()): string[] {
  const swept: string[] = [];
  for (const name of fs.readdirSync(folder)) {
    if (!TEMP_NAME.test(name)) continue;
    const file = path.join(folder, name);
    const stat = fs.lstatSync(file, { throwIfNoEntry: false });
    if (stat && now - stat.mtimeMs > STALE_TEMP_MS) {
      fs.rmSync(file, { force: true });
      swept.push(name);
    }
  }
  return swept;
}

/** Hidden and not *.py, so the dag-processor never parses it. */
function tempName(folder: string, name: string, kind: 'new' | 'old'): string {
  return path.join(folder, `.${name}.${randomBytes(8).toString('hex')}.${kind}.tmp`);
}

function writeTemp(folder: string, name: string, content: string): string {
  const temp = tempName(folder, name, 'new');
  // 0644: the Airflow processes (maybe another uid in a container) must read it.
  writeNewFile(temp, content, 0o644);
  return temp;
}
