// Lets go of an actor started under the portfolio (parent link, shared system). XState's public stop() refuses
// a non-root actor, yet its system keeps every actor it ever registered until that actor stops: without this a
// daemon holds every finished order for good (~40 KiB each).
import type { AnyActorRef } from 'xstate';

export function releaseActor(actor: AnyActorRef): void {
  (actor as unknown as { _stop(): void })._stop();
}
