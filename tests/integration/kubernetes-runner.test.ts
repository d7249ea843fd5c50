import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { compileToFolder } from '../../cli/compiler/compile-folder';
import { compileProject } from '../../cli/compiler/project';
import { ROOT, VENV_PYTHON } from '../support/python';

/**
 * The Kubernetes runner (issue 17) without a cluster: the golden case `kubernetes` and the
 * project's own specs compiled with `runner: kubernetes` load in a real Airflow DagBag; each
 * task's pod is built by the cncf.kubernetes provider's own code (build_pod_request_obj, dry
 * run) after its fields are rendered as a task run renders them (tests/python/render_pods.py);
 * the pods are asserted field by field and validated against the Kubernetes v1.36 Pod schema
 * (strict: unknown fields are errors), vendored by scripts/vendor-k8s-pod-schema.py.
 */

interface Pod {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: {
    containers: { image: string; args: string[]; env: { name: string; value: string }[] }[];
  } & Record<string, unknown>;
}
interface Rendered {
  import_errors: Record<string, string>;
  pods: Record<string, Pod>;
  executed: Record<string, string>;
}

const GOLDEN = path.join(
  ROOT,
  'tests',
  'golden',
  'cases',
  'kubernetes',
  'expected',
  'kubernetes.py',
);
const SCHEMA = path.join(ROOT, 'tests', 'fixtures', 'kubernetes', 'pod-v1.36.0-strict.json');
const CONTEXT = {
  ds: '2026-01-05',
  ds_nodash: '20260105',
  run_id: 'manual__2026-01-05T00:00:00+00:00',
  variables: { PROD_DIR: 'models/2026-01-04/train_model__manual' },
  ti: { try_number: 1 },
};
/** The deploy-time settings the DAG files read (docs/scale-out.md). */
const SETTINGS = {
  AIRFLOW_ML_DATA_PVC: 'ml-data',
  AIRFLOW_ML_K8S_NAMESPACE: 'ml-steps',
  AIRFLOW_ML_IMAGE_REGISTRY: 'registry.example.com/ml/',
  AIRFLOW_ML_STEP_USER: '1001:1002',
};

let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'airflow-ml-k8s-'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function renderPods(file: string, context = CONTEXT, execute = false): Rendered {
  const out = execFileSync(VENV_PYTHON, [path.join(ROOT, 'tests', 'python', 'render_pods.py')], {
    input: JSON.stringify({ file, context, execute }),
    env: {
      ...process.env,
      ...SETTINGS,
      AIRFLOW_HOME: path.join(work, 'home'),
      AIRFLOW__CORE__LOAD_EXAMPLES: 'false',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out.toString('utf8')) as Rendered;
}

const validatePod = (() => {
  // Formats (int32, int-or-string, ...) are OpenAPI's, not JSON Schema's: not checked here.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  return ajv.compile(JSON.parse(fs.readFileSync(SCHEMA, 'utf8')));
})();

function schemaErrors(pod: unknown): string[] {
  return validatePod(pod)
    ? []
    : (validatePod.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

/** What every step pod has, whatever the step. */
function podSpec(container: Record<string, unknown>): Record<string, unknown> {
  return {
    affinity: {},
    automountServiceAccountToken: false,
    containers: [
      {
        command: [],
        envFrom: [],
        name: 'base',
        ports: [],
        terminationMessagePolicy: 'File',
        securityContext: {
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
        },
        volumeMounts: [
          { mountPath: '/data', name: 'data' },
          { mountPath: '/tmp', name: 'tmp' },
        ],
        ...container,
      },
    ],
    hostNetwork: false,
    imagePullSecrets: [],
    initContainers: [],
    nodeSelector: {},
    restartPolicy: 'Never',
    securityContext: {
      fsGroup: 1002,
      runAsGroup: 1002,
      runAsNonRoot: true,
      runAsUser: 1001,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    tolerations: [],
    volumes: [
      { name: 'data', persistentVolumeClaim: { claimName: 'ml-data' } },
      { emptyDir: { medium: 'Memory' }, name: 'tmp' },
    ],
  };
}

function metadata(task: string) {
  return {
    annotations: {},
    labels: { 'airflow-ml.step': 'true', airflow_version: '3.3.2' },
    // The provider adds a random 8-character suffix per pod.
    name: expect.stringMatching(new RegExp(`^airflow-ml-${task.replace(/_/g, '-')}-[a-z0-9]{8}$`)),
    namespace: 'ml-steps',
  };
}

function resources(cpu: string, memory: string) {
  return { limits: { cpu, memory }, requests: { cpu, memory } };
}

describe('runner: kubernetes (golden case)', () => {
  let rendered: Rendered;
  beforeAll(() => {
    rendered = renderPods(GOLDEN);
  }, 120_000);

  it('loads in a DagBag and builds one pod per step task (the sensor stays a FileSensor)', () => {
    expect(rendered.import_errors).toEqual({});
    expect(Object.keys(rendered.pods).sort()).toEqual([
      'kubernetes.custom_validate',
      'kubernetes.preprocess',
      'kubernetes.train',
    ]);
  });

  it('builds each pod with the same image, arguments, environment, CPU and memory as the spec', () => {
    const d = '/data';
    expect(rendered.pods['kubernetes.preprocess']).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: metadata('preprocess'),
      spec: podSpec({
        args: [
          '--data',
          `${d}/raw/2026-01-05/data.csv`,
          '--target',
          `${d}/raw/2026-01-05/target.csv`,
          '--out-dir',
          `${d}/processed/2026-01-05`,
          '--ds',
          '2026-01-05',
        ],
        env: [{ name: 'LOG_LEVEL', value: 'info' }],
        image: 'registry.example.com/ml/airflow-ml-preprocess:golden',
        resources: resources('500m', '512Mi'),
      }),
    });
    expect(rendered.pods['kubernetes.train']).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: metadata('train'),
      spec: podSpec({
        // A value ending in .json is an argument, not a template file.
        args: [
          '--in-dir',
          `${d}/processed/2026-01-05`,
          '--transform',
          `${d}/processed/2026-01-05/transform.json`,
          '--model',
          `${d}/models/2026-01-05/model.json`,
          '--c',
          '0.5',
          '--ds',
          '2026-01-05',
        ],
        env: [
          { name: 'LOG_LEVEL', value: 'info' },
          { name: 'RUN_DATE', value: '2026-01-05' },
        ],
        image: 'registry.example.com/ml/airflow-ml-train:golden',
        resources: resources('2000m', '2Gi'),
      }),
    });
    // A spec's own image is used as written: no registry prefix.
    expect(rendered.pods['kubernetes.custom_validate'].spec.containers[0].image).toBe(
      'registry.example.com/ml/validate:1.0',
    );
  });

  it('validates every pod against the pinned Kubernetes v1.36 Pod schema', () => {
    for (const [task, pod] of Object.entries(rendered.pods)) {
      expect({ task, errors: schemaErrors(pod) }).toEqual({ task, errors: [] });
    }
  });

  it('the schema check bites: a pod with a wrong type or an unknown field is rejected', () => {
    const pod = structuredClone(rendered.pods['kubernetes.preprocess']);
    (pod.spec.securityContext as Record<string, unknown>).runAsNonRoot = 'yes';
    (pod.spec.containers[0] as unknown as Record<string, unknown>).privileged = true;
    expect(schemaErrors(pod)).toEqual([
      '/spec/containers/0 must NOT have additional properties',
      '/spec/securityContext/runAsNonRoot must be boolean,null',
    ]);
  });
});

test("the project's specs compiled with --runner kubernetes load and build valid pods", () => {
  const result = compileProject({ root: ROOT, runner: 'kubernetes' });
  expect(result.diagnostics).toEqual([]);
  const dags = path.join(work, 'dags');
  fs.mkdirSync(dags);
  for (const [file, content] of result.files) fs.writeFileSync(path.join(dags, file), content);
  const rendered = renderPods(dags);
  expect(rendered.import_errors).toEqual({});
  const steps = result.pipelines.flatMap((p) =>
    p.tasks.filter((t) => t.kind === 'step').map((t) => `${p.dagId}.${t.id}`),
  );
  expect(Object.keys(rendered.pods).sort()).toEqual(steps.sort());
  for (const [task, pod] of Object.entries(rendered.pods)) {
    expect({ task, errors: schemaErrors(pod) }).toEqual({ task, errors: [] });
    expect({ task, user: pod.spec.securityContext }).toEqual({
      task,
      user: {
        fsGroup: 1002,
        runAsGroup: 1002,
        runAsNonRoot: true,
        runAsUser: 1001,
        seccompProfile: { type: 'RuntimeDefault' },
      },
    });
  }
}, 120_000);

test('a rendered path that leaves the data root fails the task before any pod is made', () => {
  // PROD_DIR is read when predict runs; "../../etc" would put its model path outside /data.
  const dags = path.join(work, 'dags-escape');
  fs.mkdirSync(dags);
  const result = compileProject({ root: ROOT, runner: 'kubernetes' });
  fs.writeFileSync(path.join(dags, 'predict.py'), result.files.get('predict.py') as string);
  const hostile = { ...CONTEXT, variables: { PROD_DIR: '../../etc' } };
  const rendered = renderPods(dags, hostile, true);
  expect(rendered.executed['predict.predict']).toBe(
    "AirflowFailException: predict: '/data/../../etc/model.json' leaves /data; paths must stay in the data root",
  );
  // With the Variable inside the data root the check passes, and the task goes on to reach
  // for a cluster (none here).
  const fine = renderPods(dags, CONTEXT, true).executed['predict.predict'];
  expect(fine.startsWith('AirflowFailException')).toBe(false);
}, 120_000);

test('compile --runner takes docker or kubernetes, nothing else', () => {
  expect(() =>
    compileToFolder({ root: ROOT, specs: 'dag-specs', out: 'airflow/dags', runner: 'k8s' }),
  ).toThrow('--runner must be docker or kubernetes, not "k8s"');
});
