// What the server owes for a frame it is sent, and whether an answer is valid JSON-RPC 2.0.
import type { Input } from './inputs';
import { maxBatchSize } from './limits';

/** Whether a message is a notification the server must not answer. */
function isNotification(member: unknown): boolean {
  if (typeof member !== 'object' || member === null || Array.isArray(member)) return false;
  const { jsonrpc, method, params } = member as Record<string, unknown>;
  const paramsOk = params === undefined || (typeof params === 'object' && params !== null);
  return jsonrpc === '2.0' && typeof method === 'string' && !Object.hasOwn(member, 'id') && paramsOk;
}

/**
 * What a frame may be answered with: for each legal id of its members (as JSON), one answer;
 * and `anonymous` answers with a null id (one per member that is not a notification, or one
 * for the whole frame when it is not JSON, or a batch empty or over `maxBatchSize`).
 */
export function owedBy(input: Input): { ids: string[]; anonymous: number } {
  let value: unknown;
  try {
    const source =
      typeof input.data === 'string' ? input.data : new TextDecoder('utf-8', { fatal: true }).decode(input.data);
    value = JSON.parse(source);
  } catch {
    return { ids: [], anonymous: 1 };
  }
  const members = Array.isArray(value) ? value : [value];
  const ids = members
    .filter(
      (member): member is { id: unknown } =>
        typeof member === 'object' && member !== null && Object.hasOwn(member, 'id'),
    )
    .map((member) => member.id)
    .filter((memberId) => typeof memberId === 'string' || typeof memberId === 'number')
    .map((memberId) => JSON.stringify(memberId));
  const refused = Array.isArray(value) && (value.length === 0 || value.length > maxBatchSize) ? 1 : 0;
  return { ids, anonymous: members.filter((member) => !isNotification(member)).length + refused };
}

/** Why one answer is not a valid JSON-RPC 2.0 response, or undefined. */
export function invalidAnswer(answer: unknown): string | undefined {
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) return 'not an object';
  const fields = answer as Record<string, unknown>;
  if (fields.jsonrpc !== '2.0') return '"jsonrpc" is not "2.0"';
  if (!Object.hasOwn(fields, 'id')) return 'no "id"';
  if (fields.id !== null && typeof fields.id !== 'string' && typeof fields.id !== 'number') return 'a bad "id"';
  if (Object.hasOwn(fields, 'result') === Object.hasOwn(fields, 'error')) return 'not exactly one of result/error';
  if (Object.hasOwn(fields, 'result')) return undefined;
  const error = fields.error as Record<string, unknown> | null;
  if (typeof error !== 'object' || error === null) return '"error" is not an object';
  if (!Number.isInteger(error.code)) return 'an error code that is not an integer';
  return typeof error.message === 'string' ? undefined : 'an error message that is not a string';
}
