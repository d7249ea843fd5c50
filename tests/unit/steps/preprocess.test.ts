import * as fs from 'node:fs';
import * as path from 'node:path';
import { StepExit } from '../../../docker/steps/src/lib/errors';
import { readMatrix } from '../../../docker/steps/src/lib/matrix';
import type { Transform } from '../../../docker/steps/src/lib/transform';
import { run } from '../../../docker/steps/preprocess/main';
import { DS, expectStepError, listFiles, readJsonFile, tmpDir } from './helpers';

const HEADER = 'age,region,plan,income,tenure_months,monthly_spend,support_calls';
const ROWS = [
  '30,north,basic,50000.5,3,20.5,1',
  '40,south,premium,70000,10,95,0',
  '50,north,standard,60000,0,44.1,4',
];

function setup(data: string | null, target: string | null) {
  const dir = tmpDir();
  const files = {
    data: path.join(dir, 'raw', 'data.csv'),
    target: path.join(dir, 'raw', 'target.csv'),
  };
  fs.mkdirSync(path.dirname(files.data), { recursive: true });
  if (data !== null) fs.writeFileSync(files.data, data);
  if (target !== null) fs.writeFileSync(files.target, target);
  const outDir = path.join(dir, 'processed', DS);
  const go = () =>
    run(['--ds', DS, '--data', files.data, '--target', files.target, '--out-dir', outDir]);
  return { dir, files, outDir, go };
}

const csv = (header: string, rows: string[]) => `${header}\n${rows.join('\n')}\n`;
const TARGET = 'target\n1\n0\n1\n';

describe('preprocess', () => {
  it('fits standardisation and one-hot, and writes transform.json and matrix.bin', () => {
    const s = setup(csv(HEADER, ROWS), TARGET);
    s.go();
    expect(listFiles(s.outDir)).toEqual(['matrix.bin', 'transform.json']);
    const t = readJsonFile<Transform>(path.join(s.outDir, 'transform.json'));
    expect(t.features).toEqual([
      'age',
      'region=north',
      'region=south',
      'plan=basic',
      'plan=premium',
      'plan=standard',
      'income',
      'tenure_months',
      'monthly_spend',
      'support_calls',
    ]);
    expect(t.columns[0]).toEqual({
      name: 'age',
      kind: 'numeric',
      mean: 40,
      scale: Math.sqrt(200 / 3),
    });
    expect(t.ds).toBe(DS);
    const m = readMatrix(path.join(s.outDir, 'matrix.bin'));
    expect([m.rows, m.cols]).toEqual([3, 10]);
    expect(Array.from(m.y)).toEqual([1, 0, 1]);
    expect(Array.from(m.rowIndex)).toEqual([0, 1, 2]);
    const row1 = Array.from(m.x.subarray(10, 20));
    expect(row1[0]).toBeCloseTo(0, 6); // age 40 is the mean
    expect(row1.slice(1, 6)).toEqual([0, 1, 0, 1, 0]); // south, premium
  });

  it('accepts columns in any order, quoted cells and CRLF line ends', () => {
    const header = 'region,age,plan,income,tenure_months,monthly_spend,support_calls';
    const rows = ['"north",30,basic,1,1,1,1', 'south,40,"premium",2,2,2,2'];
    const s = setup(
      rows.reduce((acc, r) => `${acc}${r}\r\n`, `${header}\r\n`),
      'target\r\n0\r\n1\r\n',
    );
    s.go();
    const t = readJsonFile<Transform>(path.join(s.outDir, 'transform.json'));
    expect(t.features.slice(0, 3)).toEqual(['age', 'region=north', 'region=south']);
  });

  const bad: [string, string | null, string | null, RegExp][] = [
    ['a missing data file', null, TARGET, /raw\/data\.csv: cannot read: no such file or directory/],
    [
      'a missing target file',
      csv(HEADER, ROWS),
      null,
      /raw\/target\.csv: cannot read: no such file or directory/,
    ],
    [
      'an empty data file',
      '',
      TARGET,
      /raw\/data\.csv: file is empty; expected a header line "age,region,plan/,
    ],
    [
      'an empty target file',
      csv(HEADER, ROWS),
      '',
      /raw\/target\.csv: file is empty; expected a header line "target"/,
    ],
    [
      'a header with no rows',
      `${HEADER}\n`,
      TARGET,
      /raw\/data\.csv:2:1: no data rows after the header/,
    ],
    [
      'a missing column',
      csv(
        HEADER.replace(',income', ''),
        ROWS.map((r) =>
          r
            .split(',')
            .filter((_, i) => i !== 3)
            .join(','),
        ),
      ),
      TARGET,
      /raw\/data\.csv:1:1: missing column "income"; expected columns: age,region,plan,income/,
    ],
    [
      'an extra column',
      csv(
        `${HEADER},colour`,
        ROWS.map((r) => `${r},red`),
      ),
      TARGET,
      /raw\/data\.csv:1:66: unexpected column "colour"; expected columns:/,
    ],
    [
      'a duplicate column',
      csv(
        `${HEADER},age`,
        ROWS.map((r) => `${r},1`),
      ),
      TARGET,
      /data\.csv:1:66: duplicate column "age"/,
    ],
    [
      'a non-numeric cell',
      csv(HEADER, [ROWS[0], '40,south,premium,lots,10,95,0', ROWS[2]]),
      TARGET,
      /raw\/data\.csv:3:18: column "income": "lots" is not a number/,
    ],
    [
      'an empty numeric cell',
      csv(HEADER, [ROWS[0], '40,south,premium,,10,95,0']),
      'target\n1\n0\n',
      /data\.csv:3:18: column "income": empty cell/,
    ],
    [
      'an empty category',
      csv(HEADER, [ROWS[0], '40,,premium,1,10,95,0']),
      'target\n1\n0\n',
      /data\.csv:3:4: column "region": empty cell/,
    ],
    [
      'hex that Number() would accept',
      csv(HEADER, ['0x1F,north,basic,1,1,1,1']),
      'target\n1\n',
      /data\.csv:2:1: column "age": "0x1F" is not a number/,
    ],
    [
      'a short row',
      csv(HEADER, [ROWS[0], '40,south']),
      'target\n1\n0\n',
      /data\.csv:3:9: expected 7 fields, found 2/,
    ],
    [
      'a long row',
      csv(HEADER, [`${ROWS[0]},9`]),
      'target\n1\n',
      /data\.csv:2:32: expected 7 fields, found more/,
    ],
    [
      'a blank line inside',
      `${HEADER}\n${ROWS[0]}\n\n${ROWS[1]}\n`,
      'target\n1\n0\n',
      /data\.csv:3:1: empty line; expected 7 fields/,
    ],
    [
      'a target that is not 0/1',
      csv(HEADER, ROWS),
      'target\n1\n2\n1\n',
      /target\.csv:3:1: column "target": expected 0 or 1, found "2"/,
    ],
    [
      'a wrong target header',
      csv(HEADER, ROWS),
      'label\n1\n0\n1\n',
      /target\.csv:1:1: unexpected column "label"/,
    ],
    [
      'mismatched row counts',
      csv(HEADER, ROWS),
      'target\n1\n0\n',
      /raw\/target\.csv: has 2 data rows but .*raw\/data\.csv has 3; the two files must match row for row/,
    ],
    [
      'an unterminated quote',
      csv(HEADER, ['30,"north,basic,1,1,1,1']),
      'target\n1\n',
      /data\.csv:2:4: unterminated quoted cell/,
    ],
  ];

  it.each(bad)(
    'rejects %s with a located message and writes nothing',
    (_what, data, target, message) => {
      const s = setup(data, target);
      expectStepError(s.go, message, StepExit.input);
      expect(fs.existsSync(s.outDir)).toBe(false);
      expect(listFiles(s.dir).filter((f) => !f.startsWith('raw/'))).toEqual([]);
    },
  );

  it('reports the character column of a cell after multi-byte text', () => {
    const s = setup(csv(HEADER, ['30,"nörth",basic,x,1,1,1']), 'target\n1\n');
    expectStepError(s.go, /data\.csv:2:18: column "income": "x" is not a number/); // byte 19);
  });
});
