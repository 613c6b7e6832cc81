import { messageOf } from '../protocol/errors';
import { hasPlainPrototype } from '../protocol/guards';
import { HandlerRegistry } from '../peer/answerer/handlers';
import { FrameParts } from '../peer/frame-answering';
import type { HandlerTree } from '../peer/peer';
import { postPeerOptions } from './http-post-peer';
import type { ServeOptions, SetupPeer } from './serve-options';
import { withCallLogs } from './serve-errors';

/** How a server serves its clients, from what it was given: a setup function, or its methods. */
export interface Served<Options> {
  /** The options, with the call logs' interceptor when `logCalls` asks for it. */
  readonly options: Options;
  /** Runs on each peer. */
  readonly setup: SetupPeer<never>;
  /** The methods every peer serves, registered once for the server; undefined for a setup function. */
  readonly methods: HandlerRegistry | undefined;
  /**
   * Set when nothing runs on each peer (methods only, no call logs): a lone POST is then
   * answered with these parts and no peer of its own.
   */
  readonly frames: FrameParts | undefined;
}

/**
 * Reads the second argument of `serve()` or `serveHttp()`: a setup function runs on each
 * peer; a plain object of methods (a `HandlerTree`, as `handleAll` takes) is registered
 * once and shared by every peer. Throws a TypeError for anything else, or for a tree that
 * holds something other than functions and plain objects.
 */
export function servedBy<Options extends Pick<ServeOptions, 'log' | 'logCalls' | 'peer'>>(
  options: Options,
  given: SetupPeer<never> | HandlerTree,
  name: string,
): Served<Options> {
  if (typeof given === 'function') return { ...withCallLogs(options, given), methods: undefined, frames: undefined };
  if (!hasPlainPrototype(given))
    throw new TypeError(`${name}: pass a setup function, or a plain object of methods to serve`);
  const methods = new HandlerRegistry();
  try {
    methods.registerAll(given);
  } catch (cause) {
    // handleAll's options (`reserved`, `separator`) have no place here: a setup function takes them.
    const hint = messageOf(cause).includes('reserved')
      ? 'methods named "rpc.*" are reserved: serve them with a setup function, peer.handleAll(methods, { reserved: true })'
      : messageOf(cause);
    throw new TypeError(`${name}: ${hint}`, { cause });
  }
  const logged = withCallLogs(options, noSetup);
  const peerless = logged.setup === noSetup;
  return {
    ...logged,
    methods,
    frames: peerless ? new FrameParts(postPeerOptions(logged.options), methods) : undefined,
  };
}

/** The setup of a server served by its methods: they are the server's, not each peer's. */
function noSetup(): void {
  // nothing to register: every peer finds the methods in the server's table
}

/** What each peer of the server is made with, of what it was given: its WebSocket clients, POSTs and HTTP sessions. */
export function peerParts<Options>(served: Served<Options>): Pick<Served<Options>, 'options' | 'setup' | 'methods'> {
  return { options: served.options, setup: served.setup, methods: served.methods };
}
