// The `fillstate` command's dispatch: `start` runs the daemon; backtest and report --compare / --offline work on
// files; every other command talks to a running daemon over its API.
import { EXIT, USAGE, UsageError, parseCommandLine } from './command-line.ts';
import { clientFor } from './daemon-connection.ts';
import { algos, bracket, controlAlgo, orderLists, twap } from './algo-commands.ts';
import { backtest, compare, historyReport, storeReport } from './report-commands.ts';
import { start } from './start-command.ts';
import { cancel, closeAll, halt, orders, positions, resume, status, submit } from './trading-commands.ts';

/** Runs one command; resolves with its exit code, rejects with what failed (see failureExitCode). */
export async function runCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv);
  const [command = 'start', ...rest] = positionals;
  if (values.help === true || command === 'help') {
    console.log(USAGE);
    return EXIT.ok;
  }
  if (command === 'start') {
    if (rest.length > 0) throw new UsageError(`start takes no arguments, got ${rest.join(' ')}`);
    return start(values);
  }
  if (command === 'backtest') return backtest(values, rest);
  if (command === 'report' && values.compare === true) return compare(values, rest);
  if (command === 'report' && values.offline === true) return storeReport(values, rest);
  const client = clientFor(values);
  const json = values.json === true;
  switch (command) {
    case 'status': return status(client, json);
    case 'orders': return orders(client, values, json);
    case 'positions': return positions(client, values, json);
    case 'submit': return submit(client, values, json);
    case 'cancel': return cancel(client, rest, json);
    case 'halt': return halt(client, values, json);
    case 'resume': return resume(client, json);
    case 'close-all': return closeAll(client, values, json);
    case 'report': return historyReport(client, values, rest);
    case 'twap': return twap(client, values, json);
    case 'bracket': return bracket(client, values, json);
    case 'algos': return algos(client, values, json);
    case 'order-lists': return orderLists(client, values, json);
    case 'pause-algo':
    case 'resume-algo':
    case 'cancel-algo':
    case 'cancel-list':
      return controlAlgo(client, command, values, rest, json);
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}
