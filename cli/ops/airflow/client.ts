import axios, { AxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import { AirflowApiError, AirflowUnreachableError, AuthError, type RequestInfo } from './errors';
import { excerpt, Redactor, safeUrl } from './redact';
import {
  backoffDelay,
  DEFAULT_BACKOFF,
  isIdempotentMethod,
  isNotSentCode,
  isRetryableNetworkCode,
  isRetryableStatus,
  type BackoffPolicy,
} from './retry';

/**
 * A small client for the Airflow 3 REST API v2 (and its /auth/token login).
 *
 * - JWT login on first use, accepting `access_token` or `jwt_token` (older FAB answers).
 * - One fresh login when a token is refused: 401 (missing or expired) or 403 "Invalid JWT
 *   token" (garbled, or signed by another secret after a restart).
 * - Per-request timeout; bounded retries with exponential backoff by idempotency
 *   (cli/ops/airflow/retry.ts): GET/PUT/DELETE on refused/reset connections and 5xx, POST/PATCH
 *   only when the connection was refused; never on 4xx or timeouts.
 * - Typed errors with method, URL, status, a redacted body excerpt and a hint.
 * The password and tokens never reach a log line or an error message.
 */

export interface AirflowClientOptions {
  /** The api-server base URL, e.g. http://localhost:8080 (a trailing /api/v2 is tolerated). */
  url: string;
  username: string;
  password: string;
  /** Per request, including login. Default 30 s. */
  timeoutMs?: number;
  backoff?: Partial<BackoffPolicy>;
  /** A token obtained earlier; it is replaced by a fresh login if Airflow refuses it. */
  token?: string;
  /** Receives one redacted line per request and per retry (the CLI's --verbose). */
  log?: (line: string) => void;
  /** Injected in unit tests to avoid real waits. */
  sleep?: (ms: number) => Promise<void>;
}

type QueryValue = string | number | boolean | string[] | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  timeoutMs?: number;
  /** Default application/json. */
  accept?: string;
  /** Values to hide from logs and errors from now on, e.g. a connection password being sent. */
  secrets?: (string | undefined)[];
  /** Send the bearer token (default true). Health and version are open. */
  auth?: boolean;
  /**
   * Whether sending this request twice does no more than sending it once. Default: by
   * method (GET, PUT, DELETE yes; POST, PATCH no). Only for POSTs that change nothing.
   */
  idempotent?: boolean;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

export class AirflowClient {
  readonly baseUrl: string;
  private readonly http: AxiosInstance;
  private readonly redactor = new Redactor();
  private readonly backoff: BackoffPolicy;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private token: string | undefined;
  private logins = 0;

  constructor(private readonly options: AirflowClientOptions) {
    this.baseUrl = normalizeBaseUrl(options.url);
    this.redactor.add(options.password);
    this.redactor.add(options.token);
    this.token = options.token;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.http = axios.create({
      baseURL: this.baseUrl,
      // Airflow is local or on an intranet; an HTTP(S)_PROXY meant for the internet must not
      // swallow http://localhost:8080.
      proxy: false,
      maxRedirects: 0,
      validateStatus: () => true,
      // order_by=a&order_by=b, as FastAPI expects for list parameters.
      paramsSerializer: { indexes: null },
    });
  }

  /** How many times this client logged in (for diagnostics and tests). */
  get loginCount(): number {
    return this.logins;
  }

  /** Hide `text`'s secrets; commands use it for anything they echo from Airflow. */
  redact(text: string): string {
    return this.redactor.redact(text);
  }

  get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, options);
  }
  post<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, { ...options, body });
  }
  patch<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('PATCH', path, { ...options, body });
  }
  put<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('PUT', path, { ...options, body });
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    for (const s of options.secrets ?? []) this.redactor.add(s);
    const auth = options.auth ?? true;
    if (auth && this.token === undefined) await this.login();
    let freshLogin = false;
    for (;;) {
      const res = await this.send(method, path, options, auth ? this.token : undefined);
      if (auth && isRefusedToken(res)) {
        if (!freshLogin) {
          this.log(
            `${method} ${this.describe(path)}: token refused (${res.status}); logging in again`,
          );
          freshLogin = true;
          await this.login();
          continue;
        }
        throw new AuthError(
          this.info(method, path),
          res.status,
          `Airflow refused a freshly issued token for ${method} ${this.describe(path)} (${res.status} ${this.bodyText(res)})`,
          'the api-server may sign tokens with a different secret than it checks: give every Airflow ' +
            'process the same AIRFLOW__API_AUTH__JWT_SECRET',
        );
      }
      return this.interpret<T>(method, path, res);
    }
  }

  /** POST /auth/token; stores the JWT. Throws AuthError when the credentials are refused. */
  async login(): Promise<void> {
    const path = '/auth/token';
    // Issuing a token changes nothing on the server: safe to repeat after a reset.
    const res = await this.send(
      'POST',
      path,
      {
        body: { username: this.options.username, password: this.options.password },
        idempotent: true,
      },
      undefined,
    );
    this.logins += 1;
    if (res.status === 401 || res.status === 403) {
      throw new AuthError(
        this.info('POST', path),
        res.status,
        `Airflow at ${this.baseUrl} refused the username or password (${res.status} ${this.bodyText(res)})`,
        "check AIRFLOW_USERNAME and AIRFLOW_PASSWORD (or --username/--password, or the project's .env)",
      );
    }
    if (res.status === 404 || res.status === 405) {
      throw new AirflowApiError(
        this.info('POST', path),
        res.status,
        this.bodyText(res),
        `POST ${this.describe(path)} answered ${res.status}: no token endpoint there`,
        'AIRFLOW_URL must be the Airflow 3 api-server base URL, e.g. http://localhost:8080 (no /api/v1)',
      );
    }
    const data = res.data as { access_token?: unknown; jwt_token?: unknown } | undefined;
    const token = data?.access_token ?? data?.jwt_token;
    if (res.status >= 200 && res.status < 300 && typeof token === 'string' && token.length > 0) {
      this.redactor.add(token);
      this.token = token;
      return;
    }
    if (res.status >= 200 && res.status < 300) {
      throw new AirflowApiError(
        this.info('POST', path),
        res.status,
        this.bodyText(res),
        `POST ${this.describe(path)} answered ${res.status} without access_token or jwt_token`,
        'is AIRFLOW_URL an Airflow 3 api-server?',
      );
    }
    this.interpret('POST', path, res);
  }

  /** One HTTP exchange, retried as cli/ops/airflow/retry.ts allows. */
  private async send(
    method: string,
    path: string,
    options: RequestOptions,
    token: string | undefined,
  ): Promise<AxiosResponse & { attempts: number }> {
    const timeout = options.timeoutMs ?? this.timeoutMs;
    const headers: Record<string, string> = { Accept: options.accept ?? 'application/json' };
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;
    const idempotent = options.idempotent ?? isIdempotentMethod(method);
    const attempts = this.backoff.retries + 1;
    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      try {
        const res = await this.http.request({
          method,
          url: path,
          params: options.query,
          data: options.body,
          headers,
          timeout,
        });
        this.log(`${method} ${this.describe(path)} -> ${res.status} (${Date.now() - started} ms)`);
        if (isRetryableStatus(res.status, idempotent) && attempt < attempts) {
          await this.pause(attempt, `${res.status}`, method, path);
          continue;
        }
        return Object.assign(res, { attempts: attempt });
      } catch (err) {
        const code = err instanceof AxiosError ? err.code : undefined;
        if (isTimeout(err)) {
          throw new AirflowUnreachableError(
            this.info(method, path),
            'timeout',
            `no answer from Airflow within ${timeout / 1000} s: ${method} ${this.describe(path)}`,
            'Airflow may be overloaded or stuck; check the api-server, or allow longer with --http-timeout SECONDS',
            true,
          );
        }
        if (isRetryableNetworkCode(code, idempotent) && attempt < attempts) {
          await this.pause(attempt, code ?? 'network error', method, path);
          continue;
        }
        const reason = code ?? (err instanceof Error ? err.message : String(err));
        const mayHaveReached = !isNotSentCode(code) && code !== 'ENOTFOUND';
        if (mayHaveReached && !idempotent) {
          throw new AirflowUnreachableError(
            this.info(method, path),
            reason,
            `the connection to Airflow at ${this.baseUrl} broke after the request was sent (${reason}): ${method} ${this.describe(path)}; not repeated, because Airflow may have applied it`,
            'check whether it took effect (e.g. `airflow-ml runs DAG_ID`) before running the command again',
            true,
          );
        }
        throw new AirflowUnreachableError(
          this.info(method, path),
          reason,
          `cannot reach Airflow at ${this.baseUrl} (${reason}${attempt > 1 ? ` after ${attempt} attempts` : ''}): ${method} ${this.describe(path)}`,
          'is Airflow running? Check AIRFLOW_URL (or --airflow-url) and `airflow-ml status`',
          mayHaveReached,
        );
      }
    }
  }

  private async pause(attempt: number, why: string, method: string, path: string): Promise<void> {
    const delay = backoffDelay(attempt, this.backoff);
    this.log(
      `${method} ${this.describe(path)}: ${why}; retry ${attempt}/${this.backoff.retries} in ${delay} ms`,
    );
    await this.sleep(delay);
  }

  private interpret<T>(method: string, path: string, res: AxiosResponse & { attempts: number }): T {
    if (res.status >= 200 && res.status < 300) return res.data as T;
    const body = this.bodyText(res);
    const where = `${method} ${this.describe(path)}`;
    if (res.status === 401 || res.status === 403) {
      throw new AuthError(
        this.info(method, path),
        res.status,
        `${where} was refused (${res.status} ${body})`,
        res.status === 403
          ? 'the Airflow user lacks permission for this; use an admin user or grant the role'
          : 'check AIRFLOW_USERNAME and AIRFLOW_PASSWORD',
      );
    }
    const message = `${where} answered ${res.status}${res.attempts > 1 ? ` after ${res.attempts} attempts` : ''}${body ? `: ${body}` : ''}`;
    throw new AirflowApiError(
      this.info(method, path),
      res.status,
      body,
      message,
      hintForStatus(res.status),
    );
  }

  private bodyText(res: AxiosResponse): string {
    return this.redactor.redact(excerpt(res.data));
  }

  private describe(path: string): string {
    return this.redactor.redact(`${this.baseUrl}${path}`);
  }

  private info(method: string, path: string): RequestInfo {
    return { method, url: this.describe(path) };
  }

  private log(line: string): void {
    this.options.log?.(this.redactor.redact(line));
  }
}

function normalizeBaseUrl(url: string): string {
  return safeUrl(url.trim())
    .replace(/\/+$/, '')
    .replace(/\/api\/v2$/, '');
}

function isRefusedToken(res: AxiosResponse): boolean {
  if (res.status === 401) return true;
  const detail = (res.data as { detail?: unknown } | undefined)?.detail;
  return res.status === 403 && typeof detail === 'string' && /invalid jwt/i.test(detail);
}

function isTimeout(err: unknown): boolean {
  if (!(err instanceof AxiosError)) return false;
  return err.code === 'ETIMEDOUT' || (err.code === 'ECONNABORTED' && /timeout/i.test(err.message));
}

function hintForStatus(status: number): string {
  if (status === 404)
    return 'check the id; `airflow-ml runs DAG_ID` and the Airflow UI list what exists';
  if (status === 409) return 'it already exists; nothing was changed';
  if (status === 400 || status === 422)
    return 'Airflow rejected the request; the detail above says which field';
  if (status >= 500) return 'Airflow failed internally; its api-server log has the traceback';
  return 'see the Airflow api-server log';
}
