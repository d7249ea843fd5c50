import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { DockerBuildError } from '../../base/errors';
import { loadStepCatalog, type StepCatalog } from '../../compiler/steps/contract';
import { buildContext, bundleSteps, folderContext, readDockerfile } from './context';
import { BASE_LABEL, type ExistingImages, type ImagePlan, type PlannedImage } from './plan';

/**
 * Carries out an ImagePlan against a Docker Engine with dockerode: the legacy builder API
 * (`/build`, one call per target, the same in-memory context each time, so stages shared
 * by several targets come from the engine's layer cache), labels each image with the base
 * it was built on, and reports progress and sizes.
 */
export type BuildEvent =
  | { kind: 'start'; image: PlannedImage; index: number; total: number }
  | { kind: 'log'; image: PlannedImage; line: string }
  | {
      kind: 'done';
      image: PlannedImage;
      index: number;
      total: number;
      seconds: number;
      sizeBytes: number;
      addedBytes: number;
    };

export interface BuiltImage {
  name: string;
  tag: string;
  built: boolean;
  /** The whole image, base included. */
  sizeBytes: number;
  /** What the image adds over the base image: the layers that are really its own. */
  addedBytes: number;
  seconds: number;
}

export interface BuildOptions {
  /** The project root: where the Dockerfile and the step sources are. */
  root: string;
  /** Pre-made bundles by step; by default the steps are bundled from the sources now. */
  bundles?: Record<string, Buffer>;
  /** The Dockerfile's bytes; by default read from root. */
  dockerfile?: Buffer;
  /** The step contracts (Dockerfile steps' folders); by default read from root. */
  catalog?: StepCatalog;
  onEvent?: (e: BuildEvent) => void;
}

const LOG_TAIL_LINES = 30;

/** For each tag, whether it exists and which base it was built on. */
export async function inspectExisting(
  docker: Docker,
  tags: readonly string[],
): Promise<ExistingImages> {
  const found = new Map<string, string | undefined>();
  for (const tag of tags) {
    try {
      const info = await docker.getImage(tag).inspect();
      found.set(tag, info.Config?.Labels?.[BASE_LABEL]);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw dockerUnreachable(err);
    }
  }
  return found;
}

export async function buildImages(
  plan: ImagePlan,
  docker: Docker,
  options: BuildOptions,
): Promise<BuiltImage[]> {
  const emit = options.onEvent ?? (() => undefined);
  // The TypeScript steps share one context (the Dockerfile and every bundle), made once.
  let shared: Buffer | undefined;
  const contextOf = async (image: PlannedImage): Promise<Buffer> => {
    if (image.folder) {
      const catalog = options.catalog ?? loadStepCatalog(options.root);
      return folderContext(options.root, catalog[image.name]);
    }
    if (!shared) {
      const bundles = options.bundles ?? (await bundleSteps(options.root));
      shared = await buildContext(options.dockerfile ?? readDockerfile(options.root), bundles);
    }
    return shared;
  };
  const results: BuiltImage[] = [];
  const total = plan.images.length;
  const baseSizes = new Map<string, number>();
  for (const [i, image] of plan.images.entries()) {
    const started = Date.now();
    if (image.build) {
      emit({ kind: 'start', image, index: i + 1, total });
      await buildOne(docker, image, await contextOf(image), (line) =>
        emit({ kind: 'log', image, line }),
      );
    }
    const sizeBytes = await imageSize(docker, image.tag);
    // What the image adds over its own base (present: it was just built on).
    const base = image.baseImage ?? plan.baseImage;
    if (!baseSizes.has(base))
      baseSizes.set(base, base === 'none' ? 0 : await imageSize(docker, base));
    const seconds = (Date.now() - started) / 1000;
    const addedBytes = Math.max(0, sizeBytes - (baseSizes.get(base) as number));
    emit({ kind: 'done', image, index: i + 1, total, seconds, sizeBytes, addedBytes });
    results.push({
      name: image.name,
      tag: image.tag,
      built: image.build,
      sizeBytes,
      addedBytes,
      seconds,
    });
  }
  return results;
}

async function buildOne(
  docker: Docker,
  image: PlannedImage,
  context: Buffer,
  onLine: (line: string) => void,
): Promise<void> {
  const baseImage = image.baseImage;
  const log: string[] = [];
  const fail = (message: string, hint?: string) =>
    new DockerBuildError(
      `building ${image.tag} (${image.folder ? `${image.folder}/` : `target ${image.target}`}) failed: ${message}`,
      image.tag,
      image.name,
      log.slice(-LOG_TAIL_LINES).join('\n'),
      hint,
    );
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.buildImage(Readable.from([context]), {
      t: image.tag,
      // A TypeScript step is the `step` stage with its bundle; a Dockerfile step its own file.
      ...(image.folder
        ? { dockerfile: image.dockerfile ?? 'Dockerfile' }
        : { target: image.target }),
      buildargs: {
        ...(baseImage === 'none' ? {} : { BASE_IMAGE: baseImage }),
        ...(image.target === 'step' ? { STEP: image.name } : {}),
      },
      labels: { [BASE_LABEL]: baseImage, 'airflow-ml.image': image.name },
      version: '1', // the legacy builder: no BuildKit session needed, works on every engine
      rm: true,
      forcerm: true,
      pull: false, // offline machines must use the local base; never reach for a registry
    });
  } catch (err) {
    throw fail((err as Error).message, 'is the Docker Engine running? `docker info` should answer');
  }
  type Event = {
    stream?: string;
    status?: string;
    error?: string;
    errorDetail?: { message?: string };
  };
  const events: Event[] = await new Promise((resolve, reject) =>
    docker.modem.followProgress(
      stream,
      (err: Error | null, out: Event[]) => (err ? reject(fail(err.message)) : resolve(out)),
      (e: Event) => {
        for (const line of (e.stream ?? e.status ?? '').split('\n')) {
          if (line.trim() === '') continue;
          log.push(line.trimEnd());
          onLine(line.trimEnd());
        }
        if (e.error) log.push(e.error);
      },
    ),
  );
  const error = events.find((e) => e.error);
  if (error) {
    const message = error.errorDetail?.message ?? error.error ?? 'unknown error';
    const offline =
      /pull access denied|not found|manifest unknown|dial tcp|no such host|TLS handshake/i;
    const hint = offline.test(message)
      ? image.family === 'python'
        ? `the base image ${baseImage} is not available locally and cannot be pulled; run scripts/build-base-images.sh and set AIRFLOW_ML_PYTHON_BASE=airflow-ml-local/python:bookworm`
        : `the base image ${baseImage} is not available locally and cannot be pulled; run scripts/build-base-images.sh and set AIRFLOW_ML_NODE_BASE=airflow-ml-local/node:bookworm (or pass --base-image)`
      : 'see the build log above';
    throw fail(message, hint);
  }
}

async function imageSize(docker: Docker, tag: string): Promise<number> {
  try {
    return (await docker.getImage(tag).inspect()).Size;
  } catch (err) {
    throw dockerUnreachable(err);
  }
}

function dockerUnreachable(err: unknown): DockerBuildError {
  return new DockerBuildError(
    `cannot talk to the Docker Engine: ${(err as Error).message}`,
    '(all)',
    '(all)',
    '',
    'start Docker (scripts/ensure-docker.sh on Debian) and check DOCKER_HOST',
  );
}
