import type { StepTask } from '../ir/types';
import { CONTAINER_DATA_ROOT } from './settings';
import { insideDataRootFunction } from './step-operator';
import { commandFor, queueArg, seconds } from './task';
import { bool, call, dict, int, list, name, str, strList, type Py } from './python';

/**
 * A step task as the cncf.kubernetes provider's KubernetesPodOperator (`runner: kubernetes`):
 * the same image, arguments, environment, CPU and memory as the DockerOperator, in a pod that
 * runs as the step user (never root) with a read-only root filesystem, no privilege
 * escalation and every capability dropped, the data root as a PersistentVolumeClaim at /data
 * (DATA_PVC, a deploy-time setting) and a private in-memory /tmp. The pod gets no service
 * account token (a step talks to nobody) and is deleted when it ends (its log is already in
 * the task log). The provider's KubernetesPodOperator has no template_ext, so no spec value
 * is read as a template file; the spec's allow-listed expressions are rendered as with Docker.
 */
/** The provider's class, under the name the pod task class below takes over. */
export const PROVIDER_POD_OPERATOR = 'ProviderKubernetesPodOperator';

/**
 * The KubernetesPodOperator the step tasks use: the provider's, refusing a rendered path
 * that leaves the data root before any pod is created, as the DockerOperator does.
 */
export function podOperatorClass(): string {
  return [
    ...insideDataRootFunction(),
    `class KubernetesPodOperator(${PROVIDER_POD_OPERATOR}):`,
    `    """The cncf.kubernetes provider's KubernetesPodOperator, for the step pods.`,
    '',
    '    A path argument is rendered when the task runs (a Variable may hold "../x"); one that',
    `    leaves ${CONTAINER_DATA_ROOT} fails the task before any pod is created.`,
    '    """',
    '',
    '    def execute(self, context):',
    '        outside = [a for a in self.arguments if not _inside_data_root(a)]',
    '        if outside:',
    '            raise AirflowFailException(',
    `                f"{self.task_id}: {outside[0]!r} leaves ${CONTAINER_DATA_ROOT}; paths must stay in the data root"`,
    '            )',
    '        return super().execute(context)',
    '',
  ].join('\n');
}

export function podOperator(task: StepTask, image: Py): Py {
  const resources = dict([
    [str('cpu'), str(k8sCpu(task.cpus))],
    [str('memory'), str(k8sMemory(task.memLimit))],
  ]);
  return call('KubernetesPodOperator', [
    ['task_id', str(task.id)],
    // A DNS-1123 name: the provider adds a random suffix per pod.
    ['name', str(`airflow-ml-${task.id.replace(/_/g, '-')}`)],
    ['namespace', name('NAMESPACE')],
    ['image', image],
    ['arguments', strList(commandFor(task))],
    ['env_vars', dict(task.environment.map((e) => [str(e.name), str(e.value)]))],
    ['labels', dict([[str('airflow-ml.step'), str('true')]])],
    // Requests equal to limits: the pod gets exactly what the spec asks (Guaranteed QoS).
    [
      'container_resources',
      call('k8s.V1ResourceRequirements', [
        ['limits', resources],
        ['requests', resources],
      ]),
    ],
    [
      'security_context',
      call('k8s.V1PodSecurityContext', [
        ['run_as_non_root', bool(true)],
        ['run_as_user', name('STEP_UID')],
        ['run_as_group', name('STEP_GID')],
        ['fs_group', name('STEP_GID')],
        ['seccomp_profile', call('k8s.V1SeccompProfile', [['type', str('RuntimeDefault')]])],
      ]),
    ],
    [
      'container_security_context',
      call('k8s.V1SecurityContext', [
        ['allow_privilege_escalation', bool(false)],
        ['read_only_root_filesystem', bool(true)],
        ['run_as_non_root', bool(true)],
        ['capabilities', call('k8s.V1Capabilities', [['drop', strList(['ALL'])]])],
      ]),
    ],
    [
      'volumes',
      list([
        call('k8s.V1Volume', [
          ['name', str('data')],
          [
            'persistent_volume_claim',
            call('k8s.V1PersistentVolumeClaimVolumeSource', [['claim_name', name('DATA_PVC')]]),
          ],
        ]),
        call('k8s.V1Volume', [
          ['name', str('tmp')],
          ['empty_dir', call('k8s.V1EmptyDirVolumeSource', [['medium', str('Memory')]])],
        ]),
      ]),
    ],
    [
      'volume_mounts',
      list([
        call('k8s.V1VolumeMount', [
          ['name', str('data')],
          ['mount_path', str(CONTAINER_DATA_ROOT)],
        ]),
        call('k8s.V1VolumeMount', [
          ['name', str('tmp')],
          ['mount_path', str('/tmp')],
        ]),
      ]),
    ],
    ['automount_service_account_token', bool(false)],
    ['on_finish_action', str('delete_pod')],
    ['get_logs', bool(true)],
    // Steps write files, not XComs (an XCom sidecar would add a container).
    ['do_xcom_push', bool(false)],
    ['retries', int(task.retries)],
    ['retry_delay', seconds(task.retryDelaySeconds)],
    ['execution_timeout', seconds(task.executionTimeoutSeconds)],
    ...queueArg(task.queue),
  ]);
}

/**
 * The project's own step images (built here, tagged `airflow-ml-<step>:<hash>`, no registry
 * part) may come from a registry the deployment names; a spec's `image:` and a prebuilt
 * `kind: image` step name their repository themselves (a "/" in the reference) and are pulled
 * as written.
 */
export function podImage(task: StepTask, tagged: string): Py {
  if (task.image !== undefined) return str(task.image);
  return tagged.includes('/') ? str(tagged) : call('step_image', [], [str(tagged)]);
}

/** Docker's memory syntax (validated: digits, then b, k, m or g) as a Kubernetes quantity. */
export function k8sMemory(dockerLimit: string): string {
  const unit = dockerLimit.slice(-1);
  const amount = dockerLimit.slice(0, -1);
  return unit === 'b' ? amount : `${amount}${unit.toUpperCase()}i`;
}

/** A CPU count as millicores ("0.5" -> "500m", at least 1m), the form Kubernetes prints back. */
export function k8sCpu(cpus: number): string {
  return `${Math.max(1, Math.round(cpus * 1000))}m`;
}
