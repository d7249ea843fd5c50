import { stringify } from 'yaml';
import { compileForTest } from '../support/compile-fixture';
import {
  baseSpec,
  expectedRendering,
  FIELDS,
  hostileSamples,
  RENDER_CONTEXT,
  type Field,
} from '../support/hostile-spec';
import { runPythonJson, VENV_PYTHON } from '../support/python';

/**
 * What Airflow itself makes of every templated value a spec can set (issue 10): each compiled
 * hostile sample is loaded in a real Airflow 3.3 DagBag and its operators' and notifier's
 * templated fields are rendered as a task run renders them. The result must equal the input
 * with only the allow-listed expressions substituted: no other Jinja runs, no secret is read,
 * and no value is loaded as a template file.
 */
interface Rendered {
  import_error: string | null;
  tasks: Record<string, Record<string, unknown>>;
}

/** Where each templated field's rendered value is found. */
const RENDERED_AT: Record<string, (tasks: Rendered['tasks']) => unknown> = {
  'defaults.environment (value)': (t) => (t.run.environment as Record<string, string>).DEFAULT_ENV,
  'alerts.email': (t) => (t.run.to as string[])[0],
  'alerts.subject': (t) => t.run.subject,
  'tasks[0].sensor.path': (t) => t.wait.filepath,
  'tasks[1].image': (t) => t.run.image,
  'tasks[1].outputs.data': (t) => {
    const command = t.run.command as string[];
    return command[command.indexOf('--data') + 1].slice('/data/'.length);
  },
  'tasks[1].environment (value)': (t) => (t.run.environment as Record<string, string>).VALUE,
};

function render(sources: string[], extraFiles: Record<string, string> = {}): Rendered[] {
  return runPythonJson<Rendered[]>(
    'render_fields.py',
    { sources, context: RENDER_CONTEXT, extra_files: extraFiles },
    VENV_PYTHON,
  );
}

test('every compiled templated value renders to itself, allow-listed expressions substituted', () => {
  const templated = new Set(FIELDS.filter((f) => f.templated).map((f) => f.label));
  const samples = hostileSamples(2300, 20261128).filter((s) => templated.has(s.field.label));
  const compiled: { field: Field; value: string; source: string }[] = [];
  for (const sample of samples) {
    const result = compileForTest([sample.source]);
    if (result.diagnostics.length === 0) {
      compiled.push({ ...sample, source: [...result.files.values()][0] });
    }
  }
  const rendered = render(compiled.map((c) => c.source));
  rendered.forEach((r, i) => {
    const { field, value } = compiled[i];
    const where = `${field.label} = ${JSON.stringify(value)}`;
    expect({ where, error: r.import_error }).toEqual({ where, error: null });
    const at = RENDERED_AT[field.label];
    if (at === undefined) return; // compiled but not emitted (defaults.image under an override)
    expect({ where, rendered: at(r.tasks) }).toEqual({ where, rendered: expectedRendering(value) });
  });
  expect(compiled.length).toBeGreaterThan(300);
});

test('values ending in .sh, .bash or .env stay values, even with such a file in the DAGs folder', () => {
  const spec = baseSpec();
  spec.tasks[1].outputs.data = 'out/{{ ds }}/run.sh';
  spec.tasks[1].environment = { VALUE: 'evil.env' };
  spec.defaults.environment = { DEFAULT_ENV: 'deploy.bash' };
  const result = compileForTest([{ path: 'dag-specs/hostile.yaml', text: stringify(spec) }]);
  expect(result.diagnostics).toEqual([]);
  const secret = '{{ conn.smtp_default.password }}{% for x in range(3) %}x{% endfor %}';
  const [r] = render([...result.files.values()], {
    'evil.env': secret,
    'deploy.bash': secret,
    'run.sh': secret,
  });
  expect(r.import_error).toBeNull();
  expect(r.tasks.run.environment).toEqual({ DEFAULT_ENV: 'deploy.bash', VALUE: 'evil.env' });
  expect(r.tasks.run.command).toEqual([
    '--data',
    '/data/out/2026-01-02/run.sh',
    '--target',
    '/data/out/{{ ds }}/target.csv'.replace('{{ ds }}', '2026-01-02'),
    '--rows',
    '10',
    '--ds',
    '2026-01-02',
  ]);
});
