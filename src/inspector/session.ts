// The inspector's browser session: the token a user opens the page with is exchanged once for a signed session
// cookie (HttpOnly, SameSite=Strict), and the page reloads without it, so the token leaves the address
// bar, the history and any screenshot. The page's assets, API calls and sockets then authenticate by cookie.
// Also the page's security headers: a content security policy and no framing.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const SESSION_COOKIE = 'fillstate_inspector';
/** A session lasts a working day; the token opens a new one. */
const SESSION_LIFETIME_MS = 12 * 60 * 60 * 1000;

/** Scripts, styles, sockets and fetches only from the daemon itself; never framed. */
export const INSPECTOR_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * Session cookies signed with a secret (the daemon passes its token): `<expiry>.<HMAC-SHA256(secret, expiry)>`.
 * Nothing is stored, so a session outlives a daemon restart with the same token — the page reconnects by itself
 * — and a new token ends every session.
 */
export class InspectorSessions {
  private readonly key: Buffer;

  constructor(secret: string | undefined, private readonly now: () => number = Date.now) {
    // Without a secret, sessions last as long as this process.
    this.key = secret === undefined ? randomBytes(32) : createHash('sha256').update(`fillstate inspector session\u0000${secret}`).digest();
  }

  /** A new session; returns the Set-Cookie header value. */
  open(secure: boolean): string {
    const expiresAt = String(this.now() + SESSION_LIFETIME_MS);
    return `${SESSION_COOKIE}=${expiresAt}.${this.sign(expiresAt)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_LIFETIME_MS / 1000}${secure ? '; Secure' : ''}`;
  }

  /** Whether the request carries a valid, unexpired session cookie. */
  authenticates(request: { readonly headers: IncomingHttpHeaders }): boolean {
    const value = sessionIdOf(request.headers.cookie);
    if (value === undefined) return false;
    const [expiresAt, signature, extra] = value.split('.');
    if (expiresAt === undefined || signature === undefined || extra !== undefined || !/^\d{1,16}$/.test(expiresAt)) return false;
    const expected = Buffer.from(this.sign(expiresAt));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    return Number(expiresAt) > this.now();
  }

  private sign(expiresAt: string): string {
    return createHmac('sha256', this.key).update(expiresAt).digest('base64url');
  }
}

function sessionIdOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=');
  }
  return undefined;
}
