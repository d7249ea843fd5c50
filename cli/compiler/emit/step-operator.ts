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
 * It makes a task instance's container findable and never doubled: the container is named after
 * the task instance (dag, run, task, map index; not the try) and labelled with it and the try.
 * A try first force-removes a container of that name, which an earlier try left behind when it
 * died with its scheduler (running or not), so two tries never run side by side; the stack's
 * step reaper (docker/stack/step-reaper.py) removes what no later try cleans up.
 *
 * Engine faults are not the step's: a refused or dropped connection to the engine, or an
 * engine-side 5xx, is retried inside the same try (after each of ENGINE_RETRY_PAUSES_S), so a
 * Docker daemon restart does not spend the task's retries (docker/steps/README.md).
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
 * The run-time check both step operators make on their rendered arguments: a path under
 * the data root must stay there once normalised (a Variable such as PROD_DIR="../x" is only
 * known when the task runs). Lines of Python, ending with the two blank lines after a def.
 */
export function insideDataRootFunction(): string[] {
  return [
    'def _inside_data_root(arg):',
    `    if not arg.startswith("${CONTAINER_DATA_ROOT}/"):`,
    '        return True',
    `    return posixpath.normpath(arg).startswith("${CONTAINER_DATA_ROOT}/")`,
    '',
    '',
  ];
}

/**
 * The step container's name and labels: `airflow-ml-step-<hash>-t<try>`, the hash over the
 * deployment (STACK_ID_ENV) and the task instance. The socket proxy lets the scheduler remove
 * a container by a name of this form only, and the reaper lists containers by STEP_LABEL and
 * its deployment's STACK_LABEL (docker/stack/socket-proxy/haproxy.cfg,
 * docker/stack/step-reaper.py).
 */
export const STEP_CONTAINER_PREFIX = 'airflow-ml-step-';
/** Hex digits of the SHA-256 of deployment and task instance in the container name. */
export const STEP_CONTAINER_HASH_LENGTH = 24;
export const STEP_LABEL = 'airflow-ml.step';
export const STACK_LABEL = 'airflow-ml.stack';
/** Which deployment runs the steps (the compose project in the stack; unset elsewhere). */
export const STACK_ID_ENV = 'AIRFLOW_ML_STACK_ID';
/** The socket proxy's answer for a container it does not know: one created before it restarted. */
export const PROXY_REFUSAL = 'this Docker API call is not allowed';
/** Pauses (s) before an engine call sequence is tried again inside one task try. */
export const ENGINE_RETRY_PAUSES_S = [5, 10, 20] as const;

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
    `STEP_CONTAINER_PREFIX = "${STEP_CONTAINER_PREFIX}"`,
    `STEP_LABEL = "${STEP_LABEL}"`,
    `# The deployment (the compose project in the stack): keeps the reaper and the container names`,
    `# of deployments that share one Docker Engine apart.`,
    `STACK_ID = os.environ.get("${STACK_ID_ENV}", "")`,
    `# Engine faults (connection refused or dropped, a 5xx, a restarted socket proxy that no`,
    `# longer knows the container) are retried inside the try.`,
    `ENGINE_RETRY_PAUSES = (${ENGINE_RETRY_PAUSES_S.join(', ')})`,
    `PROXY_REFUSAL = "${PROXY_REFUSAL}"`,
    '',
    '',
    'def _step_container_name(ti, try_number):',
    '    key = "\\x00".join((STACK_ID, ti.dag_id, ti.run_id, ti.task_id, str(ti.map_index)))',
    `    digest = hashlib.sha256(key.encode()).hexdigest()[:${STEP_CONTAINER_HASH_LENGTH}]`,
    '    return f"{STEP_CONTAINER_PREFIX}{digest}-t{try_number}"',
    '',
    '',
    'def _step_labels(ti):',
    '    return {',
    '        STEP_LABEL: "true",',
    `        "${STACK_LABEL}": STACK_ID,`,
    '        "airflow-ml.dag_id": ti.dag_id,',
    '        "airflow-ml.run_id": ti.run_id,',
    '        "airflow-ml.task_id": ti.task_id,',
    '        "airflow-ml.map_index": str(ti.map_index),',
    '        "airflow-ml.try_number": str(ti.try_number),',
    '    }',
    '',
    '',
    'def _engine_fault(error):',
    '    if isinstance(error, EngineConnectionError):',
    '        return True',
    '    if not isinstance(error, APIError):',
    '        return False',
    '    forgotten = error.status_code == 403 and PROXY_REFUSAL in str(error)',
    '    return error.is_server_error() or forgotten',
    '',
    '',
    ...insideDataRootFunction(),
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
    `        outside = [a for a in self.command if not _inside_data_root(a)]`,
    '        if outside:',
    '            raise AirflowFailException(',
    `                f"{self.task_id}: {outside[0]!r} leaves ${CONTAINER_DATA_ROOT}; paths must stay in the data root"`,
    '            )',
    '        ti = context["ti"]',
    '        self.container_name = _step_container_name(ti, ti.try_number)',
    '        self.labels = _step_labels(ti)',
    '        for pause in (*ENGINE_RETRY_PAUSES, None):',
    '            self.step_exit_code = None',
    '            try:',
    '                self._connect_engine()',
    '                self._remove_left_containers(ti)',
    '                return self._run_step(context)',
    '            except (EngineConnectionError, APIError) as error:',
    '                if self.step_exit_code is not None:',
    '                    # The step ran to its end: never run it again for a cleanup fault.',
    '                    return self._ended_but_not_removed(error)',
    '                if pause is None or not _engine_fault(error):',
    '                    raise',
    '                self.log.warning(',
    '                    "Docker Engine fault, not the step\'s: %s; again in %s s",',
    '                    error,',
    '                    pause,',
    '                )',
    '                time.sleep(pause)',
    '',
    '    def _connect_engine(self):',
    '        # The hook pings the engine once; when none answers it raises a bare AirflowException.',
    '        try:',
    '            return self.hook.get_conn()',
    '        except AirflowException as error:',
    '            raise EngineConnectionError(str(error)) from error',
    '',
    '    def _remove_left_containers(self, ti):',
    '        # A try that died with its scheduler leaves its container, maybe still running;',
    "        # so may this try's own earlier attempt. None may run beside this one.",
    '        for try_number in range(ti.try_number, 0, -1):',
    '            name = _step_container_name(ti, try_number)',
    '            try:',
    '                self.cli.remove_container(name, force=True)',
    '            except NotFound:',
    '                continue',
    '            self.log.warning("Removed container %s, left by an earlier try", name)',
    '',
    '    def _ended_but_not_removed(self, error):',
    '        code = self.step_exit_code',
    '        self.log.warning(',
    '            "%s exited %s; its container stays (the reaper removes it): %s",',
    '            self.container_name,',
    '            code,',
    '            error,',
    '        )',
    '        if code == 0:',
    '            return',
    '        message = f"{self.task_id} exited {code} (its output is in the log above)"',
    '        if code in STEP_VERDICT_EXIT_CODES:',
    '            raise AirflowFailException(message) from error',
    '        raise DockerContainerFailedException(message) from error',
    '',
    '    def _run_step(self, context):',
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
