// The API token: from FILLSTATE_TOKEN, or generated at first start into <data-dir>/token (owner-only), and
// compared in constant time so response timing says nothing about how much of a guess was right.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const TOKEN_FILE_NAME = 'token';
const MIN_TOKEN_LENGTH = 16;

export interface ResolvedToken {
  readonly token: string;
  /** 'environment', 'file' (read from an earlier start) or 'generated' (written now). */
  readonly origin: 'environment' | 'file' | 'generated';
  readonly file?: string;
}

export class TokenError extends Error {
  override name = 'TokenError';
}

export function tokenFilePath(dataDir: string): string {
  return path.join(dataDir, TOKEN_FILE_NAME);
}

/** FILLSTATE_TOKEN if set; else the token file in dataDir; else a new random token written there with mode 0600. */
export function resolveToken(dataDir: string, env: NodeJS.ProcessEnv = process.env): ResolvedToken {
  const fromEnvironment = env.FILLSTATE_TOKEN;
  if (fromEnvironment !== undefined && fromEnvironment !== '') {
    if (fromEnvironment.length < MIN_TOKEN_LENGTH) throw new TokenError(`FILLSTATE_TOKEN must be at least ${MIN_TOKEN_LENGTH} characters`);
    return { token: fromEnvironment, origin: 'environment' };
  }
  const file = tokenFilePath(dataDir);
  if (existsSync(file)) {
    const mode = statSync(file).mode & 0o777;
    // A token others can read is no secret: refuse rather than silently trust it.
    if ((mode & 0o077) !== 0) throw new TokenError(`${file} is readable by others (mode ${mode.toString(8)}); run: chmod 600 ${file}`);
    const token = readFileSync(file, 'utf8').trim();
    if (token.length < MIN_TOKEN_LENGTH) throw new TokenError(`${file} holds no usable token (fewer than ${MIN_TOKEN_LENGTH} characters); delete it to have a new one generated`);
    return { token, origin: 'file', file };
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { token, origin: 'generated', file };
}

/** Reads the token a CLI should use: the explicit one, FILLSTATE_TOKEN, or the daemon's token file. */
export function readClientToken(options: { token?: string; dataDir: string; env?: NodeJS.ProcessEnv }): string | undefined {
  if (options.token !== undefined && options.token !== '') return options.token;
  const fromEnvironment = (options.env ?? process.env).FILLSTATE_TOKEN;
  if (fromEnvironment !== undefined && fromEnvironment !== '') return fromEnvironment;
  const file = tokenFilePath(options.dataDir);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * A constant-time check of presented tokens against the expected one: both sides are hashed to equal-length
 * digests first, so neither the content nor the length of a wrong guess changes the time taken.
 */
export function createTokenCheck(expected: string): (presented: string | undefined) => boolean {
  const expectedDigest = digest(expected);
  return (presented) => {
    const presentedDigest = digest(presented ?? '');
    return timingSafeEqual(presentedDigest, expectedDigest) && presented !== undefined;
  };
}

/** The token in an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
