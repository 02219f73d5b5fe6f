// How a failed command ends: the message on stderr (with the usage for a usage error) and the exit code that
// tells a usage or configuration error from a refusal and from a daemon that is not there.
import { ConfigError } from '../daemon/config.ts';
import { ApiRequestError, DaemonUnreachableError } from '../daemon/client.ts';
import { DataDirectoryLockedError } from '../daemon/data-dir-lock.ts';
import { TokenError } from '../daemon/token.ts';
import { StoreOpenError } from '../store/inspect.ts';
import { EXIT, USAGE, UsageError } from './command-line.ts';

export function failureExitCode(error: unknown): number {
  if (error instanceof UsageError) {
    console.error(`fillstate: ${error.message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (error instanceof ConfigError || error instanceof TokenError || (error instanceof Error && (error.name === 'BacktestConfigError' || error.name === 'StrategyLoadError' || error.name === 'DataFileError' || error.name === 'StoreHistoryError'))) {
    console.error(`fillstate: ${error.message}`);
    return EXIT.usage;
  }
  if (error instanceof DaemonUnreachableError) {
    console.error(`fillstate: ${error.message}`);
    return EXIT.unreachable;
  }
  if (error instanceof ApiRequestError) {
    console.error(`fillstate: ${error.message}`);
    return EXIT.refused;
  }
  if (error instanceof StoreOpenError || error instanceof DataDirectoryLockedError) {
    console.error(`fillstate: ${error.message}`);
    return EXIT.refused;
  }
  const systemError = error as NodeJS.ErrnoException & { address?: string; port?: number };
  if (systemError.code === 'EADDRINUSE') {
    console.error(`fillstate: ${systemError.address}:${systemError.port} is already in use (another fillstate daemon?); choose another with --port`);
    return EXIT.refused;
  }
  console.error(`fillstate: ${(error as Error).stack ?? String(error)}`);
  return EXIT.refused;
}
