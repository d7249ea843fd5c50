import type { Pipeline } from '../ir/types';
import { failureNotifier } from './alerts';
import { call, dict, int, none, bool, str, strList, type Py } from './python';

/** The DAG(...) call. Everything here is parse-time constant: no I/O, no Variable.get. */
export function dagCall(p: Pipeline): Py {
  const kwargs: [string, Py][] = [['dag_id', str(p.dagId)]];
  if (p.description !== undefined) kwargs.push(['description', str(p.description)]);
  kwargs.push(
    ['schedule', p.schedule === null ? none : str(p.schedule)],
    ['start_date', startDate(p)],
    ['catchup', bool(p.catchup)],
    ['tags', strList(p.tags)],
  );
  if (p.maxActiveRuns !== undefined) kwargs.push(['max_active_runs', int(p.maxActiveRuns)]);
  if (p.alerts)
    kwargs.push(['default_args', dict([[str('on_failure_callback'), failureNotifier(p.alerts)]])]);
  return call('DAG', kwargs);
}

function startDate(p: Pipeline): Py {
  const d = p.startDate;
  const parts = [d.year, d.month, d.day, d.hour, d.minute, d.second];
  // Trailing zero time fields add nothing.
  while (parts.length > 3 && parts[parts.length - 1] === 0) parts.pop();
  return call('pendulum.datetime', [['tz', str(d.tz)]], parts.map(int));
}
