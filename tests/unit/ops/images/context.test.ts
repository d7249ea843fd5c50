import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { buildContext } from '../../../../cli/ops/images/context';
import { progressPrinter, summaryTable } from '../../../../cli/ops/images/progress';
import type { PlannedImage } from '../../../../cli/ops/images/plan';

async function entries(buf: Buffer): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => {
      chunks.push(c as Buffer);
    });
    stream.on('end', () => {
      out[header.name] = Buffer.concat(chunks).toString();
      next();
    });
  });
  const done = new Promise<void>((resolve) => extract.on('finish', () => resolve()));
  Readable.from([buf]).pipe(extract);
  await done;
  return out;
}

describe('buildContext', () => {
  it('holds only the Dockerfile and the bundles, byte-for-byte reproducible', async () => {
    const bundles = { train: Buffer.from('t()'), generate: Buffer.from('g()') };
    const a = await buildContext(Buffer.from('FROM x'), bundles);
    const b = await buildContext(Buffer.from('FROM x'), {
      generate: bundles.generate,
      train: bundles.train,
    });
    expect(a.equals(b)).toBe(true);
    expect(await entries(a)).toEqual({
      Dockerfile: 'FROM x',
      'dist/steps/generate.js': 'g()',
      'dist/steps/train.js': 't()',
    });
  });
});

describe('progress', () => {
  const image: PlannedImage = {
    name: 'train',
    target: 'train',
    tag: 'airflow-ml-train:abc',
    build: true,
    reason: 'not built yet',
    baseImage: 'node:20-bookworm-slim',
  };
  it('prints a line per image and the builder steps only', () => {
    let out = '';
    const p = progressPrinter((s) => (out += s));
    p({ kind: 'start', image, index: 2, total: 7 });
    p({ kind: 'log', image, line: 'Step 3/9 : COPY dist/steps/train.js /app/train.js' });
    p({ kind: 'log', image, line: ' ---> Using cache' });
    p({
      kind: 'done',
      image,
      index: 2,
      total: 7,
      seconds: 1.23,
      sizeBytes: 174e6,
      addedBytes: 27_700,
    });
    expect(out).toBe(
      '[2/7] airflow-ml-train:abc: building (target train; not built yet)\n' +
        '      Step 3/9 : COPY dist/steps/train.js /app/train.js\n' +
        '[2/7] airflow-ml-train:abc: built in 1.2s, 174.0 MB (27.7 kB over the base)\n',
    );
  });
  it('ends with a size table', () => {
    const t = summaryTable([
      {
        name: 'train',
        tag: 'airflow-ml-train:abc',
        built: false,
        sizeBytes: 174e6,
        addedBytes: 27_700,
        seconds: 0,
      },
    ]);
    expect(t).toBe(
      'IMAGE                 STATUS       SIZE        OWN\nairflow-ml-train:abc  reused   174.0 MB    27.7 kB\n',
    );
  });
});
