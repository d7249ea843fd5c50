import type { StepTask } from '../ir/types';
import { CONTAINER_DATA_ROOT } from './settings';
import { call, float, int, list, name, str, strList, dict, type Py } from './python';

/**
 * A step task as a DockerOperator with safe defaults: no network, a non-root user, memory
 * and CPU limits, the data root as the only mount, no temp-dir bind (it would name a worker
 * path that does not exist on the Docker host), and the container removed whatever the outcome
 * (its output is already in the task log).
 */
export function stepOperator(task: StepTask, image: string): Py {
  return call('DockerOperator', [
    ['task_id', str(task.id)],
    ['image', str(image)],
    ['command', strList(commandFor(task))],
    ['environment', dict(task.environment.map((e) => [str(e.name), str(e.value)]))],
    [
      'mounts',
      list([
        call('Mount', [
          ['source', name('DATA_ROOT')],
          ['target', str(CONTAINER_DATA_ROOT)],
          ['type', str('bind')],
        ]),
      ]),
    ],
    ['mount_tmp_dir', name('False')],
    ['auto_remove', str('force')],
    // Steps write files, not XComs; the last log line is not a result worth storing.
    ['do_xcom_push', name('False')],
    ['network_mode', str('none')],
    ['user', name('STEP_USER')],
    ['mem_limit', str(task.memLimit)],
    ['cpus', float(task.cpus)],
    ['retries', int(task.retries)],
    ['retry_delay', seconds(task.retryDelaySeconds)],
    ['execution_timeout', seconds(task.executionTimeoutSeconds)],
    ...queueArg(task.queue),
  ]);
}

/** `queue=` only when the spec names one, so specs without queues compile as before. */
export function queueArg(queue: string | undefined): [string, Py][] {
  return queue === undefined ? [] : [['queue', str(queue)]];
}

/** The step's argv: inputs and outputs as container paths, then params, then the run's date. */
export function commandFor(task: StepTask): string[] {
  const args: string[] = [];
  for (const { name: flag, value } of [...task.inputs, ...task.outputs]) {
    args.push(`--${flag}`, `${CONTAINER_DATA_ROOT}/${value}`);
  }
  for (const { name: flag, value } of task.params) args.push(`--${flag}`, value);
  args.push('--ds', '{{ ds }}');
  return args;
}

export function seconds(value: number): Py {
  return call('timedelta', [['seconds', Number.isInteger(value) ? int(value) : float(value)]]);
}
