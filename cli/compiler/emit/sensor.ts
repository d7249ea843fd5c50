import type { SensorTask } from '../ir/types';
import { FS_CONN_ID } from './settings';
import { call, int, str, type Py } from './python';
import { queueArg, seconds } from './task';

/**
 * A readiness check as a FileSensor on fs_default, whose extra "path" is the data root as the
 * worker sees it; the spec's path is relative to it. Reschedule mode frees the worker slot
 * between pokes, and a timeout well under Airflow's 7-day default fails a stuck run the same day.
 */
export function sensorOperator(task: SensorTask): Py {
  return call('FileSensor', [
    ['task_id', str(task.id)],
    ['filepath', str(task.path)],
    ['fs_conn_id', str(FS_CONN_ID)],
    [
      'poke_interval',
      Number.isInteger(task.pokeIntervalSeconds)
        ? int(task.pokeIntervalSeconds)
        : seconds(task.pokeIntervalSeconds),
    ],
    [
      'timeout',
      Number.isInteger(task.timeoutSeconds)
        ? int(task.timeoutSeconds)
        : seconds(task.timeoutSeconds),
    ],
    ['mode', str(task.mode)],
    ...queueArg(task.queue),
  ]);
}
