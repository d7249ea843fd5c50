import type Docker from 'dockerode';
import { dockerClient } from '../docker-client';
import { buildImages, inspectExisting, type BuildEvent, type BuiltImage } from './build';
import {
  DEFAULT_PYTHON_BASE_IMAGE,
  LOCAL_PYTHON_BASE_IMAGE,
  imageTargets,
  planImages,
  resolveBaseImage,
  resolvePythonBaseImage,
  type ImagePlan,
} from './plan';

export { imageTags } from '../../compiler/steps/tags';
export { buildImages, inspectExisting } from './build';
export type { BuildEvent, BuiltImage } from './build';
export {
  imageTargets,
  planImages,
  resolveBaseImage,
  resolvePythonBaseImage,
  BASE_LABEL,
  DEFAULT_PYTHON_BASE_IMAGE,
  LOCAL_PYTHON_BASE_IMAGE,
  PYTHON_BASE_IMAGE_ENV,
  DEFAULT_BASE_IMAGE,
  BASE_IMAGE_ENV,
} from './plan';
export type { ImagePlan, PlannedImage, ImageTarget, ExistingImages } from './plan';

export interface BuildAllOptions {
  root: string;
  /** --base-image; falls back to $AIRFLOW_ML_NODE_BASE, then node:20-bookworm-slim. */
  baseImage?: string;
  /** The Python steps' base; falls back to $AIRFLOW_ML_PYTHON_BASE, then python:3.11-slim-bookworm. */
  pythonBase?: string;
  docker?: Docker;
  onEvent?: (e: BuildEvent) => void;
}

/** Plan and build every image that is missing or was built on another base. */
export async function buildAll(
  options: BuildAllOptions,
): Promise<{ plan: ImagePlan; results: BuiltImage[] }> {
  const docker = options.docker ?? (await dockerClient());
  const baseImage = resolveBaseImage(options.baseImage);
  const targets = imageTargets(options.root);
  const existing = await inspectExisting(
    docker,
    targets.map((t) => t.tag),
  );
  const python = await pythonBaseOnThisEngine(
    docker,
    options.pythonBase ?? resolvePythonBaseImage(),
  );
  const plan = planImages(targets, { node: baseImage, python }, existing);
  const results = await buildImages(plan, docker, { root: options.root, onEvent: options.onEvent });
  return { plan, results };
}

/**
 * The public Python image when the engine has it; on an offline machine that never pulled it,
 * the local stand-in scripts/build-base-images.sh made (the builds never pull: pull=false).
 * A base named explicitly is used as it is.
 */
async function pythonBaseOnThisEngine(docker: Docker, wanted: string): Promise<string> {
  if (wanted !== DEFAULT_PYTHON_BASE_IMAGE) return wanted;
  const has = async (tag: string) => (await inspectExisting(docker, [tag])).has(tag);
  if (await has(wanted)) return wanted;
  return (await has(LOCAL_PYTHON_BASE_IMAGE)) ? LOCAL_PYTHON_BASE_IMAGE : wanted;
}
