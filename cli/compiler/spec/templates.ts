/**
 * Jinja in spec strings. Airflow renders templated fields (DockerOperator command and
 * environment, FileSensor filepath, SmtpNotifier subject) with Jinja, so a spec string there
 * is code unless we control it. We allow only a closed set of expressions and reject any other
 * Jinja syntax, so a spec can never run template code.
 */

const VARIABLE = /^var\.value\.[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Expressions allowed in paths, params and environment values. `run_id` names a model
 * version folder (one per DAG run, so a re-run never overwrites a model); Airflow limits run
 * ids to [A-Za-z0-9_.~:+-] (allowed_run_id_pattern), so it cannot add a path separator.
 */
export const RUNTIME_EXPRESSIONS = ['ds', 'ds_nodash', 'run_id'];
/** Extra expressions allowed in an alert subject, which renders in the failure context. */
export const ALERT_EXPRESSIONS = ['ti.dag_id', 'ti.task_id', 'ti.run_id'];

/** Returns a problem description, or undefined when the string's Jinja is allowed. */
export function checkTemplate(value: string, extra: readonly string[] = []): string | undefined {
  // Jinja normalises line breaks (\r\n and \r become \n) and drops a final newline, so a
  // value with one would not reach the step as written.
  if (/[\r\n]/.test(value)) {
    return 'line breaks are not allowed here: Airflow renders this value with Jinja, which rewrites them';
  }
  const allowed = new Set([...RUNTIME_EXPRESSIONS, ...extra]);
  const token = /\{\{([\s\S]*?)\}\}|\{%|\{#|\{\{/g;
  for (let m = token.exec(value); m !== null; m = token.exec(value)) {
    if (m[0] === '{%' || m[0] === '{#') {
      return `Jinja "${m[0]}" is not allowed here`;
    }
    if (m[1] === undefined) return 'an unclosed "{{" is not allowed here';
    const expression = m[1].trim();
    if (!allowed.has(expression) && !VARIABLE.test(expression)) {
      return `template expression "{{ ${expression.slice(0, 40)} }}" is not allowed; use ${[...allowed].map((e) => `{{ ${e} }}`).join(', ')} or {{ var.value.NAME }}`;
    }
  }
  return undefined;
}

/** The string with every allowed template expression removed, for path checks. */
export function withoutTemplates(value: string): string {
  return value.replace(/\{\{[\s\S]*?\}\}/g, 'x');
}

/**
 * Values that Airflow renders as templates but that must stay literal (e-mail addresses):
 * any Jinja delimiter is refused rather than escaped, because no real value needs one.
 */
export function checkNoTemplate(value: string): string | undefined {
  const delimiter = /\{\{|\{%|\{#/.exec(value);
  return delimiter === null
    ? undefined
    : `"${delimiter[0]}" is not allowed here: this value is rendered by Airflow but must stay literal`;
}
