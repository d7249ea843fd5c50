import type { Command } from 'commander';
import { runImagesBuild } from '../../actions/images';

export function registerImagesBuild(images: Command): void {
  images
    .command('build')
    .description(
      'Build every step image whose content tag is missing (or was built on another base)',
    )
    .option(
      '--base-image <image>',
      'base image for the Dockerfile ARG BASE_IMAGE (default: $AIRFLOW_ML_NODE_BASE, else node:20-bookworm-slim)',
    )
    .action(runImagesBuild);
}
