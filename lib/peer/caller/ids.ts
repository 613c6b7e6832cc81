import type { JsonRpcId } from '../../protocol/messages';

/** The default id generator: increasing integers from 1, one sequence per peer. */
export function sequentialIds(): () => JsonRpcId {
  let next = 1;
  return () => next++;
}
