// Whether a server's welcome is the venue a WebSocket venue client expects: the same venue id, and the same run
// of it when the client already knew one (report sequences mean nothing across runs).
import type { WelcomeMessage } from './protocol.ts';

export interface ExpectedVenue {
  readonly venueId: string;
  readonly url: string;
  /** The server instance this client synced with before (or was told to resume), if any. */
  readonly knownInstance: string | undefined;
}

/** Why the link must be refused after this welcome, or undefined when it is the venue expected. */
export function welcomeRefusal(message: WelcomeMessage, expected: ExpectedVenue): string | undefined {
  if (message.venue !== expected.venueId) return `the server at ${expected.url} is venue "${message.venue}", not "${expected.venueId}"`;
  if (expected.knownInstance !== undefined && message.instance !== expected.knownInstance) {
    return `venue ${expected.venueId} restarted (instance ${message.instance}, was ${expected.knownInstance}): its orders and reports are not the ones this client knew`;
  }
  return undefined;
}
