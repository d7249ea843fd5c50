import type { AirflowClient } from './client';

/**
 * Airflow's list endpoints answer at most [api] maximum_page_limit items (100 by default)
 * whatever `limit` asks for, silently. These helpers follow `offset` until `total_entries`
 * is reached (or a page comes back empty), advancing by what each page held, so a server
 * with a lower cap is followed too.
 */

/** The most one request asks for; the server's default cap. */
export const PAGE_LIMIT = 100;

export interface Page<T> {
  items: T[];
  total: number | null | undefined;
}

/**
 * Every item of a GET list endpoint (`limit`/`offset`), as one array; at most `max` when
 * given (then the last request asks only for what is still needed).
 */
export async function fetchAll<C, T>(
  client: AirflowClient,
  path: string,
  pick: (page: C) => Page<T>,
  query: Record<string, string | number | boolean | string[] | undefined> = {},
  max = Infinity,
): Promise<T[]> {
  return collect(max, (offset, limit) =>
    client.get<C>(path, { query: { ...query, limit, offset } }).then(pick),
  );
}

/**
 * Every item of a POST list endpoint whose body pages with `page_offset`/`page_limit`
 * (e.g. task instances `…/taskInstances/list`). Listing changes nothing, so the POST may be
 * repeated after a reset like a GET.
 */
export async function postAll<B extends object, C, T>(
  client: AirflowClient,
  path: string,
  body: B,
  pick: (page: C) => Page<T>,
): Promise<T[]> {
  return collect(Infinity, (offset, limit) =>
    client
      .post<C>(path, { ...body, page_offset: offset, page_limit: limit }, { idempotent: true })
      .then(pick),
  );
}

async function collect<T>(
  max: number,
  read: (offset: number, limit: number) => Promise<Page<T>>,
): Promise<T[]> {
  const all: T[] = [];
  while (all.length < max) {
    const page = await read(all.length, Math.min(PAGE_LIMIT, max - all.length));
    all.push(...page.items);
    if (page.items.length === 0 || (page.total != null && all.length >= page.total)) break;
  }
  return all.slice(0, max);
}
