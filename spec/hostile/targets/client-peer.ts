import { connect, http, reconnecting, subscription$, type Peer, type PeerOptions } from 'rx-jsonrpc';
import { webSocket } from 'rx-jsonrpc/node';
import { hostileChild } from '../harness/child';

// An attacked client: the parent (a hostile server) tells it to open peers, call, and
// subscribe, then asks what each saw. Peers are kept by name across commands.

/** What `open` takes: which transport, where, and the options of each layer. */
interface OpenSpec {
  readonly name: string;
  readonly transport: 'http' | 'webSocket';
  readonly url: string;
  readonly transportOptions?: Record<string, unknown>;
  /** `reconnect: true` (JSON has no functions) stands for `reconnecting()`. */
  readonly peer?: Omit<PeerOptions, 'reconnect'> & { readonly reconnect?: boolean };
}

/** A call's outcome, JSON-serialisable for the parent. */
type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly name: string; readonly message: string; readonly code?: unknown };

const peers = new Map<string, Peer>();
const received = new Map<string, { values: unknown[]; errors: Outcome[] }>();
const states = new Map<string, string[]>();

const peerOf = (name: string): Peer => {
  const peer = peers.get(name);
  if (peer === undefined) throw new Error(`no peer ${name}`);
  return peer;
};

const failure = (error: unknown): Outcome => {
  const { name, message, code } = error as { name: string; message: string; code?: unknown };
  return { ok: false, name, message, code };
};

hostileChild(
  {},
  {
    open: (argument) => {
      const spec = argument as OpenSpec;
      const transport =
        spec.transport === 'http'
          ? http(spec.url, spec.transportOptions)
          : webSocket(spec.url, { heartbeat: false, ...spec.transportOptions });
      const peer = connect(transport, { ...spec.peer, reconnect: spec.peer?.reconnect === true && reconnecting() });
      const seen: string[] = [];
      peer.state$.subscribe((state) => {
        const code = (state as { error?: { code?: unknown } }).error?.code;
        seen.push(code === undefined ? state.status : `${state.status} ${String(code)}`);
      });
      peers.set(spec.name, peer);
      states.set(spec.name, seen);
      return null;
    },
    request: async (argument) => {
      const { name, method, params } = argument as { name: string; method: string; params?: unknown[] };
      return peerOf(name)
        .request(method, params)
        .then((value): Outcome => ({ ok: true, value }), failure);
    },
    subscribe: (argument) => {
      const { name, method, notification } = argument as { name: string; method: string; notification: string };
      const seen = { values: [] as unknown[], errors: [] as Outcome[] };
      received.set(name, seen);
      subscription$(peerOf(name), method, [], { notification }).subscribe({
        next: (value) => seen.values.push(value),
        error: (error) => seen.errors.push(failure(error)),
      });
      return null;
    },
    received: (name) => received.get(name as string) ?? null,
    states: (name) => states.get(name as string) ?? null,
    close: async (name) => {
      await peers.get(name as string)?.close();
      peers.delete(name as string);
      return null;
    },
  },
);
