import { connect } from '../../lib/peer/connect';
import type { PeerOptions } from '../../lib/peer/options';
import type { Peer } from '../../lib/peer/peer';
import { memoryPair, type MemoryPair } from '../../lib/transports/memory';
import { rawEnd, type RawEnd } from './raw-end';

/** A client peer talking to a server peer over a memory link. Close both with `closeAll()`. */
export function peerPair(
  clientOptions?: PeerOptions,
  serverOptions?: PeerOptions,
): { client: Peer; server: Peer; link: MemoryPair } {
  const link = memoryPair();
  const server = connect(link.server, serverOptions);
  const client = connect(link.client, clientOptions);
  opened.push(client, server);
  return { client, server, link };
}

/** A client peer whose other end is driven by hand, to send it anything at all. */
export async function peerWithRawServer(options?: PeerOptions): Promise<{ peer: Peer; raw: RawEnd; link: MemoryPair }> {
  const link = memoryPair();
  const raw = await rawEnd(link.server);
  const peer = connect(link.client, options);
  opened.push(peer);
  return { peer, raw, link };
}

const opened: Peer[] = [];

/** Closes every peer the helpers made (call it in afterEach). */
export function closeAll(): void {
  for (const peer of opened.splice(0)) peer.close();
}
