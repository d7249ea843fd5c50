import { verdict, type ServiceState } from '../../../../cli/ops/stack/services';

function state(partial: Partial<ServiceState>): ServiceState {
  return {
    service: 's',
    status: 'running',
    health: 'healthy',
    exitCode: 0,
    restartCount: 0,
    ...partial,
  };
}

describe('service verdicts', () => {
  it('accepts running+healthy services and an init that exited 0', () => {
    expect(verdict('airflow-scheduler', state({}))).toEqual({ ok: true });
    expect(verdict('airflow-init', state({ status: 'exited', health: 'none' }))).toEqual({
      ok: true,
    });
  });

  it('waits for starting services and a running init', () => {
    expect(verdict('airflow-scheduler', state({ health: 'starting' }))).toMatchObject({
      ok: false,
      final: false,
    });
    expect(verdict('airflow-init', state({ health: 'none' }))).toMatchObject({
      ok: false,
      final: false,
    });
    expect(verdict('postgres', undefined)).toMatchObject({
      ok: false,
      final: false,
      why: 'not created',
    });
  });

  it('gives up on a failed init, an unhealthy service, an exit and a crash loop', () => {
    expect(verdict('airflow-init', state({ status: 'exited', exitCode: 2 }))).toEqual({
      ok: false,
      final: true,
      why: 'exited with code 2',
    });
    expect(verdict('airflow-apiserver', state({ health: 'unhealthy' }))).toMatchObject({
      final: true,
    });
    expect(verdict('postgres', state({ status: 'exited', exitCode: 1 }))).toMatchObject({
      final: true,
    });
    expect(
      verdict(
        'airflow-triggerer',
        state({ status: 'restarting', health: 'starting', restartCount: 3 }),
      ),
    ).toMatchObject({
      final: true,
      why: 'restarting (3 restarts)',
    });
    // Recovered from earlier crashes: running and healthy is fine, whatever the count.
    expect(
      verdict(
        'airflow-scheduler',
        state({ status: 'running', health: 'healthy', restartCount: 4 }),
      ),
    ).toEqual({ ok: true });
    expect(
      verdict(
        'airflow-scheduler',
        state({ status: 'running', health: 'starting', restartCount: 4 }),
      ),
    ).toEqual({ ok: false, final: false, why: 'running, health starting' });
  });
});
