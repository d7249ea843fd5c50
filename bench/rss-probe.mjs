// Preloaded into each step process by the benchmark (node --import): on exit, writes the
// process's peak resident set size (KiB, the same figure as Python's
// resource.getrusage(RUSAGE_SELF).ru_maxrss) and CPU seconds (user + system) to
// $AIRFLOW_ML_BENCH_RSS as JSON.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const file = process.env.AIRFLOW_ML_BENCH_RSS;
  if (!file) return;
  const u = process.resourceUsage();
  const cpuSeconds = (u.userCPUTime + u.systemCPUTime) / 1e6;
  writeFileSync(file, JSON.stringify({ maxRssKiB: u.maxRSS, cpuSeconds }));
});
