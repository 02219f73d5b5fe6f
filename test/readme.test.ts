// The README's library example runs exactly as written, and prints the order's way to `filled`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function readmeExample(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const match = /```ts\n([\s\S]*?)```/.exec(readme);
  if (!match) throw new Error('README.md has no ```ts example');
  return match[1]!;
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
    // Inside the package, so `import ... from 'fillstate'` resolves to this checkout, as it would for a user.
    const directory = join(root, 'test-artifacts');
    mkdirSync(directory, { recursive: true });
    const file = join(directory, 'readme-example.mts');
    writeFileSync(file, readmeExample());
    const run = () => execFileSync(join(root, 'node_modules/.bin/tsx'), [file], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    const output = run();
    expect(output).toMatch(/^1 OrderInitialized pending$/m);
    expect(output).toMatch(/OrderAccepted open/);
    expect(output).toMatch(/OrderFilled filled/);
    expect(output).toMatch(/^filled 0\.5 /m);
    expect(run()).toBe(output);
  });
});
