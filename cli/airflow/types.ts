/**
 * The parts of Airflow 3.3 REST API v2 responses we use (see the api-server's
 * v2-rest-api-generated.yaml). Fields we do not read are left out on purpose.
 */

export interface VariableResponse {
  key: string;
  /** Stored string; Airflow shows "***" for keys that look sensitive. */
  value: string | null;
  description: string | null;
  is_encrypted: boolean;
}

export interface VariableCollection {
  variables: VariableResponse[];
  total_entries: number;
}

export interface ConnectionBody {
  connection_id: string;
  conn_type: string;
  description?: string | null;
  host?: string | null;
  login?: string | null;
  schema?: string | null;
  port?: number | null;
  password?: string | null;
  /** A JSON object serialised as a string. */
  extra?: string | null;
}

export interface ConnectionResponse extends ConnectionBody {
  description: string | null;
  host: string | null;
  login: string | null;
  schema: string | null;
  port: number | null;
  password: string | null;
  extra: string | null;
}

export interface ConnectionCollection {
  connections: ConnectionResponse[];
  total_entries: number;
}

export interface BulkActionResponse {
  success: string[];
  errors: Record<string, unknown>[];
}

export interface BulkResponse {
  create?: BulkActionResponse | null;
  update?: BulkActionResponse | null;
  delete?: BulkActionResponse | null;
}

export interface DagResponse {
  dag_id: string;
  is_paused: boolean;
  is_stale: boolean;
  last_parsed_time: string | null;
  relative_fileloc: string | null;
  fileloc: string;
  has_import_errors: boolean;
  bundle_name: string | null;
  /** The bundle commit its last parse read (null for an unversioned DAGs folder). */
  bundle_version?: string | null;
  file_token: string;
}

export interface DagCollection {
  dags: DagResponse[];
  total_entries: number;
}

export interface ImportErrorResponse {
  import_error_id: number;
  timestamp: string;
  /** Relative to the bundle root, e.g. "train.py". */
  filename: string;
  bundle_name: string | null;
  stack_trace: string;
}

export interface ImportErrorCollection {
  import_errors: ImportErrorResponse[];
  total_entries: number;
}

export type DagRunState = 'queued' | 'running' | 'success' | 'failed';

export interface DagRunResponse {
  dag_run_id: string;
  dag_id: string;
  logical_date: string | null;
  queued_at: string | null;
  start_date: string | null;
  end_date: string | null;
  run_after: string;
  run_type: string;
  state: DagRunState;
  /** The versions its task instances ran; one when the bundle is versioned (the stack's). */
  dag_versions?: DagVersionResponse[];
  /** The bundle commit the run is pinned to (null for an unversioned DAGs folder). */
  bundle_version?: string | null;
}

export interface DagVersionCollection {
  dag_versions: DagVersionResponse[];
  total_entries: number;
}

/** One version of a DAG's code: Airflow numbers them 1, 2, ... per DAG as the code changes. */
export interface DagVersionResponse {
  id: string;
  version_number: number;
  dag_id: string;
  bundle_name: string | null;
  bundle_version: string | null;
  created_at: string;
}

export interface DagRunCollection {
  dag_runs: DagRunResponse[];
  total_entries?: number | null;
}

export interface TaskInstanceResponse {
  task_id: string;
  dag_run_id: string;
  map_index: number;
  state: string | null;
  try_number: number;
  start_date: string | null;
  end_date: string | null;
  duration: number | null;
  /** The DAG version this task instance ran (or will run). */
  dag_version?: DagVersionResponse | null;
}

export interface TaskInstanceCollection {
  task_instances: TaskInstanceResponse[];
  total_entries?: number | null;
}

export interface StructuredLogMessage {
  event: string;
  timestamp?: string;
  level?: string;
  logger?: string;
  error_detail?: {
    exc_type?: string;
    exc_value?: string;
    frames?: { filename?: string; lineno?: number; name?: string }[];
  }[];
  [key: string]: unknown;
}

export interface TaskLogResponse {
  content: (StructuredLogMessage | string)[];
  continuation_token: string | null;
}

export interface ComponentHealth {
  status: string | null;
  latest_scheduler_heartbeat?: string | null;
  latest_triggerer_heartbeat?: string | null;
  latest_dag_processor_heartbeat?: string | null;
}

export interface HealthResponse {
  metadatabase: { status: string | null };
  scheduler: ComponentHealth;
  triggerer: ComponentHealth;
  dag_processor?: ComponentHealth | null;
}

export interface VersionResponse {
  version: string;
  git_version: string | null;
}

export type ReprocessBehavior = 'failed' | 'completed' | 'none';

export interface BackfillResponse {
  id: number;
  dag_id: string;
  from_date: string;
  to_date: string;
  is_paused: boolean;
  reprocess_behavior: ReprocessBehavior;
  max_active_runs: number;
  created_at: string;
  completed_at: string | null;
}

export interface BackfillCollection {
  backfills: BackfillResponse[];
  total_entries: number;
}

export interface DryRunBackfillCollection {
  backfills: { logical_date: string | null }[];
  total_entries: number;
}
