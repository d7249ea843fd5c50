import type { AirflowStatus } from '../ops/airflow/health';
import type { RunSummary } from '../ops/airflow/runs';
import type { ConnectionResponse, VariableResponse } from '../ops/airflow/api-types';
import type { ContainerState } from '../ops/stack/services';

/**
 * The `--json` shapes of the read commands: the one place their field names are decided.
 * They are a public interface (README, "Machine-readable output"): add fields, never rename
 * or remove one. Names are snake_case like Airflow's API; absent values are null, not left out.
 */

export interface RunJson {
  run_id: string;
  logical_date: string | null;
  state: string;
  run_type: string;
  start_date: string | null;
  end_date: string | null;
  tasks: { task_id: string; state: string | null; try_number: number }[];
}

export function runsJson(runs: RunSummary[]): RunJson[] {
  return runs.map(({ run, tasks }) => ({
    run_id: run.dag_run_id,
    logical_date: run.logical_date,
    state: run.state,
    run_type: run.run_type,
    start_date: run.start_date,
    end_date: run.end_date,
    tasks: tasks.map((t) => ({ task_id: t.task_id, state: t.state, try_number: t.try_number })),
  }));
}

export interface StatusJson {
  url: string;
  version: string;
  /** Every component healthy (the exit code says the same: 1 when not). */
  healthy: boolean;
  components: { name: string; status: string; latest_heartbeat: string | null }[];
  /** Where failure alerts go and whether that answered, as `status` prints it. */
  alerts: string;
  /** Celery mode only: each worker container and the hostname its task instances record. */
  workers?: {
    name: string;
    hostname: string;
    queues: string[];
    status: string;
    health: string;
  }[];
}

export function statusJson(
  status: AirflowStatus,
  alerts: string,
  workers: ContainerState[] = [],
): StatusJson {
  return {
    url: status.url,
    version: status.version,
    healthy: status.healthy,
    alerts,
    components: status.components.map((c) => ({
      name: c.name,
      status: c.status,
      latest_heartbeat: c.latestHeartbeat,
    })),
    // Celery mode: each worker container, with the hostname its task instances record.
    ...(workers.length > 0
      ? {
          workers: workers.map((w) => ({
            name: w.name,
            hostname: w.hostname,
            queues: w.queues,
            status: w.status,
            health: w.health,
          })),
        }
      : {}),
  };
}

export interface ConnectionJson {
  connection_id: string;
  conn_type: string;
  host: string | null;
  port: number | null;
  login: string | null;
  schema: string | null;
  /** Whether a password is set; the password itself is never printed. */
  has_password: boolean;
  /** The extra JSON object, parsed; a string when Airflow holds something that is not JSON. */
  extra: unknown;
}

export function connectionsJson(connections: ConnectionResponse[]): ConnectionJson[] {
  return connections.map((c) => ({
    connection_id: c.connection_id,
    conn_type: c.conn_type,
    host: c.host ?? null,
    port: c.port ?? null,
    login: c.login ?? null,
    schema: c.schema ?? null,
    has_password: Boolean(c.password),
    extra: parseExtra(c.extra),
  }));
}

function parseExtra(extra: string | null | undefined): unknown {
  if (extra == null || extra === '') return null;
  try {
    return JSON.parse(extra) as unknown;
  } catch {
    return extra;
  }
}

export interface VariableJson {
  key: string;
  /** As stored (a string); "***" when Airflow masks a sensitive-looking key (then masked: true). */
  value: string | null;
  description: string | null;
  masked: boolean;
}

export function variableJson(v: VariableResponse): VariableJson {
  return {
    key: v.key,
    value: v.value ?? null,
    description: v.description,
    masked: v.value === '***',
  };
}

export interface ImageTagJson {
  step: string;
  image: string;
}

export function imageTagsJson(tags: Record<string, string>): ImageTagJson[] {
  return Object.keys(tags)
    .sort()
    .map((step) => ({ step, image: tags[step] }));
}
