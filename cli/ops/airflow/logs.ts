import type { AirflowClient } from './client';
import { apiPaths } from './paths';
import type { StructuredLogMessage, TaskInstanceResponse, TaskLogResponse } from './api-types';

export interface TaskLogRequest {
  dagId: string;
  runId: string;
  taskId: string;
  /** Default: the task instance's latest try. */
  tryNumber?: number;
  mapIndex?: number;
}

export interface TaskLog {
  tryNumber: number;
  lines: string[];
}

/** A task's log for one try, as plain text lines. */
export async function fetchTaskLog(client: AirflowClient, req: TaskLogRequest): Promise<TaskLog> {
  let tryNumber = req.tryNumber;
  if (tryNumber === undefined) {
    const ti = await client.get<TaskInstanceResponse>(
      apiPaths.taskInstance(req.dagId, req.runId, req.taskId),
    );
    // A task that never started has try 0 and no log; show try 1's (empty) answer then.
    tryNumber = Math.max(1, ti.try_number);
  }
  const res = await client.get<TaskLogResponse>(
    apiPaths.taskLog(req.dagId, req.runId, req.taskId, tryNumber),
    { query: { full_content: true, map_index: req.mapIndex ?? -1 } },
  );
  return { tryNumber, lines: res.content.flatMap(formatLogMessage) };
}

/**
 * One log entry as text. The spec defines only `event` and `timestamp`; Airflow 3's
 * structlog handler also writes `level` and, for exceptions, `error_detail` (extra keys the
 * schema allows as unknown), so those are read defensively. Older or remote handlers give
 * plain strings. The `::group::` markers only fold sections in the UI, so they are dropped.
 */
export function formatLogMessage(m: StructuredLogMessage | string): string[] {
  if (typeof m === 'string') return m.split(/\r?\n/);
  if (m.event === '::endgroup::') return [];
  const event = m.event.startsWith('::group::') ? m.event.slice('::group::'.length) : m.event;
  const level = typeof m.level === 'string' && m.level ? `[${m.level}]` : undefined;
  const head = [m.timestamp, level, event].filter(Boolean).join(' ');
  const lines = head.split(/\r?\n/);
  for (const err of records(m.error_detail)) {
    for (const f of records(err.frames))
      lines.push(`  File "${text(f.filename)}", line ${text(f.lineno)}, in ${text(f.name)}`);
    lines.push(`${text(err.exc_type) || 'Error'}: ${text(err.exc_value)}`);
  }
  return lines;
}

/** The objects in `value` when it is an array (anything else: none). */
function records(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value)) return [];
  return value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null);
}

function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/** The last `n` lines, for error messages. */
export function tail(lines: string[], n = 30): string[] {
  return lines.slice(Math.max(0, lines.length - n));
}
