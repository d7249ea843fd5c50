import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { DockerBuildError } from '../../../../cli/base/errors';
import { buildImages, inspectExisting, type BuildEvent } from '../../../../cli/ops/images/build';
import { planImages, type ImageTarget } from '../../../../cli/ops/images/plan';

/** Just enough of dockerode for buildImages: build, inspect, followProgress. */
class FakeDocker {
  readonly builds: {
    tag: string;
    target: string;
    opts: Record<string, unknown>;
    context: Buffer;
  }[] = [];
  readonly images = new Map<string, { Size: number; Config: { Labels: Record<string, string> } }>();
  failTarget?: string;

  async buildImage(stream: Readable, opts: Record<string, unknown>): Promise<Readable> {
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    const tag = opts.t as string;
    const target = opts.target as string;
    this.builds.push({ tag, target, opts, context: Buffer.concat(chunks) });
    const lines = [
      {
        stream: `Step 1/2 : FROM ${String((opts.buildargs as Record<string, string>).BASE_IMAGE)}\n`,
      },
    ];
    if (target === this.failTarget) {
      lines.push({ stream: 'compiling...\n' }, {
        error: 'COPY failed: no such file',
        errorDetail: { message: 'COPY failed: no such file' },
      } as never);
    } else {
      lines.push({ stream: 'Successfully built abc\n' });
      this.images.set(tag, {
        Size: 174e6 + 20e3,
        Config: { Labels: opts.labels as Record<string, string> },
      });
    }
    return Readable.from(lines.map((l) => `${JSON.stringify(l)}\r\n`));
  }

  getImage(tag: string) {
    return {
      inspect: async () => {
        const img = this.images.get(tag);
        if (!img) throw Object.assign(new Error(`no such image ${tag}`), { statusCode: 404 });
        return img;
      },
    };
  }

  modem = {
    followProgress: (
      stream: Readable,
      done: (err: Error | null, out: unknown[]) => void,
      onEvent: (e: unknown) => void,
    ) => {
      const out: unknown[] = [];
      let buf = '';
      stream.on('data', (c: unknown) => {
        buf += String(c);
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i).trim();
          buf = buf.slice(i + 1);
          if (!line) continue;
          const e = JSON.parse(line) as unknown;
          out.push(e);
          onEvent(e);
        }
      });
      stream.on('end', () => done(null, out));
    },
  };
}

const BASE = 'airflow-ml-local/node:bookworm';
const TARGETS: ImageTarget[] = [
  { name: 'base', target: 'base', tag: 'airflow-ml-base:000' },
  { name: 'split', target: 'split', tag: 'airflow-ml-split:111' },
  { name: 'train', target: 'train', tag: 'airflow-ml-train:222' },
];
const BUNDLES = { split: Buffer.from('s()'), train: Buffer.from('t()') };

describe('buildImages (against a fake engine)', () => {
  it('builds what the plan says, base first, with the legacy builder, base arg and label', async () => {
    const fake = new FakeDocker();
    fake.images.set(BASE, { Size: 174e6, Config: { Labels: {} } });
    fake.images.set('airflow-ml-split:111', {
      Size: 174e6 + 19e3,
      Config: { Labels: { 'airflow-ml.base': BASE } },
    });
    const docker = fake as unknown as Docker;
    const plan = planImages(
      TARGETS,
      BASE,
      await inspectExisting(
        docker,
        TARGETS.map((t) => t.tag),
      ),
    );
    const events: BuildEvent[] = [];
    const results = await buildImages(plan, docker, {
      root: '/nonexistent',
      bundles: BUNDLES,
      dockerfile: Buffer.from('FROM x'),
      onEvent: (e) => events.push(e),
    });

    expect(fake.builds.map((b) => b.target)).toEqual(['base', 'train']);
    expect(fake.builds[1].opts).toMatchObject({
      t: 'airflow-ml-train:222',
      target: 'train',
      version: '1',
      pull: false,
      buildargs: { BASE_IMAGE: BASE },
      labels: { 'airflow-ml.base': BASE, 'airflow-ml.image': 'train' },
    });
    expect(results.map((r) => [r.name, r.built, r.addedBytes])).toEqual([
      ['base', true, 20e3],
      ['split', false, 19e3],
      ['train', true, 20e3],
    ]);
    expect(
      events.filter((e) => e.kind === 'log').map((e) => (e as { line: string }).line),
    ).toContain(`Step 1/2 : FROM ${BASE}`);
  });

  it('sends no context and builds nothing when everything is up to date', async () => {
    const fake = new FakeDocker();
    fake.images.set(BASE, { Size: 1, Config: { Labels: {} } });
    for (const t of TARGETS)
      fake.images.set(t.tag, { Size: 2, Config: { Labels: { 'airflow-ml.base': BASE } } });
    const docker = fake as unknown as Docker;
    const plan = planImages(
      TARGETS,
      BASE,
      await inspectExisting(
        docker,
        TARGETS.map((t) => t.tag),
      ),
    );
    const results = await buildImages(plan, docker, { root: '/nonexistent' });
    expect(fake.builds).toEqual([]);
    expect(results.filter((r) => r.built)).toEqual([]);
  });

  it('fails with a DockerBuildError that names the image and carries the log tail', async () => {
    const fake = new FakeDocker();
    fake.images.set(BASE, { Size: 1, Config: { Labels: {} } });
    fake.failTarget = 'split';
    const plan = planImages(TARGETS, BASE, new Map());
    const err = await buildImages(plan, fake as unknown as Docker, {
      root: '/x',
      bundles: BUNDLES,
      dockerfile: Buffer.from('FROM x'),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerBuildError);
    const e = err as DockerBuildError;
    expect(e.message).toBe(
      'building airflow-ml-split:111 (target split) failed: COPY failed: no such file',
    );
    expect(e.step).toBe('split');
    expect(e.image).toBe('airflow-ml-split:111');
    expect(e.logTail).toBe(`Step 1/2 : FROM ${BASE}\ncompiling...\nCOPY failed: no such file`);
    expect(e.exitCode).toBe(7);
    expect(fake.builds.map((b) => b.target)).toEqual(['base', 'split']); // stopped there
  });
});
