// Where the client commands find the running daemon and its token: options, then the environment, then the
// daemon's own config.
import path from 'node:path';
import { DaemonClient } from '../daemon/client.ts';
import { loadConfig } from '../daemon/config.ts';
import { readClientToken } from '../daemon/token.ts';
import type { Values } from './command-line.ts';
import { overridesOf } from './option-values.ts';

export function clientFor(values: Values): DaemonClient {
  let url = values.url ?? process.env.FILLSTATE_URL;
  let dataDir = values['data-dir'] ?? process.env.FILLSTATE_DATA_DIR;
  const tokenGiven = values.token !== undefined || (process.env.FILLSTATE_TOKEN ?? '') !== '';
  if (url === undefined || (!tokenGiven && dataDir === undefined)) {
    // Where the daemon listens and keeps its token, as its config says.
    const { config } = loadConfig({ configPath: values.config, overrides: overridesOf(values) });
    const host = config.server.host === '0.0.0.0' ? '127.0.0.1' : config.server.host === '::' ? '::1' : config.server.host;
    url ??= `http://${host.includes(':') ? `[${host}]` : host}:${config.server.port}`;
    dataDir ??= config.dataDir;
  }
  const token = readClientToken({ token: values.token, dataDir: path.resolve(dataDir ?? './data') });
  return new DaemonClient({ url, token });
}
