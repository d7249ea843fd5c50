/**
 * Load benchmark (not a test; issue 17): the same batch under LocalExecutor, then under
 * CeleryExecutor with 1, 2 and 3 workers, on the local compose stack. One mode per call, so
 * the stack lock is held for one mode at a time:
 *
 *   npm run build
 *   for m in local celery:1 celery:2 celery:3; do
 *     flock /tmp/airflow-ml-stack.lock node dist/bench/scale-out.js $m --generate 24 --train 8
 *   done
 *
 * Each mode starts from a clean stack (down --volumes, then up with that executor and no
 * deploy), deploys two bench DAGs compiled from the project's specs (generate_data and
 * train_model with max_active_runs 16 and no schedule, so runs overlap), triggers the
 * generate runs for distinct dates (from 2026-06-01), waits, then the train runs for the first dates, and
 * reads every task instance from the REST API: task instances per minute (first queued to
 * last ended), queued->running latency (start_date - queued_when; median, p95) and which
 * worker (hostname) ran what. Results: bench/out/scale-out-<mode>.json and one line on
 * stdout; docs/benchmarks.md has the figures. The stack is left down (down --volumes).
 * Celery workers run AIRFLOW_ML_WORKER_CONCURRENCY=4 tasks each (LocalExecutor's
 * parallelism is 4), capped by parallelism 16.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Docker from 'dockerode';
import { AirflowClient } from '../cli/ops/airflow/client';
import { logicalDateForDay } from '../cli/ops/airflow/logical-date';
import { listTaskInstances, triggerRun, waitForRun } from '../cli/ops/airflow/runs';
import { commitDagFolder, defaultBundleRepo } from '../cli/ops/deploy/bundle-repo';
import { deploy } from '../cli/ops/deploy/deploy';
import { compileProject, DEFAULT_DAGS_DIR } from '../cli/compiler/project';
import { down } from '../cli/ops/stack/down';
import { hasImage } from '../cli/ops/stack/engine';
import {
  BROKER_IMAGE,
  ensureStepImages,
  LOCAL_MAIL_SINK_IMAGE,
  LOCAL_NODE_BASE,
  LOCAL_POSTGRES_IMAGE,
  LOCAL_PROXY_IMAGE,
  OFFICIAL_MAIL_SINK_IMAGE,
  OFFICIAL_POSTGRES_IMAGE,
  OFFICIAL_PROXY_IMAGE,
} from '../cli/ops/stack/images';
import { BASE_IMAGE_ENV, DEFAULT_BASE_IMAGE } from '../cli/ops/images';
import { readStackSettings } from '../cli/ops/stack/settings';
import { up } from '../cli/ops/stack/up';
import { stackWorkers } from '../cli/ops/stack/workers';
import { projectRoot } from '../cli/base/paths';

const ROOT = projectRoot();
const DIR = path.join(os.tmpdir(), 'airflow-ml-bench-scale-out');
const ENV_FILE = path.join(DIR, 'stack.env');
const LOCATION = { root: ROOT, envFile: ENV_FILE };
const BUNDLE = defaultBundleRepo(path.join(ROOT, DEFAULT_DAGS_DIR));

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const mode = process.argv[2] ?? 'local';
const [executor, workers] = mode.split(':');
const GENERATE = arg('--generate', 24);
const TRAIN = arg('--train', 8);
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/** The project's spec as a bench DAG: another dag_id, runs that overlap, manual only. */
function benchSpec(file: string, dagId: string): string {
  const text = fs.readFileSync(path.join(ROOT, 'dag-specs', file), 'utf8');
  return text
    .replace(/^dag_id: .*$/m, `dag_id: ${dagId}`)
    .replace(/^max_active_runs: .*$/m, 'max_active_runs: 16')
    .replace(/^schedule: .*$/m, 'schedule: null');
}

async function offlineValues(): Promise<string[]> {
  const docker = new Docker();
  const lines: string[] = [];
  const pairs: [string, string, string][] = [
    ['POSTGRES_IMAGE', OFFICIAL_POSTGRES_IMAGE, LOCAL_POSTGRES_IMAGE],
    ['DOCKER_PROXY_IMAGE', OFFICIAL_PROXY_IMAGE, LOCAL_PROXY_IMAGE],
    ['MAIL_SINK_IMAGE', OFFICIAL_MAIL_SINK_IMAGE, LOCAL_MAIL_SINK_IMAGE],
    [BASE_IMAGE_ENV, DEFAULT_BASE_IMAGE, LOCAL_NODE_BASE],
    [BROKER_IMAGE.key, BROKER_IMAGE.official, BROKER_IMAGE.local],
  ];
  for (const [key, official, local] of pairs) {
    if (!(await hasImage(docker, official))) lines.push(`${key}=${local}`);
  }
  return lines;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, i)];
}

async function main(): Promise<void> {
  const started = Date.now();
  const load = os.loadavg();
  await down({ ...LOCATION, volumes: true, report: () => undefined }).catch(() => undefined);
  fs.rmSync(DIR, { recursive: true, force: true });
  fs.mkdirSync(DIR, { recursive: true });
  fs.writeFileSync(
    ENV_FILE,
    [
      `AIRFLOW_ML_DATA_ROOT=${path.join(DIR, 'data')}`,
      'AIRFLOW_ML_WORKER_CONCURRENCY=4',
      ...(await offlineValues()),
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const t0 = Date.now();
  await up({
    ...LOCATION,
    skipDeploy: true,
    executor: executor === 'celery' ? { executor, workers } : { executor: 'local' },
    report: log,
  });
  const upSeconds = (Date.now() - t0) / 1000;
  const settings = readStackSettings(ENV_FILE, {});
  const client = new AirflowClient({
    url: settings.url,
    username: settings.username,
    password: settings.password,
  });
  try {
    const specs = path.join(DIR, 'specs');
    fs.mkdirSync(specs);
    fs.writeFileSync(path.join(specs, 'g.yaml'), benchSpec('generate_data.yaml', 'bench_generate'));
    fs.writeFileSync(path.join(specs, 't.yaml'), benchSpec('train_model.yaml', 'bench_train'));
    const compiled = compileProject({ root: ROOT, specsDir: specs });
    if (compiled.diagnostics.length > 0) throw new Error(JSON.stringify(compiled.diagnostics));
    // The step images these DAGs name, as the tree is now (a step edited since up is rebuilt).
    await ensureStepImages({
      docker: new Docker(),
      root: ROOT,
      envFile: ENV_FILE,
      env: settings.env,
      report: log,
    });
    await deploy(client, {
      compile: () => ({ files: compiled.files }),
      dagsFolder: path.join(DIR, 'dags'),
      bundleRepo: BUNDLE,
      dataRoot: settings.dataRoot,
      env: settings.env,
      parseTimeoutMs: 180_000,
      report: () => undefined,
    });

    const day = (i: number) => new Date(Date.UTC(2026, 5, 1 + i)).toISOString().slice(0, 10);
    const runs: [string, string][] = [];
    const batch = async (dagId: string, n: number) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        ids.push((await triggerRun(client, dagId, logicalDateForDay(day(i)))).run.dag_run_id);
      }
      for (const id of ids) {
        const done = await waitForRun(client, dagId, id, { timeoutMs: 1_800_000 });
        if (done.run.state !== 'success') log(`${dagId} ${id}: ${done.run.state}`);
        runs.push([dagId, id]);
      }
    };
    const t1 = Date.now();
    await batch('bench_generate', GENERATE);
    await batch('bench_train', TRAIN);
    const batchSeconds = (Date.now() - t1) / 1000;

    const tis = [];
    for (const [dagId, id] of runs) tis.push(...(await listTaskInstances(client, dagId, id)));
    // A logical date before a DAG's start_date makes a run with no task instances.
    if (tis.length === 0) throw new Error('the batch ran no task instances');
    const ms = (s: string | null | undefined) => (s ? Date.parse(s) : NaN);
    const done = tis.filter((t) => t.end_date && t.queued_when && t.start_date);
    const first = Math.min(...done.map((t) => ms(t.queued_when)));
    const last = Math.max(...done.map((t) => ms(t.end_date)));
    const latencies = done
      .map((t) => (ms(t.start_date) - ms(t.queued_when)) / 1000)
      .sort((a, b) => a - b);
    const hosts = await stackWorkers();
    const names = new Map(hosts.map((w) => [w.hostname, w.name]));
    const byHost: Record<string, number> = {};
    for (const t of done) {
      const who = names.get(t.hostname ?? '') ?? t.hostname ?? '?';
      byHost[who] = (byHost[who] ?? 0) + 1;
    }
    const result = {
      mode,
      generate_runs: GENERATE,
      train_runs: TRAIN,
      task_instances: tis.length,
      succeeded: tis.filter((t) => t.state === 'success').length,
      up_seconds: upSeconds,
      batch_seconds: batchSeconds,
      ti_per_minute: done.length / ((last - first) / 60_000),
      latency_median_s: quantile(latencies, 0.5),
      latency_p95_s: quantile(latencies, 0.95),
      by_worker: byHost,
      machine: {
        cpus: os.cpus().length,
        memory_gb: Math.round(os.totalmem() / 1e9),
        loadavg_before: load.map((l) => Number(l.toFixed(2))),
        loadavg_after: os.loadavg().map((l) => Number(l.toFixed(2))),
      },
      total_seconds: (Date.now() - started) / 1000,
    };
    fs.mkdirSync(path.join(ROOT, 'bench', 'out'), { recursive: true });
    fs.writeFileSync(
      path.join(ROOT, 'bench', 'out', `scale-out-${mode.replace(':', '-')}.json`),
      JSON.stringify(result, null, 2) + '\n',
    );
    console.log(JSON.stringify(result));
  } finally {
    commitDagFolder(BUNDLE, path.join(ROOT, DEFAULT_DAGS_DIR));
    await down({ ...LOCATION, volumes: true, report: () => undefined });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
