import type { Command } from 'commander';
import { runImagesTags } from '../../actions/images';

export function registerImagesTags(images: Command): void {
  images
    .command('tags')
    .description('Print the content-addressed image of each step (what compiled DAGs reference)')
    .option('--json', 'print JSON: [{"step", "image"}]')
    .action(runImagesTags);
}
