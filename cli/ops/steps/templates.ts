/**
 * What `step new` writes: a working step that reads a CSV file and writes a JSON summary
 * of it, with a string, a number and a boolean param, so every kind of flag is exercised
 * from the first run. The step's name is only ever written inside quoted strings, and it
 * has passed STEP_NAME (lower-case letters, digits and dashes) before it gets here.
 */
export type StepLang = 'ts' | 'python';

const FIXTURE = 'id,amount\n1,10.5\n2,3\n3,7.25\n';

function contractYaml(name: string, lang: StepLang): string {
  const kind =
    lang === 'ts' ? 'kind: typescript\nentry: main.ts\n' : 'kind: dockerfile\nbase: python\n';
  return `# yaml-language-server: $schema=../../../dag-specs/step.schema.json
# The contract of step ${JSON.stringify(name)} (docker/steps/README.md, "Contract").
description: 'Counts the rows of a CSV file and writes a JSON summary (made by step new: make it yours).'
${kind}inputs:
  data: { type: file, description: a CSV file with a header row }
outputs:
  summary: { type: file, description: summary.json }
params:
  label:
    type: string
    default: demo
    description: written into the summary
  scale:
    type: number
    exclusiveMinimum: 0
    default: 1
    description: multiplies the row count
  strict:
    type: boolean
    default: false
    description: fail (exit 3) on a file without rows
`;
}

const TS_MAIN = (name: string) => `import * as fs from 'node:fs';
import { parseStepArgs } from '../src/lib/args';
import { withOutputs } from '../src/lib/atomic';
import { fsError, inputError } from '../src/lib/errors';
import { runMain, type StepResult } from '../src/lib/main';

/**
 * The step's flags come from step.yaml: parseStepArgs checks them exactly as the compiler
 * checks a spec (types, bounds, defaults), and every path is inside the data root. Write
 * outputs with withOutputs (a temp name, renamed into place when all are complete), fail with
 * inputError (exit 3) or usageError (exit 2): one line on stderr, as Airflow's alert shows it.
 */
export const STEP = '${name}';

export function run(argv: readonly string[]): StepResult {
  const args = parseStepArgs(STEP, argv);
  const file = args.paths.data;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw fsError(file, err);
  }
  const lines = text.split('\\n').filter((l) => l.length > 0);
  const rows = Math.max(0, lines.length - 1);
  if (rows === 0 && args.params.strict === true) throw inputError(\`\${file}: no rows\`);
  const summary = {
    ds: args.ds,
    label: args.params.label,
    columns: (lines[0] ?? '').split(','),
    rows,
    scaled: rows * (args.params.scale as number),
  };
  withOutputs((out) => out.writeFile(args.paths.summary, \`\${JSON.stringify(summary, null, 2)}\\n\`));
  return { summary: \`\${rows} rows; wrote \${args.paths.summary}\` };
}

if (require.main === module) runMain(STEP, run);
`;

const TS_TEST = (name: string) => `import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from './main';

/** Runs the step on its fixture in a temporary data root: \`npx jest docker/steps/${name}\`. */
test('summarises the fixture', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'step-'));
  process.env.AIRFLOW_ML_STEP_DATA_ROOT = root;
  try {
    fs.copyFileSync(path.join(__dirname, 'fixture', 'data.csv'), path.join(root, 'data.csv'));
    const out = path.join(root, 'out', 'summary.json');
    const argv = ['--ds', '2026-01-01', '--data', path.join(root, 'data.csv'), '--summary', out];
    expect(run([...argv, '--label', 'test', '--scale', '2'])).toEqual({
      summary: \`3 rows; wrote \${out}\`,
    });
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual({
      ds: '2026-01-01',
      label: 'test',
      columns: ['id', 'amount'],
      rows: 3,
      scaled: 6,
    });
    expect(() => run([...argv, '--scale', 'x'])).toThrow('--scale must be a number (got "x")');
  } finally {
    delete process.env.AIRFLOW_ML_STEP_DATA_ROOT;
    fs.rmSync(root, { recursive: true, force: true });
  }
});
`;

const PY_DOCKERFILE = `# A Python step (kind: dockerfile, base: python). \`airflow-ml images build\` sends this
# folder as the build context, plus .airflow-ml/ (the compiled contract and the shared flag
# parser airflow_ml_step.py), and passes BASE_IMAGE: the public python image, or offline the
# local stand-in (scripts/build-base-images.sh). Add wheels with a requirements.txt and
# \`RUN pip install -r requirements.txt\` (docker/steps/gbm-train shows an offline-safe way).
ARG BASE_IMAGE=python:3.11-slim-bookworm
FROM \${BASE_IMAGE}
COPY . /app
ENV PYTHONPATH=/app:/app/.airflow-ml PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# Steps never need root; the DockerOperator may still override the uid to match the data root.
USER 1000:1000
ENTRYPOINT ["python", "/app/main.py"]
`;

const PY_MAIN = (
  name: string,
) => `"""Step ${JSON.stringify(name).slice(1, -1)}: counts the rows of a CSV file and writes a JSON summary.

Flags come from step.yaml (compiled into .airflow-ml/contract.json in the image):
parse_args checks them exactly as the compiler checks a spec. Write outputs with
write_atomic; fail with input_error (exit 3) or usage_error (exit 2): one line on stderr.
"""

import csv
import json

from airflow_ml_step import (
    input_error,
    load_contract,
    parse_args,
    run_main,
    write_atomic,
)

STEP = ${JSON.stringify(name)}


def run(argv, contract=None):
    args = parse_args(contract or load_contract(), argv)
    path = args["paths"]["data"]
    try:
        with open(path, newline="", encoding="utf-8") as f:
            table = list(csv.reader(f))
    except FileNotFoundError:
        raise input_error(f"{path}: cannot read: no such file or directory") from None
    rows = max(0, len(table) - 1)
    p = args["params"]
    if rows == 0 and p["strict"]:
        raise input_error(f"{path}: no rows")
    summary = {
        "ds": args["ds"],
        "label": p["label"],
        "columns": table[0] if table else [],
        "rows": rows,
        "scaled": rows * p["scale"],
    }
    out = args["paths"]["summary"]
    write_atomic(out, (json.dumps(summary, indent=2) + "\\n").encode())
    return f"{rows} rows; wrote {out}"


if __name__ == "__main__":
    run_main(STEP, run)
`;

const PY_TEST = (
  name: string,
) => `"""Runs the step on its fixture in a temporary data root, inside its image:

docker run --rm --network none --entrypoint python <image> -m unittest discover -s /app
(\`airflow-ml images tags\` names the image of ${JSON.stringify(name).slice(1, -1)}).
"""

import json
import os
import shutil
import tempfile
import unittest

from airflow_ml_step import StepError
from main import run

HERE = os.path.dirname(os.path.abspath(__file__))


class SummaryTest(unittest.TestCase):
    def test_summarises_the_fixture(self):
        with tempfile.TemporaryDirectory() as root:
            os.environ["AIRFLOW_ML_STEP_DATA_ROOT"] = root
            shutil.copy(os.path.join(HERE, "fixture", "data.csv"), root)
            out = os.path.join(root, "out", "summary.json")
            argv = [
                "--ds",
                "2026-01-01",
                "--data",
                os.path.join(root, "data.csv"),
                "--summary",
                out,
            ]
            self.assertEqual(
                run(argv + ["--label", "test", "--scale", "2"]), f"3 rows; wrote {out}"
            )
            with open(out, encoding="utf-8") as f:
                self.assertEqual(
                    json.load(f),
                    {
                        "ds": "2026-01-01",
                        "label": "test",
                        "columns": ["id", "amount"],
                        "rows": 3,
                        "scaled": 6.0,
                    },
                )
            with self.assertRaises(StepError) as caught:
                run(argv + ["--scale", "x"])
            self.assertEqual(
                str(caught.exception), '--scale must be a number (got "x")'
            )


if __name__ == "__main__":
    unittest.main()
`;

/** Files of a new step, relative to its folder. */
export function stepTemplate(name: string, lang: StepLang): Record<string, string> {
  const common = { 'step.yaml': contractYaml(name, lang), 'fixture/data.csv': FIXTURE };
  if (lang === 'ts') return { ...common, 'main.ts': TS_MAIN(name), 'main.test.ts': TS_TEST(name) };
  return {
    ...common,
    Dockerfile: PY_DOCKERFILE,
    'main.py': PY_MAIN(name),
    'test_main.py': PY_TEST(name),
  };
}
