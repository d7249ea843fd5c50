import type { Command } from 'commander';
import { registerConnectionsAdd } from './add';
import { registerConnectionsList } from './list';

export function registerConnections(program: Command): void {
  const connections = program.command('connections').description('Manage Airflow connections.');
  registerConnectionsAdd(connections);
  registerConnectionsList(connections);
}
