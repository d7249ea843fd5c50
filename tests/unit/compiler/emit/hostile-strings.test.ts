import { compileForTest } from '../../../support/compile-fixture';
import { FIELDS, hostileSamples, type Check, type Sample } from '../../../support/hostile-spec';
import { runPythonJson } from '../../../support/python';

/**
 * Property: any string a user puts in any field of a spec, or in the spec's path, either
 * compiles to Python whose literal equals it exactly (read back by Python's own `ast`), with
 * the module's shape unchanged, or is rejected with a diagnostic positioned in that spec and
 * labelled with that field. No input may change the generated code's shape.
 * (What Airflow renders those literals to is tests/integration/render-hostile.test.ts.)
 */
interface Described {
  shape: string;
  header: string | null;
  dag: Record<string, unknown>;
  tasks: Record<string, Record<string, unknown>>;
  notifier: Record<string, unknown>;
}

const SAMPLES = hostileSamples(2300, 20261128);

function literalAt(d: Described, check: Check, sample: Sample): unknown {
  switch (check.kind) {
    case 'dag': {
      const v = d.dag[check.key];
      return check.index === undefined ? v : (v as unknown[])[check.index];
    }
    case 'task': {
      const v = d.tasks[check.task][check.key];
      if (check.member !== undefined) return (v as Record<string, unknown>)[check.member];
      return check.index === undefined ? v : (v as unknown[])[check.index];
    }
    case 'command': {
      const command = d.tasks.run.command as string[];
      return command[command.indexOf('--data') + 1].slice(check.prefix.length);
    }
    case 'notifier': {
      const v = d.notifier[check.key];
      return check.index === undefined ? v : (v as unknown[])[check.index];
    }
    case 'header':
      return d.header === null ? null : d.header.slice('dag-specs/'.length, -'.yaml'.length);
    case 'parsed':
      return sample.value;
  }
}

test('2,300 hostile strings over every field and the path: exact literals or positioned rejections', () => {
  const baseline = compileForTest([hostileSamples(1, 1)[0].source]);
  expect(baseline.diagnostics).toEqual([]);
  const compiled: { sample: Sample; source: string }[] = [];
  const outcomes = new Map(FIELDS.map((f) => [f.label, { compiled: 0, rejected: 0 }]));
  for (const sample of SAMPLES) {
    const result = compileForTest([sample.source]);
    const outcome = outcomes.get(sample.field.label) as { compiled: number; rejected: number };
    if (result.diagnostics.length > 0) {
      outcome.rejected++;
      for (const d of result.diagnostics) {
        expect({ file: d.file, positioned: d.line > 0 && d.col > 0 }).toEqual({
          file: sample.source.path,
          positioned: true,
        });
      }
      continue;
    }
    outcome.compiled++;
    compiled.push({ sample, source: [...result.files.values()][0] });
  }
  const described = runPythonJson<Described[]>('extract_module.py', [
    [...baseline.files.values()][0],
    ...compiled.map((c) => c.source),
  ]);
  const baseShape = described[0].shape;
  described.slice(1).forEach((d, i) => {
    const { sample } = compiled[i];
    const where = `${sample.field.label} = ${JSON.stringify(sample.value)}`;
    expect({ where, sameShape: d.shape === baseShape }).toEqual({ where, sameShape: true });
    expect({ where, value: literalAt(d, sample.field.check, sample) }).toEqual({
      where,
      value: sample.value,
    });
  });
  // Both outcomes must really occur, or the property says little.
  expect(compiled.length).toBeGreaterThan(300);
  expect(SAMPLES.length - compiled.length).toBeGreaterThan(300);
  // Every field was exercised (100 samples each), and the free-text ones compile often.
  for (const label of ['description', 'spec path', 'defaults.environment (value)']) {
    expect({ label, many: (outcomes.get(label)?.compiled ?? 0) > 20 }).toEqual({
      label,
      many: true,
    });
  }
});

test('a rejected value is labelled with its own field', () => {
  for (const sample of SAMPLES.slice(0, 460)) {
    const result = compileForTest([sample.source]);
    if (result.diagnostics.length === 0 || sample.field.label === 'spec path') continue;
    const label = sample.field.label.replace(/ \((name|value)\)$/, '');
    const first = result.diagnostics[0].message;
    // A YAML-level problem (a control character YAML refuses) is labelled as such.
    const ok =
      first.startsWith(label) ||
      first.startsWith('YAML syntax error') ||
      // A changed id is reported where it is used (depends_on) or as an unknown step.
      (label.startsWith('tasks[') && first.startsWith('tasks['));
    expect({ label, first, ok }).toEqual({ label, first, ok: true });
  }
});
