import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadStepCatalog, type BaseFamily } from '../../compiler/steps/contract';
import { imageTags } from '../../compiler/steps/tags';

/**
 * What `images build` will do, as plain data: every image (the shared base stage first, then
 * one per step, each built from its kind: a TypeScript step as the `step` stage of
 * docker/Dockerfile, a Dockerfile step from its own folder; an image-only step is prebuilt)
 * with its content tag, and whether it must be built. An image is skipped only when its tag
 * already exists AND was built on the same base image (label BASE_LABEL), so switching
 * between the public base and the offline stand-in rebuilds instead of reusing.
 */
export const BASE_LABEL = 'airflow-ml.base';
export const DEFAULT_BASE_IMAGE = 'node:20-bookworm-slim';
export const BASE_IMAGE_ENV = 'AIRFLOW_ML_NODE_BASE';
export const DOCKERFILE = 'docker/Dockerfile';
export const DEFAULT_PYTHON_BASE_IMAGE = 'python:3.11-slim-bookworm';
export const PYTHON_BASE_IMAGE_ENV = 'AIRFLOW_ML_PYTHON_BASE';
/** Built by scripts/build-base-images.sh: Debian's python3 with the step family's wheels. */
export const LOCAL_PYTHON_BASE_IMAGE = 'airflow-ml-local/python:bookworm';

export interface ImageTarget {
  /** "base" or a step name. */
  name: string;
  /** The stage of docker/Dockerfile to build ("base", or "step" with STEP=name); "" for a Dockerfile step. */
  target: string;
  tag: string;
  /** Which base image the build starts from (default node). */
  family?: BaseFamily;
  /** A Dockerfile step: its folder (root-relative), sent as its own build context. */
  folder?: string;
  /** A Dockerfile step: its Dockerfile, relative to the folder (step.yaml's `dockerfile`). */
  dockerfile?: string;
}

export interface PlannedImage extends ImageTarget {
  build: boolean;
  reason: string;
  /** The base image this build starts from ("none": the Dockerfile names its own). */
  baseImage: string;
}

/** The base image of each family: node is --base-image's, python its own. */
export interface BaseImages {
  node: string;
  python: string;
}

export interface ImagePlan {
  /** The Node base (TypeScript steps). */
  baseImage: string;
  bases: BaseImages;
  images: PlannedImage[];
}

/** Tag -> value of its BASE_LABEL (undefined when the image exists without one). */
export type ExistingImages = ReadonlyMap<string, string | undefined>;

/** --base-image, else $AIRFLOW_ML_NODE_BASE, else the public Node image. */
export function resolveBaseImage(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  return flag || env[BASE_IMAGE_ENV] || DEFAULT_BASE_IMAGE;
}

/** $AIRFLOW_ML_PYTHON_BASE, else the public Python image. */
export function resolvePythonBaseImage(env: NodeJS.ProcessEnv = process.env): string {
  return env[PYTHON_BASE_IMAGE_ENV] || DEFAULT_PYTHON_BASE_IMAGE;
}

/**
 * The base stage, then each step with its content tag: TypeScript steps (the `step` stage),
 * then Dockerfile steps (their folders). Image-only steps are prebuilt: nothing to build.
 */
export function imageTargets(root: string): ImageTarget[] {
  const dockerfile = fs.readFileSync(path.join(root, DOCKERFILE));
  const baseHash = createHash('sha256').update(dockerfile).digest('hex').slice(0, 12);
  const catalog = loadStepCatalog(root);
  const tags = imageTags(root, catalog);
  const steps = Object.values(catalog).filter((s) => s.kind !== 'image');
  const ts = steps
    .filter((s) => s.kind === 'typescript')
    .map((s) => ({ name: s.name, target: 'step', tag: tags[s.name] }));
  const own = steps
    .filter((s) => s.kind === 'dockerfile')
    .map((s) => ({
      name: s.name,
      target: '',
      tag: tags[s.name],
      family: s.base,
      folder: s.dir,
      dockerfile: path.posix.relative(s.dir, s.dockerfile ?? `${s.dir}/Dockerfile`),
    }));
  return [{ name: 'base', target: 'base', tag: `airflow-ml-base:${baseHash}` }, ...ts, ...own];
}

export function planImages(
  targets: readonly ImageTarget[],
  bases: string | BaseImages,
  existing: ExistingImages,
): ImagePlan {
  const b: BaseImages =
    typeof bases === 'string' ? { node: bases, python: DEFAULT_PYTHON_BASE_IMAGE } : bases;
  const images = targets.map((t): PlannedImage => {
    const family = t.family ?? 'node';
    const baseImage = family === 'none' ? 'none' : b[family];
    if (!existing.has(t.tag)) return { ...t, baseImage, build: true, reason: 'not built yet' };
    const label = existing.get(t.tag);
    if (label !== baseImage) {
      return {
        ...t,
        baseImage,
        build: true,
        reason: `exists, but built on ${label ?? 'an unknown base'}`,
      };
    }
    return { ...t, baseImage, build: false, reason: 'up to date' };
  });
  // Parents before children: the base stage first, whatever order the targets came in.
  images.sort((x, y) => Number(y.name === 'base') - Number(x.name === 'base'));
  return { baseImage: b.node, bases: b, images };
}
