/**
 * The raw dataset's columns, shared by generate (which writes them), preprocess (which
 * validates data.csv strictly against them) and, through transform.json, predict.
 */
export type ColumnKind = 'numeric' | 'categorical' | 'binary';

export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
}

export const FEATURE_COLUMNS: readonly ColumnSpec[] = [
  { name: 'age', kind: 'numeric' },
  { name: 'region', kind: 'categorical' },
  { name: 'plan', kind: 'categorical' },
  { name: 'income', kind: 'numeric' },
  { name: 'tenure_months', kind: 'numeric' },
  { name: 'monthly_spend', kind: 'numeric' },
  { name: 'support_calls', kind: 'numeric' },
];

export const TARGET_COLUMN = 'target';
export const TARGET_COLUMNS: readonly ColumnSpec[] = [{ name: TARGET_COLUMN, kind: 'binary' }];
