import type { Command } from 'commander';
import { completionScript, SHELLS } from '../completion';
import { choice } from '../config/cli-options';
import { outText } from '../output/print';

/** `completion bash|zsh`: prints a script generated from this program's command tree. */
export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description('Print a shell completion script for bash or zsh (generated from the commands).')
    .argument('<shell>', SHELLS.join(' or '))
    .action((shell: string) => {
      outText(completionScript(program, choice('SHELL', shell, SHELLS)));
    });
}
