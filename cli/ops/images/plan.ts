import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { imageTags } from '../../compiler/steps/tags';

/**
 * What `images build` will do, as plain data: every image (the shared base stage first, then
 * one per step) with its content tag, and whether it must be built. An image is skipped only
 * when its tag already exists AND was built on the same base image (label BASE_LABEL), so
 * switching between node:20 and the offline stand-in rebuilds instead of reusing.
 */
export const BASE_LABEL = 'airflow-ml.base';
export const DEFAULT_BASE_IMAGE = 'node:20-bookworm-slim';
export const BASE_IMAGE_ENV = 'AIRFLOW_ML_NODE_BASE';
export const DOCKERFILE = 'docker/Dockerfile';

export interface ImageTarget {
  /** "base" or a step name. */
  name: string;
  /** The Dockerfile stage to build. */
  target: string;
  tag: string;
}

export interface PlannedImage extends ImageTarget {
  build: boolean;
  reason: string;
}

export interface ImagePlan {
  baseImage: string;
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

/** The base stage, then each step of steps.json, with their content tags. */
export function imageTargets(root: string): ImageTarget[] {
  const dockerfile = fs.readFileSync(path.join(root, DOCKERFILE));
  const baseHash = createHash('sha256').update(dockerfile).digest('hex').slice(0, 12);
  const steps = Object.entries(imageTags(root)).map(([step, tag]) => ({
    name: step,
    target: step,
    tag,
  }));
  return [{ name: 'base', target: 'base', tag: `airflow-ml-base:${baseHash}` }, ...steps];
}

export function planImages(
  targets: readonly ImageTarget[],
  baseImage: string,
  existing: ExistingImages,
): ImagePlan {
  const images = targets.map((t): PlannedImage => {
    if (!existing.has(t.tag)) return { ...t, build: true, reason: 'not built yet' };
    const label = existing.get(t.tag);
    if (label !== baseImage) {
      return { ...t, build: true, reason: `exists, but built on ${label ?? 'an unknown base'}` };
    }
    return { ...t, build: false, reason: 'up to date' };
  });
  // Parents before children: the base stage first, whatever order the targets came in.
  images.sort((a, b) => Number(b.name === 'base') - Number(a.name === 'base'));
  return { baseImage, images };
}
