import type { TaskSpec } from './types';

/**
 * The first dependency cycle in task order, as ids [a, b, ..., a], or undefined. Iterative
 * depth-first search with an explicit stack: a chain of thousands of tasks must not overflow
 * the call stack.
 */
export function findCycle(tasks: TaskSpec[]): string[] | undefined {
  const deps = new Map<string, string[]>();
  // The first definition wins, as for duplicate-id diagnostics.
  for (const t of tasks) if (!deps.has(t.id)) deps.set(t.id, t.depends_on ?? []);
  const state = new Map<string, 'active' | 'done'>();
  for (const task of tasks) {
    if (state.has(task.id)) continue;
    const path: string[] = [task.id];
    const cursor: number[] = [0];
    state.set(task.id, 'active');
    while (path.length > 0) {
      const id = path[path.length - 1];
      const list = deps.get(id) ?? [];
      const i = cursor[cursor.length - 1]++;
      if (i >= list.length) {
        state.set(id, 'done');
        path.pop();
        cursor.pop();
        continue;
      }
      const dep = list[i];
      if (!deps.has(dep) || dep === id || state.get(dep) === 'done') continue;
      if (state.get(dep) === 'active') return [...path.slice(path.indexOf(dep)), dep].reverse();
      state.set(dep, 'active');
      path.push(dep);
      cursor.push(0);
    }
  }
  return undefined;
}
