import { CONTAINER_DATA_ROOT } from './settings';

/**
 * The step operator's class, emitted once into every DAG file that runs steps.
 *
 * The docker provider's DockerOperator (4.6) has no argument for several settings a step
 * container should have: no capabilities, no privilege escalation, a process limit, no swap,
 * a hard CPU cap (its `cpus` is only a relative weight), an init process as PID 1, and a
 * read-only root filesystem. This subclass adds them to the host config it sends to Docker;
 * everything else is the provider's code. It keeps the name DockerOperator, so the task type
 * in the UI and the assignment's "DockerOperator only" still read true.
 *
 * It classifies failures: a step's own verdict (exit 2, 3 or 4) fails the task at once
 * (AirflowFailException, no retry); anything else is retried. Either way the error names the
 * step's last output line, which the failure alert shows. And it refuses, before starting a
 * container, a rendered path that leaves the data root (a variable such as PROD_DIR="../x").
 *
 * It also empties `template_ext`: the provider reads any templated string ending in .sh,
 * .bash or .env as a template *file*, so a spec value such as "out/run.sh" would otherwise be
 * loaded and rendered as full Jinja. Only the spec's allow-listed expressions are templates.
 *
 * Every value here is a constant of airflow-ml; none comes from a spec.
 */

/** Most processes a step container may hold; node needs about a dozen threads. */
export const STEP_PIDS_LIMIT = 256;
/** The writable scratch space inside a step container; everything else but /data is read-only. */
export const STEP_TMPFS = { path: '/tmp', options: 'rw,noexec,nosuid,nodev,size=64m' } as const;

export const PROVIDER_OPERATOR = 'ProviderDockerOperator';

/**
 * Exit codes with which a step reports its own verdict (docker/steps/src/lib/errors.ts):
 * usage 2, input 3, check 4. They fail the task at once, without retries, so the alert is
 * immediate; anything else (a signal, an OOM kill, an engine error, an internal error) is
 * the infrastructure's and is retried.
 */
export const STEP_VERDICT_EXIT_CODES = [2, 3, 4] as const;

export function stepOperatorClass(): string {
  return [
    `STEP_PIDS_LIMIT = ${STEP_PIDS_LIMIT}`,
    `# A step's own verdicts (see docker/steps/README.md): bad flags, bad input, a failed gate.`,
    `STEP_VERDICT_EXIT_CODES = (${STEP_VERDICT_EXIT_CODES.join(', ')})`,
    '',
    '',
    'def _inside_data_root(arg):',
    `    if not arg.startswith("${CONTAINER_DATA_ROOT}/"):`,
    '        return True',
    `    return posixpath.normpath(arg).startswith("${CONTAINER_DATA_ROOT}/")`,
    '',
    '',
    `class DockerOperator(${PROVIDER_OPERATOR}):`,
    '    """The docker provider\'s DockerOperator with least-privileged step containers.',
    '',
    '    The provider has no arguments for these host settings, so they are added to the host',
    '    config it builds: all capabilities dropped, no-new-privileges, a pids limit, swap equal',
    '    to memory, a hard CPU cap, an init process (signals reach the step, zombies are reaped)',
    '    and a read-only root filesystem with a private /tmp. No templated value is ever read as',
    '    a template file: template_ext is empty.',
    '    """',
    '',
    '    template_ext = ()',
    '',
    '    @property',
    '    def cli(self):',
    '        return _LeastPrivilegeClient(super().cli, self)',
    '',
    '    def execute(self, context):',
    '        self.step_exit_code = None',
    `        outside = [a for a in self.command if not _inside_data_root(a)]`,
    '        if outside:',
    '            raise AirflowFailException(',
    `                f"{self.task_id}: {outside[0]!r} leaves ${CONTAINER_DATA_ROOT}; paths must stay in the data root"`,
    '            )',
    '        try:',
    '            return super().execute(context)',
    '        except DockerContainerFailedException as error:',
    '            lines = [str(line).strip() for line in error.logs or []]',
    '            last = next((line for line in reversed(lines) if line), "no output")',
    '            message = f"{self.task_id} exited {self.step_exit_code}: {last}"',
    '            if self.step_exit_code in STEP_VERDICT_EXIT_CODES:',
    '                # The step judged its input or a gate: a retry would fail the same way.',
    '                raise AirflowFailException(message) from error',
    '            raise DockerContainerFailedException(message, logs=error.logs) from error',
    '',
    '',
    'class _LeastPrivilegeClient:',
    '    """docker\'s APIClient, whose host configs always carry the settings above."""',
    '',
    '    def __init__(self, client, operator):',
    '        self._client = client',
    '        self._operator = operator',
    '',
    '    def __getattr__(self, name):',
    '        return getattr(self._client, name)',
    '',
    '    def wait(self, *args, **kwargs):',
    '        result = self._client.wait(*args, **kwargs)',
    '        self._operator.step_exit_code = result.get("StatusCode")',
    '        return result',
    '',
    '    def create_host_config(self, **kwargs):',
    '        return self._client.create_host_config(',
    '            **kwargs,',
    '            cap_drop=["ALL"],',
    '            security_opt=["no-new-privileges"],',
    '            pids_limit=STEP_PIDS_LIMIT,',
    '            memswap_limit=kwargs.get("mem_limit"),',
    '            nano_cpus=int(self._operator.cpus * 1_000_000_000),',
    '            init=True,',
    '            read_only=True,',
    `            tmpfs={"${STEP_TMPFS.path}": "${STEP_TMPFS.options}"},`,
    '        )',
    // ruff wants two blank lines after a class; sections are joined by one.
    '',
  ].join('\n');
}
