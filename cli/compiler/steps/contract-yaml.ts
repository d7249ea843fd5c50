import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { Diagnostic } from '../../base/errors';

/**
 * A small YAML file (a step contract) read with positions: plain data, and line:col for
 * any path in it, so every contract error reads `docker/steps/train/step.yaml:7:5: …`.
 * Specs have their own, hardened reader (spec/parse.ts); a contract is the project's own
 * code, limited in size by loadContracts.
 */
export type Path = readonly (string | number)[];

export interface PositionedYaml {
  data: unknown;
  /** Where the value at `path` starts (its key when `key`), else the nearest parent. */
  at(path: Path, key?: boolean): { line: number; col: number };
}

export function readYaml(
  file: string,
  text: string,
): { yaml?: PositionedYaml; diagnostics: Diagnostic[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const errors = [...doc.errors];
  if (errors.length > 0) {
    return {
      diagnostics: errors.map((e) => ({
        file,
        ...(e.linePos?.[0] ?? { line: 1, col: 1 }),
        message: `YAML syntax error: ${e.message.split('\n')[0]}`,
      })),
    };
  }
  const pos = (offset: number | undefined) =>
    offset === undefined ? { line: 1, col: 1 } : lines.linePos(offset);
  const start = (n: unknown) => (n as Node | undefined)?.range?.[0];
  const at = (path: Path, key = false) => {
    let node: unknown = doc.contents;
    let found = pos(start(node));
    for (const [i, segment] of path.entries()) {
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isPair(p) && isScalar(p.key) && p.key.value === segment,
        );
        if (!pair) return found;
        if (key && i === path.length - 1) return pos(start(pair.key));
        node = pair.value;
        found = pos(start(node) ?? start(pair.key));
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment]) {
        node = node.items[segment];
        found = pos(start(node));
      } else return found;
    }
    return found;
  };
  return { yaml: { data: doc.toJS({ maxAliasCount: 10 }), at }, diagnostics: [] };
}
