import type { Command, Option } from 'commander';

/**
 * Shell completion scripts generated from commander's command tree at run time, so they
 * always list exactly the commands and flags this version has: nothing to keep in sync.
 */

export interface CompletionNode {
  /** Subcommand path, e.g. "" (the program), "variables", "variables import". */
  path: string;
  subcommands: { name: string; description: string }[];
  /** Every flag spelling, long and short, e.g. --specs, -v. */
  flags: string[];
  /** Flags followed by a value (after them, complete file names). */
  valueFlags: string[];
}

export function completionTree(program: Command): CompletionNode[] {
  const nodes: CompletionNode[] = [];
  const walk = (cmd: Command, path: string) => {
    const options: readonly Option[] = cmd.options;
    const flags = options.flatMap((o) => [o.long, o.short].filter((f): f is string => !!f));
    nodes.push({
      path,
      subcommands: cmd.commands.map((c) => ({ name: c.name(), description: c.description() })),
      flags: [...flags, '--help', ...(path === '' ? ['--version'] : [])],
      valueFlags: options
        .filter((o) => o.required || o.optional)
        .flatMap((o) => [o.long, o.short].filter((f): f is string => !!f)),
    });
    for (const sub of cmd.commands) walk(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  walk(program, '');
  return nodes;
}

export const SHELLS = ['bash', 'zsh'] as const;
export type Shell = (typeof SHELLS)[number];

export function completionScript(program: Command, shell: Shell): string {
  const nodes = completionTree(program);
  return shell === 'bash' ? bashScript(nodes) : zshScript(nodes);
}

/** Single-quoted for the shell: the text is data, never code. */
function q(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The loop both shells use to find the subcommand path among the words typed so far. */
function pathCases(nodes: CompletionNode[], indent: string): string {
  const paths = nodes.filter((n) => n.path !== '').map((n) => q(n.path));
  return `${indent}case "\${p:+$p }$w" in\n${indent}  ${paths.join('|')}) p="\${p:+$p }$w" ;;\n${indent}esac`;
}

function bashScript(nodes: CompletionNode[]): string {
  const cases = nodes
    .map(
      (n) =>
        `    ${q(n.path)}) subs=${q(n.subcommands.map((s) => s.name).join(' '))}; flags=${q(n.flags.join(' '))}; values=${q(n.valueFlags.join(' '))} ;;`,
    )
    .join('\n');
  return `# bash completion for airflow-ml, generated from its command tree.
# Load it with: source <(airflow-ml completion bash)
_airflow_ml() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local p="" w i subs="" flags="" values=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
${pathCases(nodes, '    ')}
  done
  case "$p" in
${cases}
  esac
  if [[ " $values " == *" $prev "* ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  elif [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
  fi
}
complete -o default -F _airflow_ml airflow-ml
`;
}

function zshScript(nodes: CompletionNode[]): string {
  const described = (n: CompletionNode) =>
    n.subcommands.map((s) => q(`${s.name}:${s.description.replace(/:/g, '\\:')}`)).join(' ');
  const cases = nodes
    .map(
      (n) =>
        `    ${q(n.path)}) subs=(${described(n)}); flags=(${n.flags.map(q).join(' ')}); values=(${n.valueFlags.map(q).join(' ')}) ;;`,
    )
    .join('\n');
  return `#compdef airflow-ml
# zsh completion for airflow-ml, generated from its command tree.
# Load it with: source <(airflow-ml completion zsh)   (after compinit)
_airflow_ml() {
  local p="" w i
  local -a subs flags values
  for ((i = 2; i < CURRENT; i++)); do
    w="\${words[i]}"
${pathCases(nodes, '    ')}
  done
  case "$p" in
${cases}
  esac
  if (( \${values[(Ie)\${words[CURRENT-1]}]} )); then
    _files
  elif [[ "$PREFIX" == -* ]]; then
    compadd -- $flags
  elif (( \${#subs} )); then
    _describe -t commands 'airflow-ml command' subs
  else
    _files
  fi
}
# Autoloaded from $fpath (the file _airflow-ml): complete now; sourced: register.
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  _airflow_ml "$@"
else
  compdef _airflow_ml airflow-ml
fi
`;
}
