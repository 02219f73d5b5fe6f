// The daemon as one JavaScript file for the crash test: built once with esbuild (packages left external),
// then started with plain Node. A restart then costs Node's start and the daemon's own work, not the
// TypeScript loader's per-module hooks (measured: 5-6 s against 14 s per start on a loaded 2-core machine).
import { spawn } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { root, type Child, type Line } from '../../recovery/crash-support.ts';

/** Builds `src/cli.ts` into `directory`, beside links to the packages and the inspector's page it reads at start. */
export async function buildDaemon(directory: string): Promise<string> {
  mkdirSync(directory, { recursive: true });
  const entry = join(directory, 'cli.mjs');
  await build({ entryPoints: [join(root, 'src', 'cli.ts')], outfile: entry, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning' });
  symlinkSync(join(root, 'node_modules'), join(directory, 'node_modules'));
  symlinkSync(join(root, 'src', 'inspector', 'page'), join(directory, 'page'));
  return entry;
}

/** Starts the built daemon as its own process; its output lines as crash-support's Child gives them. */
export function startBuiltDaemon(entry: string, args: readonly string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, [entry, ...args], { cwd: root, env: { ...process.env, ...env } });
  const lines: Line[] = [];
  const texts: Array<{ line: Line; text: string }> = [];
  const waiters: Array<{ predicate: (line: Line, text: string) => boolean; resolve: (line: Line) => void }> = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  createInterface({ input: child.stdout }).on('line', (text) => {
    let line: Line;
    try {
      line = JSON.parse(text) as Line;
      lines.push(line);
    } catch {
      line = { text };
    }
    texts.push({ line, text });
    for (const waiter of [...waiters]) {
      if (!waiter.predicate(line, text)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    stderr: () => stderr,
    next: (predicate) => {
      const seen = texts.find(({ line, text }) => predicate(line, text));
      if (seen !== undefined) return Promise.resolve(seen.line);
      return new Promise((resolve, reject) => {
        waiters.push({ predicate, resolve });
        void exited.then((code) => reject(new Error(`the daemon exited (${code}) before the expected line; stderr: ${stderr}`)));
      });
    },
  };
}
