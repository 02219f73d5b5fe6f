// The `fillstate` command. Until the daemon lands, `start` runs the live paper-trading demo.
import { startDemo } from './demo.ts';
import { SystemClock } from './engine/clock.ts';

const [command = 'start'] = process.argv.slice(2);

if (command !== 'start') {
  console.error(`unknown command "${command}"; usage: fillstate start`);
  process.exit(2);
}

console.log('fillstate demo: paper venue, synthetic BTC/USDT market, a new order every 1.5 s. Ctrl-C to stop.');
console.log('time          seq   order          event                   state         detail');
const demo = await startDemo({ clock: new SystemClock(), write: (line) => console.log(line) });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void demo.stop().then(() => process.exit(0));
  });
}
