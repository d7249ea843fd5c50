/**
 * JSON Schema (draft-07) of a pipeline spec. The single source for validation (ajv) and for
 * dag-specs/schema.json, which editors with the YAML language server use to complete specs.
 * Unknown keys are errors everywhere (additionalProperties: false).
 */

const identifier = {
  type: 'string',
  pattern: '^[a-z][a-z0-9_]*$',
  // Task ids become Python names in the generated file; 40 keeps every `a >> b` line short.
  maxLength: 40,
  description: 'snake_case: a lower-case letter, then lower-case letters, digits or underscores.',
};

const duration = {
  description: 'a duration: seconds as a number, or a string such as "90s", "5m", "2h", "1d"',
  oneOf: [
    { type: 'number', minimum: 0 },
    { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?(s|m|h|d)$' },
  ],
};

const environment = {
  type: 'object',
  description: 'Environment variables for the step container (names are upper-case).',
  propertyNames: { pattern: '^[A-Z_][A-Z0-9_]*$' },
  additionalProperties: { type: ['string', 'number', 'boolean'] },
};

const resources = {
  type: 'object',
  additionalProperties: false,
  properties: {
    mem_limit: {
      type: 'string',
      pattern: '^[0-9]+[bkmg]$',
      description: 'Memory limit in Docker syntax, e.g. "512m" or "2g".',
    },
    cpus: { type: 'number', exclusiveMinimum: 0, maximum: 64 },
  },
};

/**
 * A Celery queue (issue 17): the operator's `queue=`, which workers started with
 * `--queues NAME` serve. Lower-case so that it is one token in `--queues a,b` and in a compose
 * variable; 64 fits Airflow's column (256) with room.
 */
export const QUEUE_NAME_PATTERN = '^[a-z][a-z0-9_-]{0,63}$';

const queue = {
  type: 'string',
  pattern: QUEUE_NAME_PATTERN,
  description:
    'a queue name: a lower-case letter, then up to 63 lower-case letters, digits, "-" or "_"',
};

const taskSettings = {
  retries: { type: 'integer', minimum: 0, maximum: 100 },
  retry_delay: duration,
  execution_timeout: duration,
  queue,
};

const logicalPath = {
  type: 'string',
  minLength: 1,
  description:
    'A path relative to the data root. May use {{ ds }}, {{ ds_nodash }} and {{ var.value.NAME }}.',
};

const pathMap = {
  type: 'object',
  additionalProperties: logicalPath,
};

export const specSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://airflow-ml.dev/schema/pipeline-spec.json',
  title: 'airflow-ml pipeline spec',
  type: 'object',
  additionalProperties: false,
  required: ['dag_id', 'schedule', 'start_date', 'tasks'],
  properties: {
    dag_id: { ...identifier, maxLength: 100 },
    description: { type: 'string', maxLength: 2000 },
    schedule: {
      description:
        "A preset (@once, @continuous, @hourly, @daily, @midnight, @weekly, @monthly, @quarterly, @yearly, @annually), a cron expression as Airflow's croniter reads it (5 fields, or 6 with seconds last; L, 15W, 1#2 and ? too), or null for manual runs only.",
      type: ['string', 'null'],
    },
    start_date: {
      type: 'string',
      description:
        'YYYY-MM-DD (midnight in `timezone`), or an ISO 8601 date-time with Z or an offset.',
    },
    timezone: {
      type: 'string',
      description: 'IANA time zone of a date-only start_date. Default: UTC.',
    },
    catchup: { type: 'boolean' },
    tags: {
      type: 'array',
      items: { type: 'string', minLength: 1, maxLength: 100 },
      uniqueItems: true,
    },
    max_active_runs: { type: 'integer', minimum: 1, maximum: 1000 },
    runner: {
      enum: ['docker', 'kubernetes'],
      description:
        'Where the steps run: docker (DockerOperator, the default) or kubernetes (KubernetesPodOperator).',
    },
    defaults: {
      type: 'object',
      additionalProperties: false,
      description: 'Settings for every step task; a task may override each one.',
      properties: {
        ...taskSettings,
        image: { type: 'string', minLength: 1, description: 'Override the step image.' },
        resources,
        environment,
      },
    },
    alerts: {
      type: 'object',
      additionalProperties: false,
      required: ['email'],
      properties: {
        email: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'string',
            pattern: '^[^@\\s]+@[^@\\s]+$',
            description: 'an email address',
          },
          description: 'Recipients of the failure email.',
        },
        subject: { type: 'string', minLength: 1, maxLength: 300 },
      },
    },
    tasks: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id'],
        properties: {
          id: identifier,
          depends_on: { type: 'array', items: { type: 'string' } },
          step: { type: 'string', description: 'The step image to run (a step of docker/steps).' },
          inputs: pathMap,
          outputs: pathMap,
          params: {
            type: 'object',
            additionalProperties: { type: ['string', 'number', 'boolean'] },
          },
          ...taskSettings,
          image: { type: 'string', minLength: 1 },
          resources,
          environment,
          sensor: {
            type: 'object',
            additionalProperties: false,
            required: ['path'],
            properties: {
              path: logicalPath,
              poke_interval: duration,
              timeout: duration,
              mode: { enum: ['reschedule', 'poke'] },
            },
          },
        },
      },
    },
  },
} as const;
