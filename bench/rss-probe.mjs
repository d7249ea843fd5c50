// Preloaded into each step process by the benchmark (node --import): on exit, writes the
// process's peak resident set size (KiB) to $AIRFLOW_ML_BENCH_RSS, the same figure as
// Python's resource.getrusage(RUSAGE_SELF).ru_maxrss.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const file = process.env.AIRFLOW_ML_BENCH_RSS;
  if (file) writeFileSync(file, String(process.resourceUsage().maxRSS));
});
