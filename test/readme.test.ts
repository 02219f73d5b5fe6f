// The README's library example runs exactly as written, and prints the order's way to `filled`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every ```ts block of the README, in order: each is a program that must run as written. */
function readmeExamples(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
  if (examples.length === 0) throw new Error('README.md has no ```ts example');
  return examples;
}

/** Runs an example twice inside the package (so `import ... from 'fillstate'` resolves to this checkout, as it would for a user); both outputs must agree. */
function runTwice(name: string, source: string): string {
  const directory = join(root, 'test-artifacts');
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `${name}.mts`);
  writeFileSync(file, source);
  const run = () => execFileSync(join(root, 'node_modules/.bin/tsx'), [file], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  const output = run();
  expect(run()).toBe(output);
  return output;
}

describe('README', () => {
  it('starts with the set-up commands', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(firstBlock.split('\n')[0]).toBe('npm install');
    expect(firstBlock).toContain('npm start');
    expect(firstBlock).toContain('npm test');
  });

  it('library example runs as written and is deterministic', () => {
    const output = runTwice('readme-example', readmeExamples()[0]!);
    // Subscribers hear an event once the turn that announced it has settled: the order has been sent by then.
    expect(output).toMatch(/^1 OrderInitialized submitted$/m);
    expect(output).toMatch(/OrderAccepted open/);
    expect(output).toMatch(/OrderFilled filled/);
    expect(output).toMatch(/^filled 0\.5 /m);
  }, 90_000);

  it('signal example opens a protected position that goes through break-even and trailing to its trailing stop', () => {
    expect(readmeExamples()).toHaveLength(2);
    const output = runTwice('readme-signal-example', readmeExamples()[1]!);
    const lines = output.split('\n');
    expect(lines[0]).toBe('opened');
    const phases = lines.filter((line) => /^(opened |breakEven|trailing|closed by)/.test(line)).map((line) => line.split(' ')[0] + (line.startsWith('closed by') ? ` ${line.split(' ')[2]}` : ''));
    expect(phases).toEqual(['opened', 'breakEven', 'trailing', 'closed trailing']);
    expect(output).toMatch(/trades: 1, winRate: '1'/);
    // The README quotes these lines.
    expect(output).toContain('opened 0.4 BTC at 49996.1 stop 49496.1');
    expect(output).toContain('breakEven stop 50196.5');
  }, 90_000);
});
