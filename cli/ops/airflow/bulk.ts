import type { AirflowClient } from './client';
import { AirflowApiError } from './errors';
import type { BulkResponse } from './api-types';

export type OnExistence = 'overwrite' | 'skip' | 'fail';

/** Bulk PATCH bodies are applied in chunks so one request never grows without bound. */
const CHUNK = 100;

/**
 * `PATCH {collection}` with one create action. The bulk endpoint answers 200 even when some
 * entities failed, listing them under `create.errors`, so the body is checked here and the
 * first failure becomes an AirflowApiError. Returns the ids Airflow reports as written
 * (with 'skip', ids that already existed are absent).
 */
export async function bulkCreate<T>(
  client: AirflowClient,
  collectionPath: string,
  entities: T[],
  onExistence: OnExistence,
  secrets: (string | undefined)[] = [],
): Promise<string[]> {
  const written: string[] = [];
  for (let i = 0; i < entities.length; i += CHUNK) {
    const chunk = entities.slice(i, i + CHUNK);
    const body = {
      actions: [{ action: 'create', action_on_existence: onExistence, entities: chunk }],
    };
    const res = await client.patch<BulkResponse>(collectionPath, body, { secrets });
    const errors = res.create?.errors ?? [];
    if (errors.length > 0) {
      const first = errors[0];
      const status = typeof first.status_code === 'number' ? first.status_code : undefined;
      const detail = client.redact(String(first.error ?? JSON.stringify(first)));
      throw new AirflowApiError(
        { method: 'PATCH', url: `${client.baseUrl}${collectionPath}` },
        status,
        detail,
        `PATCH ${client.baseUrl}${collectionPath} reported ${errors.length} failed entit${errors.length === 1 ? 'y' : 'ies'}: ${detail}`,
        'nothing else is wrong with the request; fix the entity named above and run again',
      );
    }
    written.push(...(res.create?.success ?? []));
  }
  return written;
}
