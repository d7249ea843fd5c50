import type { AirflowClient } from './client';
import { apiPaths } from './paths';
import type { HealthResponse, VersionResponse } from './api-types';

export interface ComponentStatus {
  name: 'metadatabase' | 'scheduler' | 'dag-processor' | 'triggerer';
  status: string;
  latestHeartbeat: string | null;
}

export interface AirflowStatus {
  url: string;
  version: string;
  components: ComponentStatus[];
  healthy: boolean;
}

/** Health and version; both endpoints are open, so this works without credentials. */
export async function getAirflowStatus(client: AirflowClient): Promise<AirflowStatus> {
  const health = await client.get<HealthResponse>(apiPaths.health, { auth: false });
  const version = await client.get<VersionResponse>(apiPaths.version, { auth: false });
  const components: ComponentStatus[] = [
    {
      name: 'metadatabase',
      status: health.metadatabase.status ?? 'unknown',
      latestHeartbeat: null,
    },
    component('scheduler', health.scheduler, health.scheduler.latest_scheduler_heartbeat),
    component(
      'dag-processor',
      health.dag_processor,
      health.dag_processor?.latest_dag_processor_heartbeat,
    ),
    component('triggerer', health.triggerer, health.triggerer.latest_triggerer_heartbeat),
  ];
  return {
    url: client.baseUrl,
    version: version.version,
    components,
    healthy: components.every((c) => c.status === 'healthy'),
  };
}

function component(
  name: ComponentStatus['name'],
  h: { status: string | null } | null | undefined,
  heartbeat: string | null | undefined,
): ComponentStatus {
  // A null dag_processor means Airflow does not run a standalone one; null status: never seen.
  return { name, status: h?.status ?? 'unknown', latestHeartbeat: heartbeat ?? null };
}
