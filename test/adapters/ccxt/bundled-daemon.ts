// The daemon as one JavaScript file for the crash test: built once with esbuild (packages left external),
// then started with plain Node. A restart then costs Node's start and the daemon's own work, not the
// TypeScript loader's per-module hooks (measured: 5-6 s against 14 s per start on a loaded 2-core machine).
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { root, startProcess, type Child } from '../../recovery/crash-support.ts';

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
  return startProcess(entry, args, env, { typeScript: false });
}
