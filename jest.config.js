/**
 * Two projects:
 *  - unit: fast, pure tests (compiler, steps, client against in-process fakes).
 *  - integration: real Airflow 3.3 (project venv), real Docker Engine, real SMTP.
 *    They need the environment that .ci/run provisions and fail (never skip) without it.
 * `npm test` runs both.
 */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }];

/** @type {import('jest').Config} */
module.exports = {
  reporters: ['default', '<rootDir>/tests/support/summary-reporter.js'],
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      // docker/steps/<name>/*.test.ts: a step's own unit tests (`step new` writes one).
      testMatch: [
        '<rootDir>/tests/unit/**/*.test.ts',
        '<rootDir>/tests/golden/**/*.test.ts',
        '<rootDir>/docker/steps/*/*.test.ts',
      ],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/tests/integration/support/require-environment.ts',
      slowTestThreshold: 120,
    },
  ],
};
