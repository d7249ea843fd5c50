import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A tiny HTTP proxy on 127.0.0.1 in front of a real Airflow that can answer for it
 * (a 500, say), never answer, or drop the connection before or after Airflow acted, and
 * counts what passes. Enough to test retries, timeouts and logins against the real server
 * everywhere else.
 */
export interface Fault {
  /** e.g. "PATCH /api/v2/variables" or "POST /auth/token"; query strings are ignored. */
  route: string;
  /**
   * - a status: answer it instead of Airflow;
   * - 'hang': never answer;
   * - 'reset': read the request, then drop the connection; Airflow never sees it;
   * - 'lose-answer': forward it, let Airflow act and answer, then drop the connection
   *   instead of passing the answer on (a response lost on the way back).
   */
  answer: { status: number; body?: unknown } | 'hang' | 'reset' | 'lose-answer';
  /** How many matching requests to intercept; default all. */
  times?: number;
}

export interface FaultProxy {
  url: string;
  /** "METHOD /path" of every request seen, in order. */
  seen: string[];
  count(route: string): number;
  inject(fault: Fault): void;
  clear(): void;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const seen: string[] = [];
  let faults: (Fault & { used: number })[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const route = `${req.method} ${(req.url ?? '').split('?')[0]}`;
    seen.push(route);
    const fault = faults.find(
      (f) => f.route === route && (f.times === undefined || f.used < f.times),
    );
    const answer = fault?.answer;
    const lose = fault !== undefined && answer === 'lose-answer';
    if (fault && !lose) fault.used += 1;
    if (answer === 'hang') return;
    if (answer === 'reset') {
      req.resume();
      req.on('end', () => req.socket.destroy());
      return;
    }
    if (typeof answer === 'object') {
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body ?? { detail: 'injected fault' }));
      return;
    }
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (up) => {
        if (lose && fault) {
          fault.used += 1;
          up.resume();
          up.on('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    forward.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    count: (route) => seen.filter((r) => r === route).length,
    inject: (fault) => faults.push({ ...fault, used: 0 }),
    clear: () => {
      faults = [];
      seen.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
