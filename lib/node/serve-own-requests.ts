import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { RpcError } from '../protocol/errors';
import type { HttpSide } from './http-listener';
import { reply } from './http-reply';
import { isForPath } from './serve-admission';

/**
 * Answers every plain HTTP request to a server of serve()'s own: its path's go to `http`,
 * others get 404, and a target that is no URL 400 (reported). A request that waits for
 * `100 Continue` ('checkContinue') gets it only once it passed the checks, so that a refused
 * client sends no body in vain (without a 'checkContinue' listener node:http sends it at once).
 */
export function answerOwnRequests(
  server: Server,
  http: HttpSide,
  path: string | undefined,
  report: (error: RpcError) => void,
): void {
  const route =
    (listener: HttpSide['listener']) =>
    (request: IncomingMessage, response: ServerResponse): void => {
      let ours: boolean;
      try {
        ours = isForPath(request, path);
      } catch (error) {
        // isForPath throws only ProtocolErrors
        report(error as RpcError);
        return reply(response, 400, {}, { close: true });
      }
      if (ours) listener(request, response);
      else reply(response, 404, {}, { close: true });
    };
  server.on('request', route(http.listener));
  server.on('checkContinue', route(http.checkContinue));
}
