import type { ConnectionBody } from '../airflow/api-types';
import type { Pipeline } from '../../compiler/ir/types';
import type { BundleCommit } from './bundle-repo';
import type { FirstRun } from './first-runs';

/**
 * The compile seam. Deploy calls this instead of importing the compiler, so tests can deploy
 * hand-written DAG files and the CLI wires in the real compiler (cli/commands/deploy.ts).
 * Keys are file names relative to the DAGs folder, e.g. "train_model.py"; each `.py` file
 * holds the DAG whose dag_id is its file name without ".py" (the compiler's convention).
 */
export interface CompiledDags {
  files: Map<string, string>;
  /**
   * The spec folder they were compiled from, relative to the project root. When set, a file
   * in the DAGs folder that was not generated from it is never overwritten (dag-folder.ts).
   */
  specsDir?: string;
  /** The compiled pipelines (the IR), for first runs (first-runs.ts); hand-made files have none. */
  pipelines?: Pipeline[];
}
export type CompileFn = () => Promise<CompiledDags> | CompiledDags;

export type FileAction = 'create' | 'update' | 'unchanged';

export interface PlannedFile {
  name: string;
  /** The DAG this file must produce; undefined for non-Python files. */
  dagId: string | undefined;
  action: FileAction;
  content: string;
}

export interface PlannedVariable {
  key: string;
  value: string;
  /** 'skip' keeps a value someone set on purpose (PROD_DIR after a model promotion). */
  onExistence: 'overwrite' | 'skip';
}

/** Everything deploy will do, as plain data: tests assert on it, --dry-run prints it. */
export interface DeployPlan {
  dagsFolder: string;
  /**
   * The git repository the DAGs folder is committed to after it is written: the versioned
   * DAG bundle the compose stack reads (bundle-repo.ts). Undefined: no commit.
   */
  bundleRepo?: string;
  files: PlannedFile[];
  /** Files in the DAGs folder that deploy must not replace; apply refuses to start. */
  conflicts: { name: string; reason: string }[];
  /** The spec folder the files came from, if known (see CompiledDags.specsDir). */
  specsDir?: string;
  dagIds: string[];
  variables: PlannedVariable[];
  connections: ConnectionBody[];
  /** Things deliberately left alone, with the reason. */
  notes: string[];
  unpause: boolean;
  /**
   * Before unpausing DAGs that never ran, trigger the runs that write their first scheduled
   * runs' inputs (first-runs.ts). These pipelines are the ones to look at; empty: off.
   */
  firstRunsFor: Pipeline[];
}

export type DeployPhase =
  'compile' | 'variables' | 'connections' | 'copy' | 'bundle' | 'parse' | 'first-runs' | 'unpause';

export interface DeployEvent {
  phase: DeployPhase;
  message: string;
}

export interface DeployResult {
  written: string[];
  unchanged: string[];
  /** The bundle commit the DAGs folder is at after this deploy, when plan.bundleRepo is set. */
  bundle?: BundleCommit;
  variablesWritten: string[];
  variablesKept: string[];
  connections: string[];
  parsed: string[];
  unpaused: string[];
  alreadyUnpaused: string[];
  /** Runs triggered so that first scheduled runs find their inputs (first-runs.ts). */
  firstRuns: FirstRun[];
}
