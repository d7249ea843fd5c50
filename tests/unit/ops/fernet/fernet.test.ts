import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../../../../cli/base/errors';
import { setEnvValue } from '../../../../cli/ops/fernet/env-file';
import { generateFernetKeyFile } from '../../../../cli/ops/fernet/generate';
import { generateFernetKey, isFernetKey } from '../../../../cli/ops/fernet/key';

const tmpEnv = (content?: string) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'afml-fernet-')), '.env');
  if (content !== undefined) fs.writeFileSync(file, content, { mode: 0o644 });
  return file;
};
const keyIn = (file: string) => /^FERNET_KEY=(.*)$/m.exec(fs.readFileSync(file, 'utf8'))?.[1];

test('a key is 44 chars of URL-safe base64 with padding that decode to 32 bytes, never repeated', () => {
  const keys = new Set(Array.from({ length: 200 }, generateFernetKey));
  expect(keys.size).toBe(200);
  for (const k of keys) {
    expect(k).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    expect(Buffer.from(k, 'base64url')).toHaveLength(32);
    expect(isFernetKey(k)).toBe(true);
  }
  expect(isFernetKey('too-short=')).toBe(false);
});

test('setEnvValue replaces in place and keeps every other byte', () => {
  const text = '# top\r\nexport FERNET_KEY="old"\r\nOTHER=1 # c\r\n\r\nLAST=x';
  const edit = setEnvValue(text, 'FERNET_KEY', 'new');
  expect(edit.previous).toBe('old');
  expect(edit.text).toBe('# top\r\nexport FERNET_KEY=new\r\nOTHER=1 # c\r\n\r\nLAST=x');
  expect(setEnvValue('A=1', 'K', 'v').text).toBe('A=1\nK=v\n');
  expect(setEnvValue('', 'K', 'v').text).toBe('K=v\n');
});

test('generate: new file with mode 0600', () => {
  const file = tmpEnv();
  const r = generateFernetKeyFile({ envFile: file });
  expect(r).toMatchObject({ rotated: false, keyCount: 1, nextSteps: [] });
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  expect(isFernetKey(keyIn(file) ?? '')).toBe(true);
});

test('generate: other lines preserved, mode tightened to 0600, no temp files left', () => {
  const file = tmpEnv('# settings\nAIRFLOW_URL=http://x:8080\n\nSMTP_PASSWORD="a b#c"\n');
  generateFernetKeyFile({ envFile: file });
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  expect(lines.slice(0, 4)).toEqual([
    '# settings',
    'AIRFLOW_URL=http://x:8080',
    '',
    'SMTP_PASSWORD="a b#c"',
  ]);
  expect(lines[4]).toMatch(/^FERNET_KEY=[A-Za-z0-9_-]{43}=$/);
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  expect(fs.readdirSync(path.dirname(file))).toEqual(['.env']);
});

test('generate refuses to replace an existing key, and leaves the file alone', () => {
  const old = generateFernetKey();
  const file = tmpEnv(`A=1\nFERNET_KEY=${old}\n`);
  expect(() => generateFernetKeyFile({ envFile: file })).toThrow(ConfigError);
  expect(fs.readFileSync(file, 'utf8')).toBe(`A=1\nFERNET_KEY=${old}\n`);
});

test('--rotate writes new,old and explains airflow rotate-fernet-key', () => {
  const old = generateFernetKey();
  const file = tmpEnv(`FERNET_KEY=${old}\nB=2\n`);
  const r = generateFernetKeyFile({ envFile: file, rotate: true });
  const [fresh, kept] = (keyIn(file) ?? '').split(',');
  expect(kept).toBe(old);
  expect(isFernetKey(fresh)).toBe(true);
  expect(fresh).not.toBe(old);
  expect(fs.readFileSync(file, 'utf8').endsWith('\nB=2\n')).toBe(true);
  expect(r.rotated).toBe(true);
  expect(r.nextSteps.join('\n')).toContain('airflow rotate-fernet-key');
});

test('--rotate refuses a FERNET_KEY that is not a key', () => {
  const file = tmpEnv('FERNET_KEY=not-a-key\n');
  expect(() => generateFernetKeyFile({ envFile: file, rotate: true })).toThrow(/not Fernet keys/);
});
