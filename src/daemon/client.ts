// A small client of the daemon's API for the CLI and scripts: bearer token, JSON in and out, and errors that
// say what happened (daemon down, refused token, a 4xx with its code).

export class DaemonUnreachableError extends Error {
  override name = 'DaemonUnreachableError';
}

export class ApiRequestError extends Error {
  override name = 'ApiRequestError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

export interface DaemonClientOptions {
  readonly url: string;
  readonly token?: string;
  /** Per request; default 10 s. */
  readonly timeoutMs?: number;
}

export class DaemonClient {
  readonly url: string;

  constructor(private readonly options: DaemonClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
  }

  get<T = unknown>(path: string, query: Record<string, string | undefined> = {}): Promise<T> {
    const search = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined));
    const suffix = search.size > 0 ? `?${search}` : '';
    return this.request<T>('GET', `${path}${suffix}`);
  }

  post<T = unknown>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  delete<T = unknown>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.token !== undefined) headers.authorization = `Bearer ${this.options.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new DaemonUnreachableError(`no fillstate daemon at ${this.url}: ${describeNetworkError(error)}`);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new ApiRequestError(response.status, 'not_json', `${this.url} answered ${response.status} with something other than JSON: is it a fillstate daemon?`, text);
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      const code = error?.code ?? `http_${response.status}`;
      const message = response.status === 401
        ? `the daemon at ${this.url} refused the token (${error?.message ?? 'unauthorized'}); pass --token, set FILLSTATE_TOKEN, or use --data-dir to read <data-dir>/token`
        : `${response.status} ${code}: ${error?.message ?? response.statusText}`;
      throw new ApiRequestError(response.status, code, message, parsed);
    }
    return parsed as T;
  }
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  switch (cause?.code) {
    case 'ECONNREFUSED': return 'connection refused (is `fillstate start` running?)';
    case 'ENOTFOUND': return 'the host name does not resolve';
    case 'ECONNRESET': return 'the connection was reset';
    default:
      break;
  }
  if ((error as Error).name === 'TimeoutError') return 'no answer in time';
  return cause?.message ?? (error as Error).message;
}
