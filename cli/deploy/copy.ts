import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PlannedFile } from './types';

/**
 * Put new and changed DAG files into the DAGs folder. Each is written under a temporary
 * name (not *.py, so the dag-processor ignores it) and only then renamed, all renames after
 * all writes: Airflow never parses a half-written file, and a failed write leaves the folder
 * as it was. Unchanged files are not touched, so their mtime (and Airflow's parse) stays.
 */
export function copyDagFiles(dagsFolder: string, files: PlannedFile[]): string[] {
  fs.mkdirSync(dagsFolder, { recursive: true });
  const staged: { temp: string; target: string; name: string }[] = [];
  try {
    for (const f of files.filter((x) => x.action !== 'unchanged')) {
      const temp = path.join(
        dagsFolder,
        `.${f.name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
      );
      // 0644: the Airflow processes (maybe another uid in a container) must read it.
      fs.writeFileSync(temp, f.content, { mode: 0o644, flag: 'wx' });
      staged.push({ temp, target: path.join(dagsFolder, f.name), name: f.name });
    }
  } catch (err) {
    for (const s of staged) fs.rmSync(s.temp, { force: true });
    throw err;
  }
  for (const s of staged) fs.renameSync(s.temp, s.target);
  return staged.map((s) => s.name);
}
