import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The project root: the nearest folder above this module whose package.json is ours.
 * Works the same from ts sources (cli/) and from the build (dist/cli/).
 */
export function projectRoot(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      const name = (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name;
      if (name === 'airflow-ml') return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the airflow-ml project root above ${start}`);
    dir = parent;
  }
}

export function packageVersion(): string {
  const pkg = path.join(projectRoot(), 'package.json');
  return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string }).version;
}
