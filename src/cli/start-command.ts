// `fillstate start`: runs the daemon in this process until SIGINT or SIGTERM, then shuts it down in order (a
// second signal exits at once).
import { loadConfig } from '../daemon/config.ts';
import { EXIT, type Values } from './command-line.ts';
import { overridesOf } from './option-values.ts';

export async function start(values: Values): Promise<number> {
  const { config, file } = loadConfig({ configPath: values.config, overrides: overridesOf(values) });
  // Loaded here only: the client commands start fast without the engine, venue and server code.
  const { startDaemon } = await import('../daemon/daemon.ts');
  const daemon = await startDaemon({ config });
  daemon.logger.info({ configFile: file ?? null, dataDir: daemon.dataDir, venues: (config.venues ?? [config.venue]).map((venue) => `${venue.id} (${venue.type})`), demo: config.demo.enabled }, 'fillstate started');
  // The one line scripts and people look for. A generated token goes in the inspector URL, as a browser needs it
  // there; one the user set in the environment is theirs already and is not echoed.
  const inspector = daemon.tokenOrigin === 'environment' ? `${daemon.url}/inspector?token=<FILLSTATE_TOKEN>` : daemon.inspectorUrl;
  process.stdout.write(`fillstate listening on ${daemon.url} (API ${daemon.url}/v1, inspector ${inspector})\n`);
  let signals = 0;
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      if (signals > 1) {
        process.stderr.write(`fillstate: ${signal} again, exiting without waiting\n`);
        process.exit(1);
      }
      void daemon.shutdown(signal).then(resolve, (error: unknown) => {
        daemon.logger.fatal({ err: error }, `shutdown failed: ${(error as Error).message}`);
        daemon.logger.flush();
        process.exit(1);
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  return EXIT.ok;
}
