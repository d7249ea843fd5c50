import * as fs from 'node:fs';
import * as path from 'node:path';
import { specSchema } from '../../../../cli/compiler/spec/schema';

/** dag-specs/schema.json (for editors) is the validator's schema, byte for byte. */
test('dag-specs/schema.json matches cli/compiler/spec/schema.ts', () => {
  const file = path.resolve(__dirname, '..', '..', '..', '..', 'dag-specs', 'schema.json');
  const want = JSON.stringify(specSchema, null, 2) + '\n';
  if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(file, want);
  expect(fs.readFileSync(file, 'utf8')).toBe(want);
});
