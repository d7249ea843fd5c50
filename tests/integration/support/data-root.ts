import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A fresh data root that a non-root step container can write. Step containers never run as
 * root: as root (CI) we hand the folder to the images' `node` user (1000:1000); otherwise the
 * containers run as the current user, who owns it already.
 */
export function makeDataRoot(prefix = 'airflow-ml-data-'): { dir: string; stepUser: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  const uid = process.getuid?.() ?? 1000;
  const gid = process.getgid?.() ?? 1000;
  if (uid === 0) {
    fs.chownSync(dir, 1000, 1000);
    return { dir, stepUser: '1000:1000' };
  }
  return { dir, stepUser: `${uid}:${gid}` };
}
