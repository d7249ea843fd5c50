import type { Alerts } from '../ir/types';
import { call, str, strList, type Py } from './python';

/**
 * The failure email, sent by the smtp provider through `smtp_default` (credentials live in the
 * connection, never in this file). It runs as each task's on_failure_callback, in the worker,
 * where the task instance, the error and the log URL are known. The exception text is
 * HTML-escaped: it may quote user data.
 */
export const ALERT_HTML = [
  '<p>DAG <b>{{ ti.dag_id }}</b>, task <b>{{ ti.task_id }}</b> failed',
  ' for logical date <b>{{ ds }}</b> (run {{ ti.run_id }}, try {{ ti.try_number }}).</p>',
  '<p>Error: <code>{{ exception | e }}</code></p>',
  '<p>Log: <a href="{{ ti.log_url }}">{{ ti.log_url }}</a></p>',
].join('');

export function failureNotifier(alerts: Alerts): Py {
  return call('SmtpNotifier', [
    ['to', strList(alerts.to)],
    ['subject', str(alerts.subject)],
    ['html_content', str(ALERT_HTML)],
  ]);
}
