/**
 * A step parameter's type and bounds, and the one check of a value against them. Pure (no
 * fs, no YAML): the compiler checks spec values with it, the contract checks defaults with
 * it, and the TypeScript steps parse their flags with it (esbuild bundles this file into
 * each step), so a value the compiler accepts is a value the step accepts.
 */
export type ParamType = 'integer' | 'number' | 'string' | 'boolean';
export type ParamValue = number | string | boolean;

export interface ParamSpec {
  type: ParamType;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: ParamValue;
  description?: string;
}

/** What is wrong with a typed value ("must be an integer"), or undefined when it fits. */
export function checkParamValue(value: unknown, p: ParamSpec): string | undefined {
  const type = p.type;
  if (type === 'integer' && !(typeof value === 'number' && Number.isInteger(value)))
    return 'must be an integer';
  if (type === 'number' && typeof value !== 'number') return 'must be a number';
  if (type === 'boolean' && typeof value !== 'boolean') return 'must be true or false';
  if (type === 'string') {
    if (typeof value !== 'string') return 'must be a string';
    // The value follows its flag as the next argument; one starting with "--" would be read
    // as the next flag by both step parsers (args.ts, airflow_ml_step.py).
    return value.startsWith('--')
      ? 'must not start with "--" (it would read as a flag)'
      : undefined;
  }
  if (typeof value !== 'number') return undefined;
  if (!Number.isFinite(value)) return 'must be finite';
  if (type === 'integer' && !Number.isSafeInteger(value)) return 'must be a safe integer';
  if (p.minimum !== undefined && value < p.minimum) return `must be >= ${p.minimum}`;
  if (p.maximum !== undefined && value > p.maximum) return `must be <= ${p.maximum}`;
  if (p.exclusiveMinimum !== undefined && value <= p.exclusiveMinimum)
    return `must be > ${p.exclusiveMinimum}`;
  if (p.exclusiveMaximum !== undefined && value >= p.exclusiveMaximum)
    return `must be < ${p.exclusiveMaximum}`;
  return undefined;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A flag's text as the param's type: numbers in decimal or exponent notation, booleans as
 * true|false, strings as they are. An error says what was expected; `quoted` when the text's
 * form is wrong (shown as "got \"abc\""), not its size (shown as "got -1").
 */
export function parseParamText(
  text: string,
  p: ParamSpec,
): { value: ParamValue } | { error: string; quoted: boolean } {
  if (p.type === 'string') {
    const problem = checkParamValue(text, p);
    return problem ? { error: problem, quoted: true } : { value: text };
  }
  if (p.type === 'boolean') {
    if (text !== 'true' && text !== 'false')
      return { error: 'must be true or false', quoted: true };
    return { value: text === 'true' };
  }
  const kind = p.type === 'integer' ? 'an integer' : 'a number';
  if (!NUMBER.test(text)) return { error: `must be ${kind}`, quoted: true };
  const value = Number(text);
  if (!Number.isFinite(value)) return { error: 'must be a finite number', quoted: true };
  if (p.type === 'integer' && !Number.isSafeInteger(value))
    return { error: 'must be an integer', quoted: true };
  const problem = checkParamValue(value, p);
  return problem ? { error: problem, quoted: false } : { value };
}
