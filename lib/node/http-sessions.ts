import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Peer } from '../peer/peer';
import { sessionLink, type SessionLink } from './http-session-link';
import { sessionDefaults, type HttpSessionOptions } from './http-session-options';
import { sessionPeer, type SessionPeerSetup } from './http-session-peer';
import type { ServerConnectionInfo } from './upgrade-info';

/** One open session. */
export interface HttpSession {
  readonly id: string;
  readonly peer: Peer;
  readonly link: SessionLink;
  /** Resolves once its peer has closed (the session has ended). */
  readonly closed: Promise<void>;
  /** Whether its standing stream is open (there is one at most). */
  standing: boolean;
  /** Marks it busy (a POST in flight, its standing stream open) until the returned function is called. */
  hold(): () => void;
}

/** The open sessions of a server; see {@link sessionTable}. */
export interface SessionTable {
  /** The header's name, lower case. */
  readonly header: string;
  readonly opener: string | undefined;
  /** The session a request names; 'new' when it names none (and there is room for one); 404 for an id unknown (or ended); 503 when full. */
  find(request: IncomingMessage): HttpSession | 'new' | 404 | 503;
  /** Opens a session (its setup run); 503 when full meanwhile, 500 when setup failed (reported). Never rejects. */
  open(info: ServerConnectionInfo, seed: Record<string, unknown>, post: () => string): Promise<HttpSession | 500 | 503>;
  /** Ends a session now (its peer closes with 1000). */
  end(session: HttpSession): void;
  /** Ends every session, letting each peer finish its calls for `drain` ms. */
  close(drain: number): Promise<void>;
}

/**
 * The sessions of a server in one `Map` by id. Only opened sessions take memory: an
 * unknown id is looked up and answered 404, nothing kept; a session being opened counts
 * against `maxSessions` already. Ids are random UUIDs (122 random bits): not guessable.
 */
export function sessionTable(options: HttpSessionOptions, context: SessionPeerSetup): SessionTable {
  const header = (options.header ?? sessionDefaults.header).toLowerCase();
  const idleTimeout = options.idleTimeout ?? sessionDefaults.idleTimeout;
  const maxSessions = options.maxSessions ?? sessionDefaults.maxSessions;
  const sessions = new Map<string, HttpSession>();
  let opening = 0;
  let closing = false;
  const full = () => sessions.size + opening >= maxSessions;

  const open = async (
    info: ServerConnectionInfo,
    seed: Record<string, unknown>,
    post: () => string,
  ): Promise<HttpSession | 500 | 503> => {
    if (full()) return 503;
    opening++;
    const id = randomUUID();
    const link = sessionLink(info, context.report);
    let busy = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const idle = () => {
      clearTimeout(timer);
      if (idleTimeout === 0 || busy > 0) return;
      timer = setTimeout(() => session && end(session), idleTimeout);
      // An idle session must not keep the process alive.
      timer.unref();
    };
    // Set once opened: the idle timer, which runs only then, ends it.
    // eslint-disable-next-line prefer-const
    let session: HttpSession | undefined;
    let ended = false;
    const isEnded = () => ended;
    let hasEnded = () => undefined as void;
    const closed = new Promise<void>((resolve) => (hasEnded = resolve));
    const peer = await sessionPeer(context, link, info, seed, post, () => {
      ended = true;
      clearTimeout(timer);
      sessions.delete(id);
      hasEnded();
    });
    opening--;
    if (peer === 500) return 500;
    const opened: HttpSession = {
      id,
      peer,
      link,
      closed,
      standing: false,
      hold: () => {
        busy++;
        clearTimeout(timer);
        let held = true;
        return () => {
          if (!held) return;
          held = false;
          busy--;
          idle();
        };
      },
    };
    session = opened;
    // Closed while its setup ran, or the server began closing then: close() did not see it.
    if (isEnded() || closing) {
      void peer.close({ code: 1001, reason: 'Server shutting down' });
      return 503;
    }
    sessions.set(id, opened);
    idle();
    return opened;
  };

  const end = (session: HttpSession) => {
    sessions.delete(session.id);
    void session.peer.close({ code: 1000, reason: 'Session ended' });
  };

  return {
    header,
    opener: options.opener,
    find: (request) => {
      const id = request.headers[header];
      if (id === undefined) return full() ? 503 : 'new';
      return (typeof id === 'string' ? sessions.get(id) : undefined) ?? 404;
    },
    open,
    end,
    close: async (drain) => {
      closing = true;
      await Promise.all(
        [...sessions.values()].map((session) =>
          session.peer.close({ drain, code: 1001, reason: 'Server shutting down' }),
        ),
      );
    },
  };
}
