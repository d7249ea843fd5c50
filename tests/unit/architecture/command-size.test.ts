import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * Commands only declare (name, arguments, flags, help) and hand over to cli/actions/:
 * every file under cli/commands/ is at most 15 lines, not counting option declarations
 * (`.option(…)`, `.requiredOption(…)`, `.addOption(…)`, `.argument(…)`), which only
 * describe flags.
 */
const COMMANDS = path.resolve(__dirname, '..', '..', '..', 'cli', 'commands');
const LIMIT = 15;

const DECLARATIONS = new Set(['option', 'requiredOption', 'addOption', 'argument']);

/** Lines of `file` outside option declarations. */
export function countedLines(file: string): number {
  const text = fs.readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const excluded = new Set<number>();
  const visit = (node: ts.Node) => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      DECLARATIONS.has(node.expression.name.text)
    ) {
      // From the `.option` token to the closing parenthesis.
      const from = source.getLineAndCharacterOfPosition(node.expression.name.getStart()).line;
      const to = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      for (let l = from; l <= to; l++) excluded.add(l);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  const lines = text.replace(/\n$/, '').split('\n');
  return lines.filter((_, i) => !excluded.has(i)).length;
}

/** Every .ts file under cli/commands/, subcommand folders included, relative to it. */
const files = fs
  .readdirSync(COMMANDS, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.split(path.sep).join('/'))
  .sort();
const sizes = Object.fromEntries(files.map((f) => [f, countedLines(path.join(COMMANDS, f))]));

test(`every command file is ${LIMIT} lines or fewer, not counting option declarations`, () => {
  const over = Object.entries(sizes)
    .filter(([, n]) => n > LIMIT)
    .map(([f, n]) => `cli/commands/${f}: ${n} lines (at most ${LIMIT})`);
  expect(over).toEqual([]);
});
