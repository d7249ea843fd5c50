import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateFernetKey } from '../../../cli/ops/fernet/key';
import { projectRoot } from '../../../cli/base/paths';

/**
 * A real Airflow 3.3 for tests, from the project venv, on 127.0.0.1 and a free port, with
 * its own temporary AIRFLOW_HOME and SQLite database.
 *
 * The components run as separate processes (api-server, scheduler, dag-processor, triggerer),
 * each in its own process group so `stop()` also ends the LocalExecutor workers and task
 * processes they start. SQLite works with LocalExecutor (it is what `airflow standalone`
 * uses); the harness keeps parallelism small. All processes share one JWT secret (tokens
 * from the api-server must verify everywhere) and one Fernet key. Users come from
 * SimpleAuthManager with a known password written to its passwords file.
 *
 * Reuse: the end-to-end suite passes extra `env` (DOCKER_HOST, data-root mapping) and
 * `config` (`{'core.parallelism': '2'}`) and its own `dagsFolder`.
 *
 * Only one harness runs at a time on a machine (a lock in the temp folder) unless
 * `exclusive: false`: Airflow is heavy and CI machines are small.
 */

export type Component = 'scheduler' | 'dag-processor' | 'triggerer';

/**
 * Enough for a beforeAll that starts a harness: waiting for another harness to finish (the
 * default lock timeout), then startup. Use it as the hook's timeout.
 */
export const STANDALONE_START_BUDGET_MS = 20 * 60_000 + 4 * 60_000;

export interface AirflowStandaloneOptions {
  /** Default: $AIRFLOW_ML_VENV or <repo>/.venv-airflow. */
  venv?: string;
  /** Default: <home>/dags (created). */
  dagsFolder?: string;
  /** Default: a new temporary folder, removed by stop() unless keepHome. */
  home?: string;
  keepHome?: boolean;
  /** Default: a free port on 127.0.0.1. */
  port?: number;
  /** SimpleAuthManager user with role admin. Default "admin". */
  username?: string;
  /** Default: random. */
  password?: string;
  /** Default: a fresh key (cli/ops/fernet/key.ts). */
  fernetKey?: string;
  /** Default: random. */
  jwtSecret?: string;
  /** Which components besides the api-server. Default: all three. */
  components?: Component[];
  /** Airflow config as "section.option" -> value; wins over the harness defaults. */
  config?: Record<string, string>;
  /** Extra environment for every Airflow process (applied last, wins over everything). */
  env?: Record<string, string>;
  /** Seconds between DAG folder scans. Default 5. */
  refreshIntervalSec?: number;
  /** Default 180 s: until the api-server answers and every component is healthy. */
  startTimeoutMs?: number;
  /** Hold the machine-wide lock (default true). */
  exclusive?: boolean;
  /** Max wait for another harness to finish. Default 20 min. */
  lockTimeoutMs?: number;
  /** Copy a cached, already migrated database instead of running `airflow db migrate`. Default true. */
  reuseMigratedDb?: boolean;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Default 120 s. */
  timeoutMs?: number;
  env?: Record<string, string>;
}

export interface AirflowStandalone {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  username: string;
  password: string;
  home: string;
  dagsFolder: string;
  dbPath: string;
  fernetKey: string;
  jwtSecret: string;
  /** The environment the Airflow processes run with (use it for `airflow` CLI calls). */
  env: Record<string, string>;
  /** Run the venv's `airflow` CLI against this instance (`env` adds to or overrides its env). */
  airflow(args: string[], options?: RunOptions): Promise<CommandResult>;
  /** Run Python code with the venv's interpreter and this instance's env. */
  python(code: string, args?: string[], options?: RunOptions): Promise<CommandResult>;
  /** Rows of a query on the metadatabase (SQLite), as JSON values. */
  queryDb(sql: string): Promise<unknown[][]>;
  /** An authenticated REST call, independent of the client under test. */
  api<T>(method: string, apiPath: string, body?: unknown): Promise<{ status: number; data: T }>;
  /** The last lines a component printed. */
  logTail(component: Component | 'api-server', lines?: number): string;
  /** Stop every process group; idempotent. */
  stop(): Promise<void>;
}

const ALL_COMPONENTS: Component[] = ['scheduler', 'dag-processor', 'triggerer'];

/** The venv's airflow binary, or an Error saying how to create it. */
export function requireAirflowVenv(venv?: string): string {
  const dir = path.resolve(
    venv ?? process.env.AIRFLOW_ML_VENV ?? path.join(projectRoot(__dirname), '.venv-airflow'),
  );
  const bin = path.join(dir, 'bin', 'airflow');
  if (!fs.existsSync(bin)) {
    throw new Error(`Airflow venv not found (${bin} is missing): run scripts/airflow-venv.sh`);
  }
  return dir;
}

export async function startAirflowStandalone(
  options: AirflowStandaloneOptions = {},
): Promise<AirflowStandalone> {
  const venv = requireAirflowVenv(options.venv);
  const log = options.log ?? (() => undefined);
  const release =
    options.exclusive === false
      ? () => undefined
      : await acquireLock(options.lockTimeoutMs ?? 20 * 60_000, log);
  const children = new Map<string, ChildProcess>();
  let watchdog: ChildProcess | undefined;
  let home: string | undefined;
  let stopped = false;
  const killAllNow = () => {
    for (const child of children.values()) killGroup(child, 'SIGKILL');
  };
  process.on('exit', killAllNow);

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all([...children.values()].map((c) => stopGroup(c)));
    if (watchdog) killGroup(watchdog, 'SIGKILL');
    process.removeListener('exit', killAllNow);
    release();
    if (home && !options.home && !options.keepHome)
      fs.rmSync(home, { recursive: true, force: true });
  };

  try {
    home = options.home ?? fs.mkdtempSync(path.join(os.tmpdir(), 'airflow-ml-af-'));
    fs.mkdirSync(home, { recursive: true });
    const dagsFolder = options.dagsFolder ?? path.join(home, 'dags');
    fs.mkdirSync(dagsFolder, { recursive: true });
    const logDir = path.join(home, 'harness-logs');
    fs.mkdirSync(logDir, { recursive: true });
    const port = options.port ?? (await freePort());
    const url = `http://127.0.0.1:${port}`;
    const username = options.username ?? 'admin';
    const password = options.password ?? randomBytes(12).toString('hex');
    const fernetKey = options.fernetKey ?? generateFernetKey();
    const jwtSecret = options.jwtSecret ?? randomBytes(32).toString('hex');
    const dbPath = path.join(home, 'airflow.db');
    const passwordsFile = path.join(home, 'simple_auth_manager_passwords.json');
    fs.writeFileSync(passwordsFile, `${JSON.stringify({ [username]: password })}\n`, {
      mode: 0o600,
    });

    const config: Record<string, string> = {
      'core.dags_folder': dagsFolder,
      'core.load_examples': 'False',
      'core.executor': 'LocalExecutor',
      // LocalExecutor starts this many worker processes; a test machine has few cores.
      'core.parallelism': '4',
      'core.fernet_key': fernetKey,
      'core.auth_manager':
        'airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager',
      'core.simple_auth_manager_users': `${username}:admin`,
      'core.simple_auth_manager_passwords_file': passwordsFile,
      'core.execution_api_server_url': `${url}/execution/`,
      'database.sql_alchemy_conn': `sqlite:///${dbPath}`,
      'api.host': '127.0.0.1',
      'api.port': String(port),
      'api.workers': '1',
      'api_auth.jwt_secret': jwtSecret,
      'dag_processor.refresh_interval': String(options.refreshIntervalSec ?? 5),
      ...options.config,
    };
    const env: Record<string, string> = {
      ...inheritedEnv(),
      PATH: `${path.join(venv, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`,
      AIRFLOW_HOME: home,
      PYTHONUNBUFFERED: '1',
      ...Object.fromEntries(Object.entries(config).map(([k, v]) => [configEnvName(k), v])),
      ...options.env,
    };
    const airflowBin = path.join(venv, 'bin', 'airflow');
    const run = (bin: string, args: string[], opts: RunOptions = {}) =>
      runProcess(bin, args, { ...env, ...opts.env }, opts.timeoutMs ?? 120_000);

    const started = Date.now();
    await prepareDatabase(venv, dbPath, options.reuseMigratedDb ?? true, run, log);
    log(`database ready in ${Date.now() - started} ms`);

    for (const name of ['api-server', ...(options.components ?? ALL_COMPONENTS)]) {
      const fd = fs.openSync(path.join(logDir, `${name}.log`), 'a');
      const child = spawn(airflowBin, [name], {
        env,
        cwd: home,
        detached: true,
        stdio: ['ignore', fd, fd],
      });
      fs.closeSync(fd);
      // Airflow must not keep the test runner alive; stop(), the exit hook and the watchdog end it.
      child.unref();
      children.set(name, child);
    }
    watchdog = startWatchdog([...children.values()]);
    const tail = (component: string, lines = 40) =>
      tailFile(path.join(logDir, `${component}.log`), lines);
    await waitHealthy(
      url,
      options.components ?? ALL_COMPONENTS,
      children,
      options.startTimeoutMs ?? 180_000,
      tail,
    );
    log(`Airflow healthy at ${url} after ${Date.now() - started} ms`);

    let token: string | undefined;
    const api = async <T>(method: string, apiPath: string, body?: unknown) => {
      if (!token) {
        const res = await fetch(`${url}/auth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password }),
        });
        token = ((await res.json()) as { access_token: string }).access_token;
      }
      const res = await fetch(`${url}${apiPath}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, data: (text ? JSON.parse(text) : undefined) as T };
    };

    return {
      url,
      port,
      username,
      password,
      home,
      dagsFolder,
      dbPath,
      fernetKey,
      jwtSecret,
      env,
      airflow: (args, opts) => run(airflowBin, args, opts),
      python: (code, args = [], opts) =>
        run(path.join(venv, 'bin', 'python'), ['-c', code, ...args], opts),
      queryDb: async (sql) => {
        const r = await run(path.join(venv, 'bin', 'python'), [
          '-c',
          'import json,sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\nprint(json.dumps([list(r) for r in c.execute(sys.argv[2])], default=str))',
          dbPath,
          sql,
        ]);
        if (r.code !== 0) throw new Error(`query failed: ${r.stderr}`);
        return JSON.parse(r.stdout) as unknown[][];
      },
      api,
      logTail: tail,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The parent's environment minus anything that would reconfigure the test Airflow. */
function inheritedEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (/^AIRFLOW(__|_HOME$|_CONN_|_VAR_|_CONFIG$)/.test(k)) continue;
    out[k] = v;
  }
  return out;
}

function configEnvName(key: string): string {
  if (key.startsWith('AIRFLOW__')) return key;
  const [section, option] = key.split('.');
  if (!section || !option) throw new Error(`config key "${key}" must be "section.option"`);
  return `AIRFLOW__${section.toUpperCase()}__${option.toUpperCase()}`;
}

/**
 * `airflow db migrate` takes several seconds; the migrated file is the same for every
 * instance of one venv, so the first migration is cached per venv (keyed by its lock stamp)
 * and later instances copy it.
 */
async function prepareDatabase(
  venv: string,
  dbPath: string,
  reuse: boolean,
  run: (bin: string, args: string[], opts?: RunOptions) => Promise<CommandResult>,
  log: (line: string) => void,
): Promise<void> {
  const airflowBin = path.join(venv, 'bin', 'airflow');
  const stamp =
    readIfExists(path.join(venv, '.airflow-ml-lock.sha256')) ??
    String(fs.statSync(airflowBin).mtimeMs);
  const key = createHash('sha256')
    .update(`${fs.realpathSync(venv)}\n${stamp}`)
    .digest('hex')
    .slice(0, 16);
  const cacheDir = path.join(os.tmpdir(), 'airflow-ml-standalone-cache', key);
  const cached = path.join(cacheDir, 'airflow.db');
  if (reuse && fs.existsSync(cached)) {
    fs.copyFileSync(cached, dbPath);
    return;
  }
  log('running airflow db migrate');
  const r = await run(airflowBin, ['db', 'migrate'], { timeoutMs: 240_000 });
  if (r.code !== 0)
    throw new Error(
      `airflow db migrate failed (${r.code}):\n${lastLines(r.stdout + r.stderr, 30)}`,
    );
  // A leftover write-ahead log would mean the file alone is not the whole database.
  if (!reuse || fs.existsSync(`${dbPath}-wal`)) return;
  const staging = `${cacheDir}.${process.pid}.${randomBytes(3).toString('hex')}`;
  fs.mkdirSync(staging, { recursive: true });
  fs.copyFileSync(dbPath, path.join(staging, 'airflow.db'));
  try {
    fs.renameSync(staging, cacheDir);
  } catch {
    // Another process cached it first; theirs is as good.
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

async function waitHealthy(
  url: string,
  components: Component[],
  children: Map<string, ChildProcess>,
  timeoutMs: number,
  tail: (component: string, lines?: number) => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const key: Record<Component, string> = {
    scheduler: 'scheduler',
    'dag-processor': 'dag_processor',
    triggerer: 'triggerer',
  };
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    for (const [name, child] of children) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `Airflow ${name} exited (${child.exitCode ?? child.signalCode}) during startup:\n${tail(name)}`,
        );
      }
    }
    try {
      const res = await fetch(`${url}/api/v2/monitor/health`, {
        signal: AbortSignal.timeout(5000),
      });
      if (res.ok) {
        const health = (await res.json()) as Record<string, { status?: string | null } | null>;
        const waiting = [
          health.metadatabase?.status === 'healthy' ? '' : 'metadatabase',
          ...components.filter((c) => health[key[c]]?.status !== 'healthy'),
        ].filter(Boolean);
        if (waiting.length === 0) return;
        last = `waiting for ${waiting.join(', ')}`;
      } else {
        last = `health answered ${res.status}`;
      }
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const logs = ['api-server', ...components].map((c) => `--- ${c} ---\n${tail(c, 15)}`).join('\n');
  throw new Error(
    `Airflow did not become healthy at ${url} within ${timeoutMs / 1000} s (${last})\n${logs}`,
  );
}

function runProcess(
  bin: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      reject(
        new Error(`${path.basename(bin)} ${args.join(' ')} timed out after ${timeoutMs / 1000} s`),
      );
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/**
 * A detached shell that outlives a test runner killed hard (SIGKILL, a jest timeout) and
 * then ends the Airflow process groups, so an abandoned harness never keeps running.
 */
function startWatchdog(children: ChildProcess[]): ChildProcess {
  const script = [
    'owner=$1; shift',
    'while kill -0 "$owner" 2>/dev/null; do sleep 1; done',
    'for g in "$@"; do kill -TERM -- "-$g" 2>/dev/null; done',
    'sleep 15',
    'for g in "$@"; do kill -KILL -- "-$g" 2>/dev/null; done',
  ].join('\n');
  const pgids = children.flatMap((c) => (c.pid === undefined ? [] : [String(c.pid)]));
  const dog = spawn(
    'sh',
    ['-c', script, 'airflow-harness-watchdog', String(process.pid), ...pgids],
    {
      detached: true,
      stdio: 'ignore',
    },
  );
  dog.unref();
  return dog;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/**
 * SIGTERM the whole group (the component and its workers and task processes), give it 20 s
 * to shut down cleanly, then SIGKILL what is left. Polls the group rather than waiting for
 * the leader's exit event: workers can outlive their leader.
 */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined) return;
  killGroup(child, 'SIGTERM');
  if (await waitGroupGone(child.pid, 20_000)) return;
  killGroup(child, 'SIGKILL');
  await waitGroupGone(child.pid, 5_000);
}

async function waitGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** A lock folder holding its owner's pid; a dead owner's lock is taken over. */
async function acquireLock(timeoutMs: number, log: (line: string) => void): Promise<() => void> {
  const lock = path.join(os.tmpdir(), 'airflow-ml-standalone.lock');
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      let released = false;
      return () => {
        if (released) return;
        released = true;
        fs.rmSync(lock, { recursive: true, force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number(readIfExists(path.join(lock, 'pid')));
    if (owner && !isAlive(owner)) {
      fs.rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `another Airflow test harness (pid ${owner || '?'}) holds ${lock}; gave up after ${timeoutMs / 1000} s`,
      );
    }
    if (!announced) {
      log(`waiting for another Airflow test harness (pid ${owner || '?'}) to finish`);
      announced = true;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tailFile(file: string, lines: number): string {
  return lastLines(readIfExists(file) ?? '', lines);
}

function lastLines(text: string, n: number): string {
  return text.split('\n').slice(-n).join('\n');
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
