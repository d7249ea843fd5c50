import type { BuildEvent, BuiltImage } from './build';

/**
 * Human progress for `images build` on stderr: one line per image, and the builder's
 * "Step n/m" lines while it builds (the full log is kept for errors, not printed).
 */
export function progressPrinter(write: (s: string) => void): (e: BuildEvent) => void {
  return (e) => {
    const head = (i: number, n: number) => `[${i}/${n}] ${e.image.tag}`;
    if (e.kind === 'start')
      write(`${head(e.index, e.total)}: building (target ${e.image.target}; ${e.image.reason})\n`);
    else if (e.kind === 'log' && /^Step \d+\/\d+ :/.test(e.line)) write(`      ${e.line}\n`);
    else if (e.kind === 'done') {
      const what = e.image.build ? `built in ${e.seconds.toFixed(1)}s` : 'up to date';
      const size = `${formatSize(e.sizeBytes)} (${formatSize(e.addedBytes)} over the base)`;
      write(`${head(e.index, e.total)}: ${what}, ${size}\n`);
    }
  };
}

export function formatSize(bytes: number): string {
  return bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

/** The closing table: every image, whether it was built, its size and what it adds to the base. */
export function summaryTable(results: readonly BuiltImage[]): string {
  const width = Math.max(5, ...results.map((r) => r.tag.length));
  const line = (tag: string, status: string, size: string, own: string) =>
    `${tag.padEnd(width)}  ${status.padEnd(6)}  ${size.padStart(9)}  ${own.padStart(9)}`;
  const rows = results.map((r) =>
    line(r.tag, r.built ? 'built' : 'reused', formatSize(r.sizeBytes), formatSize(r.addedBytes)),
  );
  return `${[line('IMAGE', 'STATUS', 'SIZE', 'OWN'), ...rows].join('\n')}\n`;
}
