import type { components } from './generated/rest-api';

/**
 * Short names for the REST API v2 schemas the client reads and sends. Every type is the one
 * `npm run gen:api` generated from the pinned Airflow's OpenAPI document
 * (cli/ops/airflow/generated/rest-api.ts): enums and required fields are the server's, never ours.
 */
type Schemas = components['schemas'];

export type VariableResponse = Schemas['VariableResponse'];
export type VariableCollection = Schemas['VariableCollectionResponse'];
export type ConnectionBody = Schemas['ConnectionBody'];
export type ConnectionResponse = Schemas['ConnectionResponse'];
export type ConnectionCollection = Schemas['ConnectionCollectionResponse'];
export type BulkResponse = Schemas['BulkResponse'];
export type DagResponse = Schemas['DAGResponse'];
export type DagCollection = Schemas['DAGCollectionResponse'];
export type ImportErrorResponse = Schemas['ImportErrorResponse'];
export type ImportErrorCollection = Schemas['ImportErrorCollectionResponse'];
export type DagRunState = Schemas['DagRunState'];
export type DagRunType = Schemas['DagRunType'];
export type DagRunResponse = Schemas['DAGRunResponse'];
export type DagRunCollection = Schemas['DAGRunCollectionResponse'];
export type DagVersionResponse = Schemas['DagVersionResponse'];
export type DagVersionCollection = Schemas['DAGVersionCollectionResponse'];
export type TaskInstanceState = Schemas['TaskInstanceState'];
export type TaskInstanceResponse = Schemas['TaskInstanceResponse'];
export type TaskInstanceCollection = Schemas['TaskInstanceCollectionResponse'];
export type TaskInstancesBatchBody = Schemas['TaskInstancesBatchBody'];
export type StructuredLogMessage = Schemas['StructuredLogMessage'];
export type TaskLogResponse = Schemas['TaskInstancesLogResponse'];
export type HealthResponse = Schemas['HealthInfoResponse'];
export type VersionResponse = Schemas['VersionInfo'];
export type ReprocessBehavior = Schemas['ReprocessBehavior'];
export type BackfillResponse = Schemas['BackfillResponse'];
export type BackfillCollection = Schemas['BackfillCollectionResponse'];
export type DryRunBackfillCollection = Schemas['DryRunBackfillCollectionResponse'];
