import type { ServerResponse } from 'node:http';
import type { HttpSession } from './http-sessions';

/**
 * Resolves once `answered` has, the session has ended or `response` has closed, whichever
 * comes first; nothing is left listening after (see `HttpSession.onEnd`).
 */
export async function untilEnded(
  session: Pick<HttpSession, 'onEnd'>,
  response: ServerResponse,
  answered?: Promise<void>,
): Promise<void> {
  let stop = () => undefined as void;
  const ended = new Promise<void>((resolve) => {
    const offEnd = session.onEnd(resolve);
    response.once('close', resolve);
    stop = () => {
      offEnd();
      response.off('close', resolve);
    };
  });
  await (answered === undefined ? ended : Promise.race([answered, ended]));
  stop();
}
