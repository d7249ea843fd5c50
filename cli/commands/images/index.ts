import type { Command } from 'commander';
import { registerImagesBuild } from './build';
import { registerImagesTags } from './tags';

export function registerImages(program: Command): void {
  const images = program
    .command('images')
    .description('Build and inspect the per-step Docker images');
  registerImagesBuild(images);
  registerImagesTags(images);
}
