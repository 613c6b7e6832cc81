import type { JsonRpcFailure } from '../protocol/messages';
import { classify } from '../protocol/parse';

/** Whether a body may be a lone error without an id (one object with an `"id": null`): only those are parsed twice. */
export function mayBeIdless(text: string): boolean {
  return /^\s*\{/.test(text) && /"id"\s*:\s*null/.test(text);
}

/** `text` parsed, if it is a valid JSON-RPC response or a batch of them. */
export function parseAnswer(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const answers = Array.isArray(value) ? value : [value];
  return answers.length > 0 && answers.every((answer) => classify(answer) === 'response') ? value : undefined;
}

/** Whether a response is one error without an id. */
export function isIdlessError(answer: unknown): answer is JsonRpcFailure {
  // parseAnswer() gives only responses (objects) or arrays of them
  return !Array.isArray(answer) && (answer as JsonRpcFailure).id === null;
}

/**
 * Whether an HTTP status says the call was not run, so that sending it again is no
 * duplicate: a timeout before the request was read (408), too early (425), too many
 * requests (429), unavailable (503). Any other status may follow a call the server ran.
 */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status === 503;
}
