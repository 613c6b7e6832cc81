import type { Peer } from '../peer/peer';

const none: ReadonlySet<Peer> = new Set();

/**
 * The named groups of one server's connected peers. A peer leaves its groups when it
 * closes: membership needs no clean-up by the application.
 */
export class Groups {
  private readonly members = new Map<string, Set<Peer>>();
  private readonly joined = new WeakMap<Peer, Set<string>>();

  /** The peers in `group` now (empty for a group nobody is in). */
  of(group: string): ReadonlySet<Peer> {
    return this.members.get(group) ?? none;
  }

  join(peer: Peer, group: string): void {
    let members = this.members.get(group);
    if (members === undefined) this.members.set(group, (members = new Set()));
    members.add(peer);
    const groups = this.joined.get(peer);
    if (groups !== undefined) return void groups.add(group);
    this.joined.set(peer, new Set([group]));
    // Only peers in a group pay for this: at 'closed' (at once for a closed peer) they leave them all.
    peer.state$.subscribe((state) => state.status === 'closed' && this.leaveAll(peer));
  }

  leave(peer: Peer, group: string): void {
    this.joined.get(peer)?.delete(group);
    const members = this.members.get(group);
    if (members === undefined) return;
    members.delete(peer);
    // An empty group is forgotten: group names cannot pile up.
    if (members.size === 0) this.members.delete(group);
  }

  private leaveAll(peer: Peer): void {
    for (const group of this.joined.get(peer) ?? []) this.leave(peer, group);
  }
}
