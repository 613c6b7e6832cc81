// What every server process of W7 and W8 does besides serving: it tells its parent (the
// workload's process) its port, answers questions about itself over IPC, and ends with it.
import type { AddressInfo } from 'node:net';
import { loopDelayAnswer, memoryAnswer } from './soak-probes';

/** A question from the workload, by `type`; the answer goes back with the same `type`. */
export type Question = { readonly type: string; readonly [field: string]: unknown };
type Answerer = (question: Question) => Record<string, unknown> | undefined;

const answerers: Answerer[] = [
  // CPU time (user + system) so far: the workload takes it before and after a round.
  ({ type }) => {
    if (type !== 'cpu') return undefined;
    const used = process.cpuUsage();
    return { micros: used.user + used.system };
  },
  // W11's, cheap until asked.
  memoryAnswer,
  loopDelayAnswer,
];

/** Adds answers to more questions (W8's server counts its clients and sends ticks). */
export function answer(answerer: Answerer): void {
  answerers.push(answerer);
}

/** The port of a listening server's address. */
export function portOf(address: AddressInfo | string | null): number {
  if (typeof address !== 'object' || address === null) throw new Error('The server has no port');
  return address.port;
}

/** Reports the port once listening, then answers the workload's questions until it goes away. */
export function serving(port: number): void {
  if (process.send === undefined) {
    console.log(`listening on 127.0.0.1:${port}`);
    return;
  }
  process.on('message', (question: Question) => {
    for (const each of answerers) {
      const reply = each(question);
      if (reply !== undefined) return process.send!({ ...reply, type: question.type });
    }
  });
  process.send({ type: 'listening', port });
}

// Started by a workload, this process never outlives it, even if it is killed.
process.on('disconnect', () => process.exit(0));
