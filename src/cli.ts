// The `fillstate` command: `start` runs the daemon; every other command talks to a running daemon over its API
// (the commands live in src/cli/).
import { failureExitCode } from './cli/failure.ts';
import { runCommand } from './cli/main.ts';

export { EXIT } from './cli/command-line.ts';

const code = await runCommand(process.argv.slice(2)).catch(failureExitCode);
process.exitCode = code;
// Exit once stdout has drained (a piped --json answer must not be cut short), even if a handle lingers.
setTimeout(() => process.exit(code), 200).unref();
