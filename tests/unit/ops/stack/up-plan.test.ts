import { describeUpPlan, planUp, type UpFacts } from '../../../../cli/ops/stack/up-plan';
import { LOCAL } from '../../../../cli/ops/stack/executor';

/** planUp is pure: the same facts give the same plan, and nothing is read or written. */
const FIXED = { fernetKey: () => 'F'.repeat(43) + '=', token: (n: number) => `t${n}` };

function facts(over: Partial<UpFacts> = {}): UpFacts {
  return {
    root: '/p',
    envFile: '/p/.env',
    envFileExists: true,
    fileEnv: new Map([
      ['AIRFLOW_PORT', '8080'],
      ['POSTGRES_IMAGE', 'airflow-ml-local/postgres:15'],
    ]),
    processEnv: { AIRFLOW_USERNAME: 'me' },
    dockerGid: 998,
    databaseExists: false,
    uid: 1001,
    gid: 1002,
    presentImages: new Set(['apache/airflow:3.3.2', 'haproxy:3.2.6', 'airflow-ml-train:abc']),
    airflowIsStandIn: false,
    stepImages: ['airflow-ml-train:abc', 'airflow-ml-generate:def'],
    composeUp: ['docker', 'compose', '--project-name', 'airflow-ml', 'up', '--detach'],
    dags: ['generate_data', 'predict'],
    healthTimeoutMs: 300_000,
    choice: LOCAL,
    workerContainers: [],
    tasks: [],
    ...over,
  };
}

test('the plan: settings to add, images to reuse, pull or build, compose, services, deploy', () => {
  expect(planUp(facts(), FIXED)).toEqual({
    envFile: '/p/.env',
    createEnvFile: false,
    settings: [
      ['FERNET_KEY', `${'F'.repeat(43)}=`],
      ['COMPOSE_PROJECT_NAME', 'airflow-ml'],
      ['AIRFLOW__API_AUTH__JWT_SECRET', 't32'],
      ['AIRFLOW_UID', '1001'],
      ['DOCKER_GID', '998'],
      ['AIRFLOW_ML_DATA_ROOT', '/p/data'],
      ['AIRFLOW_ML_STEP_USER', '1001:1002'],
      ['AIRFLOW_URL', 'http://localhost:8080'],
      ['AIRFLOW_PASSWORD', 't12'],
      ['REDIS_PASSWORD', 't18'],
      ['POSTGRES_PASSWORD', 't18'],
      ['AIRFLOW_ML_SECRETS_DIR', '/p/.secrets'],
    ],
    secretKeys: [
      'FERNET_KEY',
      'AIRFLOW__API_AUTH__JWT_SECRET',
      'POSTGRES_PASSWORD',
      'AIRFLOW_PASSWORD',
      'SMTP_PASSWORD',
      'REDIS_PASSWORD',
    ],
    stackImages: [
      { name: 'AIRFLOW_IMAGE_NAME', image: 'apache/airflow:3.3.2', action: 'reuse' },
      { name: 'POSTGRES_IMAGE', image: 'airflow-ml-local/postgres:15', action: 'build' },
      { name: 'DOCKER_PROXY_IMAGE', image: 'haproxy:3.2.6', action: 'reuse' },
      {
        name: 'MAIL_SINK_IMAGE',
        image: 'axllent/mailpit:v1.34.0',
        action: 'pull',
        standIn: 'airflow-ml-local/mail-sink:bookworm',
      },
      {
        name: 'AIRFLOW_ML_NODE_BASE',
        image: 'node:20-bookworm-slim',
        action: 'pull',
        standIn: 'airflow-ml-local/node:bookworm',
      },
    ],
    stepImages: [
      { name: 'airflow-ml-generate:def', image: 'airflow-ml-generate:def', action: 'build' },
      { name: 'airflow-ml-train:abc', image: 'airflow-ml-train:abc', action: 'reuse' },
    ],
    compose: ['docker', 'compose', '--project-name', 'airflow-ml', 'up', '--detach'],
    services: [
      'postgres',
      'docker-proxy',
      'airflow-apiserver',
      'airflow-scheduler',
      'airflow-dag-processor',
      'airflow-triggerer',
      'mail-sink',
      'step-reaper',
    ],
    initService: 'airflow-init',
    healthTimeoutMs: 300_000,
    deploy: ['generate_data', 'predict'],
    executor: 'executor: local (the scheduler runs the tasks)',
    removeWorkers: [],
    warnings: [],
  });
});

test('Celery mode warns of a task queue no worker serves, and says which flags would serve it', () => {
  const tasks = [
    { dagId: 'train', taskId: 'wait' },
    { dagId: 'train', taskId: 'fit', queue: 'heavy' },
    { dagId: 'train', taskId: 'score', queue: 'gpu' },
  ];
  const celery = { executor: 'celery' as const, workers: 1, queues: ['heavy'] };
  const plan = planUp(facts({ choice: celery, tasks }), FIXED);
  const warning =
    'warning: no worker serves queue "gpu" of train.score: its task instances would stay queued (serve it: up --executor celery --queues heavy,gpu)';
  expect(plan.warnings).toEqual([warning]);
  expect(describeUpPlan(plan).filter((l) => l.includes('warning'))).toEqual([`  ${warning}`]);
  // LocalExecutor ignores queues: every task runs.
  expect(planUp(facts({ tasks }), FIXED).warnings).toEqual([]);
});

test('the Celery workers compose would leave running are removed first: all when back to local, the queue worker when no queue is left', () => {
  const workers = [
    { name: 'airflow-ml_airflow-worker_2', service: 'airflow-worker' },
    { name: 'airflow-ml_airflow-queue-worker_1', service: 'airflow-queue-worker' },
    { name: 'airflow-ml_airflow-worker_1', service: 'airflow-worker' },
  ];
  const plan = planUp(facts({ workerContainers: workers }), FIXED);
  expect(plan.removeWorkers).toEqual([
    'airflow-ml_airflow-queue-worker_1',
    'airflow-ml_airflow-worker_1',
    'airflow-ml_airflow-worker_2',
  ]);
  expect(describeUpPlan(plan).filter((l) => l.includes('Celery workers'))).toEqual([
    '  remove the Celery workers this choice has no use for (a task running on one is stopped, and its next try runs anew): airflow-ml_airflow-queue-worker_1, airflow-ml_airflow-worker_1, airflow-ml_airflow-worker_2',
  ]);
  const celery = (queues: string[]) => ({ executor: 'celery' as const, workers: 2, queues });
  const removed = (queues: string[]) =>
    planUp(facts({ choice: celery(queues), workerContainers: workers }), FIXED).removeWorkers;
  expect(removed(['heavy'])).toEqual([]);
  expect(removed([])).toEqual(['airflow-ml_airflow-queue-worker_1']);
});

test('Celery mode adds the broker image, the broker and the workers to wait for', () => {
  const plan = planUp(
    facts({ choice: { executor: 'celery', workers: 2, queues: ['heavy', 'gpu'] } }),
    FIXED,
  );
  expect(plan.stackImages.slice(4)).toEqual([
    {
      name: 'REDIS_IMAGE',
      image: 'redis:7.2-bookworm',
      action: 'pull',
      standIn: 'airflow-ml-local/redis:7.0',
    },
    {
      name: 'AIRFLOW_ML_NODE_BASE',
      image: 'node:20-bookworm-slim',
      action: 'pull',
      standIn: 'airflow-ml-local/node:bookworm',
    },
  ]);
  expect(plan.services.slice(8)).toEqual(['redis', 'airflow-worker x2', 'airflow-queue-worker']);
  expect(plan.executor).toBe('executor: celery, 2 workers (default queue) + 1 worker (heavy, gpu)');
});

test('root gets the default uids; an existing database keeps the legacy password', () => {
  const plan = planUp(facts({ uid: 0, gid: 0, databaseExists: true }), FIXED);
  expect(Object.fromEntries(plan.settings)).toMatchObject({
    AIRFLOW_UID: '50000',
    AIRFLOW_ML_STEP_USER: '1000:1000',
    POSTGRES_PASSWORD: 'airflow',
  });
});

test('a complete env file: nothing to add; the printed plan names keys, never values', () => {
  const full = planUp(facts(), FIXED).settings;
  const plan = planUp(
    facts({ fileEnv: new Map([...facts().fileEnv, ...full]), dags: undefined }),
    FIXED,
  );
  expect(plan.settings).toEqual([]);
  const lines = describeUpPlan(planUp(facts(), FIXED));
  expect(lines.join('\n')).not.toContain('t32');
  expect(lines).toEqual([
    'dry run: airflow-ml up would, with /p/.env:',
    '  settings: add to the env file (mode 0600): FERNET_KEY, COMPOSE_PROJECT_NAME, AIRFLOW__API_AUTH__JWT_SECRET, AIRFLOW_UID, DOCKER_GID, AIRFLOW_ML_DATA_ROOT, AIRFLOW_ML_STEP_USER, AIRFLOW_URL, AIRFLOW_PASSWORD, REDIS_PASSWORD, POSTGRES_PASSWORD, AIRFLOW_ML_SECRETS_DIR',
    '  secret files: from FERNET_KEY, AIRFLOW__API_AUTH__JWT_SECRET, POSTGRES_PASSWORD, AIRFLOW_PASSWORD, SMTP_PASSWORD, REDIS_PASSWORD',
    '  stack images:',
    '    reuse  AIRFLOW_IMAGE_NAME=apache/airflow:3.3.2',
    '    build  POSTGRES_IMAGE=airflow-ml-local/postgres:15',
    '    reuse  DOCKER_PROXY_IMAGE=haproxy:3.2.6',
    '    pull   MAIL_SINK_IMAGE=axllent/mailpit:v1.34.0 (no registry: airflow-ml-local/mail-sink:bookworm)',
    '    pull   AIRFLOW_ML_NODE_BASE=node:20-bookworm-slim (no registry: airflow-ml-local/node:bookworm)',
    '  step images: 1 to build, 1 to reuse',
    '    build  airflow-ml-generate:def',
    '    reuse  airflow-ml-train:abc',
    '  executor: local (the scheduler runs the tasks)',
    '  compose: docker compose --project-name airflow-ml up --detach',
    '  services: airflow-init (runs once), postgres, docker-proxy, airflow-apiserver, airflow-scheduler, airflow-dag-processor, airflow-triggerer, mail-sink, step-reaper; healthy within 300 s',
    '  deploy, trigger the first runs they wait for, and unpause: generate_data, predict',
    'nothing was written or started',
  ]);
  expect(describeUpPlan(plan)).toContain('  deploy: no (--no-deploy)');
  expect(describeUpPlan(plan)[1]).toBe(
    '  settings: keep every value in the env file (nothing is missing)',
  );
});
