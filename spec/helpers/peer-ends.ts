import { lastValueFrom, toArray } from 'rxjs';
import type { Peer, PeerState } from 'rx-jsonrpc';

const peers: Peer[] = [];

/** Keeps `peer` to be closed by `closeTracked()`. */
export function track(peer: Peer): Peer {
  peers.push(peer);
  return peer;
}

/** Closes every tracked peer (call it in afterEach). */
export function closeTracked(): void {
  for (const peer of peers.splice(0)) peer.close();
}

/** The last state of `peer`, `closed`, once `state$` completes. */
export const finalState = async (peer: Peer) =>
  (await lastValueFrom(peer.state$.pipe(toArray()))).at(-1) as Extract<PeerState, { status: 'closed' }>;

/** What a call failed with, or undefined if it succeeded. */
export const failureOf = (call: Promise<unknown>) =>
  call.then(
    () => undefined,
    (error: unknown) => error,
  );
