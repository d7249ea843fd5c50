import * as http from 'node:http';
import { envValue, type Env } from '../../base/env';
import { AirflowMlError, ConfigError, ExitCode } from '../../base/errors';
import { htmlFirstLine } from './html-text';

/**
 * The stack's local mail sink, read over the part of Mailpit's REST API v1 that both the
 * official Mailpit image and the offline stand-in (docker/stack/mail-sink/mail-sink.py)
 * serve: `GET /api/v1/messages` (summaries, newest first) and `GET /api/v1/message/{ID}`
 * (one message). Field names are Mailpit's (`ID`, `Created`, `To[].Address`, `Subject`,
 * `HTML`, `Text`, ...). The API is published on this machine's loopback only, at
 * AIRFLOW_ML_MAIL_PORT (default 8025).
 */

export const DEFAULT_MAIL_PORT = 8025;
const REPLY_TIMEOUT_MS = 10_000;

/** The sink could not be read: not running, something else on its port, or a bad answer. */
export class MailSinkError extends AirflowMlError {
  readonly exitCode = ExitCode.config;
}

/** One received alert, as `alerts list` shows it. */
export interface ReceivedAlert {
  id: string;
  /** When the sink received it, ISO 8601 UTC. */
  time: string;
  from: string;
  to: string[];
  subject: string;
  /** The first non-empty line of the body (the HTML part rendered as text, else the text part). */
  firstLine: string;
}

export function mailSinkPort(env: Env): number {
  const raw = envValue(env, 'AIRFLOW_ML_MAIL_PORT');
  if (raw === undefined) return DEFAULT_MAIL_PORT;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) {
    throw new ConfigError(`AIRFLOW_ML_MAIL_PORT must be a port number, not "${raw}"`);
  }
  return port;
}

export function mailSinkUrl(env: Env): string {
  return `http://127.0.0.1:${mailSinkPort(env)}`;
}

/** The newest `limit` messages the sink received, newest first, each read in full. */
export async function listReceivedAlerts(url: string, limit: number): Promise<ReceivedAlert[]> {
  const summary = parseMessagesSummary(
    await getJson(url, `/api/v1/messages?limit=${limit}`),
    `${url}/api/v1/messages`,
  );
  const alerts: ReceivedAlert[] = [];
  for (const s of summary.slice(0, limit)) {
    const path = `/api/v1/message/${encodeURIComponent(s.id)}`;
    const full = parseMessage(await getJson(url, path), `${url}${path}`);
    alerts.push({
      id: s.id,
      time: s.created,
      from: full.from,
      to: s.to,
      subject: s.subject,
      firstLine: full.html ? htmlFirstLine(full.html) : firstTextLine(full.text),
    });
  }
  // Mailpit lists newest first; sorting again keeps that promise for any server.
  return alerts.sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
}

/** Throws MailSinkError unless the sink answers its message list. */
export async function pingMailSink(url: string): Promise<void> {
  parseMessagesSummary(await getJson(url, '/api/v1/messages?limit=1'), `${url}/api/v1/messages`);
}

interface Summary {
  id: string;
  created: string;
  to: string[];
  subject: string;
}

/** `GET /api/v1/messages`: `{ messages: [{ ID, Created, To, Subject, ... }], ... }`. */
export function parseMessagesSummary(body: unknown, source: string): Summary[] {
  const check = checker(source);
  const messages = check.array(check.object(body, '(body)').messages, 'messages');
  return messages.map((m, i) => {
    const at = `messages[${i}]`;
    const o = check.object(m, at);
    const created = check.string(o.Created, `${at}.Created`);
    if (Number.isNaN(Date.parse(created))) {
      throw check.fail(`${at}.Created`, `is not a date-time: "${created}"`);
    }
    return {
      id: check.string(o.ID, `${at}.ID`),
      created: new Date(Date.parse(created)).toISOString(),
      to: check.addresses(o.To, `${at}.To`),
      subject: check.string(o.Subject, `${at}.Subject`),
    };
  });
}

interface FullMessage {
  from: string;
  html: string;
  text: string;
}

/** `GET /api/v1/message/{ID}`: `{ From: { Name, Address } | null, HTML, Text, ... }`. */
export function parseMessage(body: unknown, source: string): FullMessage {
  const check = checker(source);
  const o = check.object(body, '(body)');
  const from = o.From === null ? [] : check.addresses([o.From], 'From');
  return {
    from: from[0] ?? '',
    html: check.string(o.HTML, 'HTML'),
    text: check.string(o.Text, 'Text'),
  };
}

function firstTextLine(text: string): string {
  for (const line of text.split(/\r?\n/)) {
    const collapsed = line.replace(/\s+/g, ' ').trim();
    if (collapsed) return collapsed;
  }
  return '';
}

/** Shape checks whose errors name the URL and the field, e.g. `messages[2].To[0].Address`. */
function checker(source: string) {
  const fail = (field: string, problem: string) =>
    new MailSinkError(
      `${source} answered JSON that is not Mailpit's: ${field} ${problem}`,
      "AIRFLOW_ML_MAIL_PORT must be the port of the stack's mail-sink service (Mailpit or its stand-in); `docker compose ps mail-sink` shows it",
    );
  const object = (v: unknown, field: string): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw fail(field, 'is not an object');
    return v as Record<string, unknown>;
  };
  const array = (v: unknown, field: string): unknown[] => {
    if (!Array.isArray(v)) throw fail(field, 'is not a list');
    return v;
  };
  const string = (v: unknown, field: string): string => {
    if (typeof v !== 'string') throw fail(field, 'is not a string');
    return v;
  };
  // Go encodes an empty address list as null.
  const addresses = (v: unknown, field: string): string[] =>
    v === null
      ? []
      : array(v, field).map((a, i) =>
          string(object(a, `${field}[${i}]`).Address, `${field}[${i}].Address`),
        );
  return { fail, object, array, string, addresses };
}

/** GET a JSON document from the sink, with errors that say what to do. */
function getJson(base: string, path: string): Promise<unknown> {
  const url = `${base}${path}`;
  const notRunning = (why: string) =>
    new MailSinkError(
      `no mail sink answers at ${base} (${why})`,
      'start the stack with `airflow-ml up` (its mail-sink service receives the alerts); if it is running, AIRFLOW_ML_MAIL_PORT must match the port mail-sink publishes (`docker compose ps mail-sink`)',
    );
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: REPLY_TIMEOUT_MS, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => reject(notRunning(err.message)));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) {
          reject(
            new MailSinkError(
              `${url} answered ${res.statusCode}: ${text.trim().slice(0, 200) || '(empty)'}`,
              "AIRFLOW_ML_MAIL_PORT must be the port of the stack's mail-sink service (Mailpit or its stand-in); something else may listen there",
            ),
          );
          return;
        }
        try {
          resolve(JSON.parse(text));
        } catch {
          reject(
            new MailSinkError(
              `${url} answered something that is not JSON: ${text.trim().slice(0, 200) || '(empty)'}`,
              "AIRFLOW_ML_MAIL_PORT must be the port of the stack's mail-sink service (Mailpit or its stand-in); something else may listen there",
            ),
          );
        }
      });
    });
    req.on('timeout', () =>
      req.destroy(new Error(`no answer within ${REPLY_TIMEOUT_MS / 1000} s`)),
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      reject(notRunning(err.code === 'ECONNREFUSED' ? 'connection refused' : err.message));
    });
  });
}
