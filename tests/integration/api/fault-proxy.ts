import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A tiny HTTP proxy on 127.0.0.1 in front of a real Airflow that can answer for it
 * (a 500, say) or never answer, and counts what passes. Enough to test retries, timeouts
 * and logins against the real server everywhere else.
 */
export interface Fault {
  /** e.g. "PATCH /api/v2/variables" or "POST /auth/token"; query strings are ignored. */
  route: string;
  answer: { status: number; body?: unknown } | 'hang';
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
    if (fault) {
      fault.used += 1;
      if (fault.answer === 'hang') return;
      res.writeHead(fault.answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(fault.answer.body ?? { detail: 'injected fault' }));
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
