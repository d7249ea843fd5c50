import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The committed REST types (cli/ops/airflow/generated/rest-api.ts, `npm run gen:api`) belong to
 * the Airflow the lock pins: a lock bump without regenerating fails here. The integration
 * test tests/integration/generated-api.test.ts regenerates them from the venv byte for byte.
 */
const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

test('the generated REST types name the apache-airflow version the lock pins', () => {
  const lock = fs.readFileSync(path.join(ROOT, 'airflow', 'requirements.txt'), 'utf8');
  const pinned = /^apache-airflow==(\S+)$/m.exec(lock)?.[1];
  const header = fs
    .readFileSync(path.join(ROOT, 'cli', 'ops', 'airflow', 'generated', 'rest-api.ts'), 'utf8')
    .split('\n')
    .slice(0, 3);
  expect(header[1]).toBe(
    `// Source: apache-airflow ${pinned}, airflow/api_fastapi/core_api/openapi/v2-rest-api-generated.yaml`,
  );
  expect(header[2]).toMatch(/^\/\/ sha256: [0-9a-f]{64}$/);
});
