/**
 * JSON Schema (draft-07) of a step contract, docker/steps/<name>/step.yaml. The single
 * source for validation (ajv, in contract.ts) and for dag-specs/step.schema.json, which
 * editors with the YAML language server use to complete step.yaml. Unknown keys are errors.
 */

const flagName = {
  type: 'string',
  pattern: '^[a-z][a-z0-9-]*$',
  maxLength: 40,
  description: 'a flag name: lower-case letters, digits and dashes (passed as --name)',
};

const port = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: {
      enum: ['file', 'directory'],
      description: 'file, or directory (a folder the step reads or writes files in)',
    },
    description: { type: 'string', maxLength: 500 },
  },
};

const ports = {
  type: 'object',
  propertyNames: flagName,
  additionalProperties: port,
  description: 'paths under the data root, passed as --name /data/<path>',
};

const param = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { enum: ['number', 'integer', 'string', 'boolean'] },
    minimum: { type: 'number' },
    maximum: { type: 'number' },
    exclusiveMinimum: { type: 'number' },
    exclusiveMaximum: { type: 'number' },
    default: {
      type: ['number', 'string', 'boolean'],
      description: 'used when a spec leaves the param out; without one the param is optional',
    },
    description: { type: 'string', maxLength: 500 },
  },
};

const duration = {
  description: 'a duration: seconds as a number, or a string such as "90s", "5m", "2h", "1d"',
  oneOf: [
    { type: 'number', minimum: 0 },
    { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?(s|m|h|d)$' },
  ],
};

export const stepSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://airflow-ml.dev/schema/step.json',
  title: 'airflow-ml step contract (docker/steps/<name>/step.yaml)',
  type: 'object',
  additionalProperties: false,
  required: ['description', 'kind'],
  properties: {
    description: { type: 'string', minLength: 1, maxLength: 2000 },
    kind: {
      enum: ['typescript', 'dockerfile', 'image'],
      description:
        'typescript: an entry bundled onto the shared Node base; dockerfile: a Dockerfile in this folder (any language); image: a prebuilt image',
    },
    entry: {
      type: 'string',
      pattern: '^[^/].*\\.ts$',
      description: 'kind typescript: the entry file, relative to this folder',
    },
    dockerfile: {
      type: 'string',
      pattern: '^[^/]+$',
      description: 'kind dockerfile: the Dockerfile in this folder (default "Dockerfile")',
    },
    base: {
      enum: ['python', 'node', 'none'],
      description:
        'kind dockerfile: the base image family passed as the build ARG BASE_IMAGE (python: $AIRFLOW_ML_PYTHON_BASE or python:3.11-slim-bookworm; node: $AIRFLOW_ML_NODE_BASE or node:20-bookworm-slim); default none',
    },
    image: {
      type: 'string',
      pattern: '^[a-z0-9][a-z0-9._/:@-]*$',
      maxLength: 255,
      description:
        'kind image: the prebuilt image to run, e.g. registry.example.com/team/scorer:1.4',
    },
    inputs: ports,
    outputs: ports,
    params: {
      type: 'object',
      propertyNames: flagName,
      additionalProperties: param,
    },
    resources: {
      type: 'object',
      additionalProperties: false,
      description: "the step's default container limits; a spec's task or defaults override them",
      properties: {
        mem_limit: {
          type: 'string',
          pattern: '^[0-9]+[bkmg]$',
          description: 'Memory limit in Docker syntax, e.g. "512m" or "2g".',
        },
        cpus: { type: 'number', exclusiveMinimum: 0, maximum: 64 },
      },
    },
    retry: {
      type: 'object',
      additionalProperties: false,
      description: "the step's default retry policy; a spec's task or defaults override it",
      properties: {
        retries: { type: 'integer', minimum: 0, maximum: 100 },
        retry_delay: duration,
      },
    },
  },
} as const;
