import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { SECRET_ENV_KEYS, STACK_SECRETS } from '../../../../cli/ops/stack/secrets';
import { LONG_RUNNING_SERVICES, INIT_SERVICE } from '../../../../cli/ops/stack/services';
import { DEFAULT_PROD_DIR } from '../../../../cli/ops/deploy/settings';
import {
  CELERY_OVERLAY,
  QUEUE_WORKER_SERVICE,
  WORKER_SERVICE,
} from '../../../../cli/ops/stack/executor';
import { BUNDLE_BRANCH, defaultBundleRepo } from '../../../../cli/ops/deploy/bundle-repo';
import { DEFAULT_DAGS_DIR } from '../../../../cli/compiler/project';

/**
 * docker-compose.yml's closed-by-default settings, checked statically (the stack test proves
 * them on a running stack): where the port binds, who has the Docker socket, that no secret
 * is passed as environment, and that every secret file is declared.
 */

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const TEXT = fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');

interface Service {
  image?: string;
  profiles?: string[];
  command?: string[];
  depends_on?: Record<string, { condition: string }>;
  expose?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  group_add?: string[];
  ports?: string[];
  secrets?: string[];
  network_mode?: string;
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
  user?: string;
}
const compose = parse(TEXT, { merge: true }) as {
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
};
const services = compose.services;
const OVERLAY = parse(fs.readFileSync(path.join(ROOT, CELERY_OVERLAY), 'utf8'), {
  merge: true,
}) as typeof compose;
/** The secret files only Celery mode reads (declared by the overlay). */
const CELERY_SECRETS = ['celery_broker_url', 'redis_conf'];
const WORKERS = [WORKER_SERVICE, QUEUE_WORKER_SERVICE];

describe('docker-compose.yml', () => {
  it('has exactly the services `up` waits for, and the Celery workers behind profiles', () => {
    expect(Object.keys(services).sort()).toEqual(
      [INIT_SERVICE, ...LONG_RUNNING_SERVICES, ...WORKERS].sort(),
    );
    const profiled = Object.entries(services).filter(([, s]) => s.profiles);
    expect(profiled.map(([name, s]) => [name, s.profiles])).toEqual([
      [WORKER_SERVICE, ['celery']],
      [QUEUE_WORKER_SERVICE, ['celery-queues']],
    ]);
  });

  it('publishes the UI/API on 127.0.0.1 unless AIRFLOW_BIND_ADDRESS says otherwise, the mail sink API on 127.0.0.1 only, and nothing else', () => {
    expect(services['airflow-apiserver'].ports).toEqual([
      '${AIRFLOW_BIND_ADDRESS:-127.0.0.1}:${AIRFLOW_PORT:-8080}:8080',
    ]);
    // The sink's API has no login: never on another interface, whatever AIRFLOW_BIND_ADDRESS says.
    expect(services['mail-sink'].ports).toEqual(['127.0.0.1:${AIRFLOW_ML_MAIL_PORT:-8025}:8025']);
    const others = Object.entries(services).filter(
      ([name, s]) => name !== 'airflow-apiserver' && name !== 'mail-sink' && s.ports,
    );
    expect(others).toEqual([]);
  });

  it('runs the mail sink unprivileged with its messages in a volume airflow-init hands to it, and points smtp_default at it', () => {
    const sink = services['mail-sink'];
    expect(sink).toMatchObject({
      image: '${MAIL_SINK_IMAGE:-axllent/mailpit:v1.34.0}',
      user: '1025:1025',
      read_only: true,
      cap_drop: ['ALL'],
      security_opt: ['no-new-privileges:true'],
      volumes: ['mail-sink-data:/data'],
      environment: { MP_DATABASE: '/data/mailpit.db', MP_MAX_MESSAGES: '500' },
    });
    expect(sink.secrets).toBeUndefined();
    const init = services[INIT_SERVICE];
    expect(init.volumes).toContain('mail-sink-data:/opt/airflow-ml/mail-sink-data');
    expect(init.environment).toMatchObject({
      AIRFLOW_ML_MAIL_SINK_HOST: 'mail-sink',
      AIRFLOW_ML_MAIL_SINK_PORT: '1025',
      AIRFLOW_ML_MAIL_SINK_USER: '1025:1025',
    });
    // The stand-in image is built for the same user and folder.
    const dockerfile = fs.readFileSync(
      path.join(ROOT, 'docker', 'stack', 'mail-sink', 'Dockerfile'),
      'utf8',
    );
    expect(dockerfile).toContain('USER 1025:1025');
    expect(dockerfile).toContain('MP_DATABASE=/data/mailpit.db');
  });

  it('mounts the Docker socket into the proxy only, which has no network and no privileges', () => {
    const withSocket = Object.entries(services)
      .filter(([, s]) => (s.volumes ?? []).some((v) => v.includes('docker.sock')))
      .map(([name]) => name);
    expect(withSocket).toEqual(['docker-proxy']);
    const withGroup = Object.entries(services)
      .filter(([, s]) => s.group_add)
      .map(([name]) => name);
    expect(withGroup).toEqual(['docker-proxy']);
    const proxy = services['docker-proxy'];
    expect(proxy).toMatchObject({
      network_mode: 'none',
      read_only: true,
      cap_drop: ['ALL'],
      user: '99:99',
    });
    // The scheduler reaches it through the socket in the shared volume, read-only.
    expect(services['airflow-scheduler'].environment?.DOCKER_HOST).toBe(
      'unix:///run/docker-proxy/docker.sock',
    );
    expect(services['airflow-scheduler'].volumes).toContain(
      'docker-proxy-socket:/run/docker-proxy:ro',
    );
    const cfg = fs.readFileSync(
      path.join(ROOT, 'docker', 'stack', 'socket-proxy', 'haproxy.cfg'),
      'utf8',
    );
    expect(cfg).toMatch(/^\s*bind unix@\/run\/docker-proxy\/docker\.sock /m);
    // Both files the proxy reads are mounted where haproxy.cfg expects them.
    expect(proxy.volumes).toEqual(
      expect.arrayContaining([
        './docker/stack/socket-proxy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro',
        './docker/stack/socket-proxy/create-check.lua:/usr/local/etc/haproxy/create-check.lua:ro',
      ]),
    );
    expect(cfg).toMatch(/^\s*lua-load \/usr\/local\/etc\/haproxy\/create-check\.lua$/m);
    const withProxySocket = Object.entries(services)
      .filter(([, s]) => (s.volumes ?? []).some((v) => v.startsWith('docker-proxy-socket:')))
      .map(([name]) => name)
      .sort();
    // The scheduler (DockerOperator) and the step reaper reach the engine through the proxy only.
    expect(withProxySocket).toEqual([
      QUEUE_WORKER_SERVICE,
      'airflow-scheduler',
      WORKER_SERVICE,
      'docker-proxy',
      'step-reaper',
    ]);
  });

  it('passes no secret as environment: Airflow reads them through _CMD from /run/secrets', () => {
    for (const key of SECRET_ENV_KEYS) expect(TEXT).not.toContain(`\${${key}`);
    for (const [name, s] of Object.entries(services)) {
      const env = Object.entries(s.environment ?? {});
      const secretLooking = env.filter(
        ([k]) =>
          /(PASSWORD|SECRET|FERNET_KEY|SQL_ALCHEMY_CONN)$/.test(k) && !/_(CMD|FILE)$/.test(k),
      );
      expect({ name, secretLooking }).toEqual({ name, secretLooking: [] });
    }
    const airflowEnv = services['airflow-scheduler'].environment ?? {};
    expect(airflowEnv).toMatchObject({
      AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD: 'cat /run/secrets/sql_alchemy_conn',
      AIRFLOW__CORE__FERNET_KEY_CMD: 'cat /run/secrets/fernet_key',
      AIRFLOW__API_AUTH__JWT_SECRET_CMD: 'cat /run/secrets/jwt_secret',
    });
    expect(services.postgres.environment?.POSTGRES_PASSWORD_FILE).toBe(
      '/run/secrets/postgres_password',
    );
  });

  it('declares every secret file `up` writes, and gives each service the ones it reads', () => {
    expect(Object.keys(compose.secrets).sort()).toEqual(
      Object.keys(STACK_SECRETS)
        .filter((s) => !CELERY_SECRETS.includes(s))
        .sort(),
    );
    for (const [name, secret] of Object.entries(compose.secrets)) {
      expect(secret.file).toBe(`\${AIRFLOW_ML_SECRETS_DIR:-./.secrets}/${name}`);
    }
    const airflow = ['sql_alchemy_conn', 'fernet_key', 'jwt_secret'];
    for (const name of [
      'airflow-apiserver',
      'airflow-scheduler',
      'airflow-dag-processor',
      'airflow-triggerer',
    ]) {
      expect({ name, secrets: services[name].secrets }).toEqual({ name, secrets: airflow });
    }
    expect(services[INIT_SERVICE].secrets).toEqual([...airflow, 'admin_password', 'smtp_password']);
    expect(services.postgres.secrets).toEqual(['postgres_password']);
    expect(services['docker-proxy'].secrets).toBeUndefined();
  });
});

describe(CELERY_OVERLAY, () => {
  const AIRFLOW = [
    'airflow-apiserver',
    'airflow-scheduler',
    'airflow-dag-processor',
    'airflow-triggerer',
    'step-reaper',
    ...WORKERS,
  ];

  it('switches every Airflow service to CeleryExecutor, the broker URL read from a secret file', () => {
    expect(Object.keys(OVERLAY.services).sort()).toEqual([...AIRFLOW, 'redis'].sort());
    for (const name of AIRFLOW) {
      const s = OVERLAY.services[name];
      expect({ name, env: s.environment, secrets: s.secrets }).toEqual({
        name,
        env: {
          AIRFLOW__CORE__EXECUTOR: 'CeleryExecutor',
          AIRFLOW__CELERY__BROKER_URL_CMD: 'cat /run/secrets/celery_broker_url',
          AIRFLOW__CELERY__WORKER_CONCURRENCY: '${AIRFLOW_ML_WORKER_CONCURRENCY:-2}',
          AIRFLOW__CORE__PARALLELISM: '${AIRFLOW_ML_PARALLELISM:-16}',
        },
        secrets: ['sql_alchemy_conn', 'fernet_key', 'jwt_secret', 'celery_broker_url'],
      });
    }
    expect(Object.keys(OVERLAY.secrets).sort()).toEqual(CELERY_SECRETS);
    for (const [name, secret] of Object.entries(OVERLAY.secrets)) {
      expect(secret.file).toBe(`\${AIRFLOW_ML_SECRETS_DIR:-./.secrets}/${name}`);
    }
    // LocalExecutor users run docker-compose.yml alone: its executor is unchanged.
    expect(services['airflow-scheduler'].environment?.AIRFLOW__CORE__EXECUTOR).toBe(
      'airflow_ml_executor.RefundingLocalExecutor',
    );
  });

  it('runs Redis unpublished, unprivileged, with its password from a secret file', () => {
    const redis = OVERLAY.services.redis;
    expect(redis).toEqual({
      image: '${REDIS_IMAGE:-redis:7.2-bookworm}',
      user: '${AIRFLOW_UID:-50000}:0',
      command: ['redis-server', '/run/secrets/redis_conf', '--save', '', '--appendonly', 'no'],
      secrets: ['redis_conf'],
      read_only: true,
      cap_drop: ['ALL'],
      security_opt: ['no-new-privileges:true'],
      expose: ['6379'],
      healthcheck: expect.any(Object),
      restart: 'always',
    });
    expect(redis.ports).toBeUndefined();
  });

  it("gives the workers the scheduler's environment and mounts, and the queue worker its queues", () => {
    const scheduler = services['airflow-scheduler'];
    for (const name of WORKERS) {
      const w = services[name];
      expect({ name, env: w.environment, volumes: w.volumes, user: w.user }).toEqual({
        name,
        env: scheduler.environment,
        volumes: scheduler.volumes,
        user: scheduler.user,
      });
      expect(Object.keys(OVERLAY.services[name].depends_on ?? {})).toEqual(['redis']);
    }
    expect(services[WORKER_SERVICE].command).toEqual([
      'bash',
      '/opt/airflow-ml/wait-then-run.sh',
      'celery',
      'worker',
    ]);
    expect(services[QUEUE_WORKER_SERVICE].command).toEqual([
      'bash',
      '/opt/airflow-ml/wait-then-run.sh',
      'celery',
      'worker',
      '--queues',
      '${AIRFLOW_ML_WORKER_QUEUES:-heavy}',
    ]);
  });
});

test("airflow-init seeds PROD_DIR with deploy's default, the alias promotion moves", () => {
  const init = fs.readFileSync(path.join(ROOT, 'docker', 'stack', 'airflow-init.py'), 'utf8');
  expect(init).toContain(`os.environ.get("AIRFLOW_ML_PROD_DIR") or "${DEFAULT_PROD_DIR}"`);
});

test('the Airflow services read DAGs only from the versioned bundle that deploy commits to', () => {
  const bundle = path.relative(ROOT, defaultBundleRepo(path.join(ROOT, DEFAULT_DAGS_DIR)));
  const mounts = [
    `./${bundle}:/opt/airflow/bundle.git:ro`,
    './docker/stack/airflow/gitconfig:/opt/airflow-ml/gitconfig:ro',
  ];
  for (const name of [
    'airflow-apiserver',
    'airflow-scheduler',
    'airflow-dag-processor',
    'airflow-triggerer',
  ]) {
    const s = services[name];
    const git = (s.volumes ?? []).filter((v) => /bundle\.git|gitconfig|dags/.test(v));
    expect({ name, git }).toEqual({ name, git: mounts });
    const env = s.environment ?? {};
    expect(JSON.parse(env.AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST)).toEqual([
      {
        name: 'airflow-ml',
        classpath: 'airflow.providers.git.bundles.git.GitDagBundle',
        kwargs: { git_conn_id: 'airflow_ml_bundle', tracking_ref: BUNDLE_BRANCH },
      },
    ]);
    expect(JSON.parse(env.AIRFLOW_CONN_AIRFLOW_ML_BUNDLE)).toEqual({
      conn_type: 'git',
      host: '/opt/airflow/bundle.git',
    });
    expect(env.GIT_CONFIG_GLOBAL).toBe('/opt/airflow-ml/gitconfig');
  }
  // The plain DAGs folder is mounted nowhere: a file written there but not deployed is unseen.
  expect(TEXT).not.toContain('./airflow/dags');
  const gitconfig = fs.readFileSync(path.join(ROOT, 'docker/stack/airflow/gitconfig'), 'utf8');
  expect(gitconfig.split('\n').filter((l) => !l.startsWith('#'))).toEqual([
    '[safe]',
    '\tdirectory = /opt/airflow/bundle.git',
    '',
  ]);
});
