// The client side of the dispatcher fuzz: one connection, what was sent on it, and what came back.
import { WebSocket, type RawData } from 'ws';
import { withDeadline } from '../harness/target';
import { invalidAnswer, owedBy } from './answers';
import type { Input } from './inputs';
import { pingDeadlineMs } from './limits';

/** A client connection that checks every answer, and counts ids sent and answered. */
export class Link {
  readonly problems: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly sent = new Map<string, number>();
  private readonly answered = new Map<string, number>();
  private anonymousOwed = 0;
  private nullAnswers = 0;
  private readonly pongs = new Map<string, (result: unknown) => void>();
  /** The last answer for each id (as JSON). */
  readonly answers = new Map<string, unknown>();

  private constructor(readonly socket: WebSocket) {
    this.closed = new Promise((resolve) =>
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    socket.on('message', (data, isBinary) => this.receive(data, isBinary));
    socket.on('error', () => undefined);
  }

  static async open(url: string): Promise<Link> {
    const socket = new WebSocket(url);
    await withDeadline(
      new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      }),
      pingDeadlineMs,
      'opening a connection',
    );
    return new Link(socket);
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  send(input: Input): void {
    const { ids, anonymous } = owedBy(input);
    this.anonymousOwed += anonymous;
    for (const key of ids) this.sent.set(key, (this.sent.get(key) ?? 0) + 1);
    this.socket.send(input.data, { binary: input.kind === 'binary' });
  }

  /** Sends a ping with a fresh id; resolves with its result, or undefined if the connection closes first. */
  async ping(n: number): Promise<unknown> {
    const pingId = `ping-${n}`;
    const answer = new Promise<unknown>((resolve) => this.pongs.set(pingId, resolve));
    this.sent.set(JSON.stringify(pingId), 1);
    this.socket.send(JSON.stringify({ jsonrpc: '2.0', id: pingId, method: 'ping' }));
    const result = await withDeadline(
      Promise.race([answer, this.closed.then(() => undefined)]),
      pingDeadlineMs,
      `the answer to ${pingId}`,
    );
    this.pongs.delete(pingId);
    return result;
  }

  private receive(data: RawData, isBinary: boolean): void {
    let value: unknown;
    try {
      value = JSON.parse(data.toString());
    } catch {
      return void this.problems.push(`an answer that is not JSON: ${data.toString().slice(0, 200)}`);
    }
    if (isBinary) this.problems.push('an answer in a binary frame');
    if (Array.isArray(value) && value.length === 0) this.problems.push('an empty batch answer');
    for (const answer of Array.isArray(value) ? value : [value]) {
      const invalid = invalidAnswer(answer);
      if (invalid !== undefined) {
        this.problems.push(`an invalid answer (${invalid}): ${JSON.stringify(answer).slice(0, 200)}`);
        continue;
      }
      this.count((answer as { id: string | number | null; result?: unknown }).id, answer);
    }
  }

  private count(answerId: string | number | null, answer: { result?: unknown }): void {
    if (typeof answerId === 'string') this.pongs.get(answerId)?.(answer.result);
    if (answerId === null) {
      if (++this.nullAnswers > this.anonymousOwed)
        this.problems.push(`${this.nullAnswers} answers with a null id where at most ${this.anonymousOwed} are owed`);
      return;
    }
    const key = JSON.stringify(answerId);
    this.answers.set(key, answer);
    const times = (this.answered.get(key) ?? 0) + 1;
    this.answered.set(key, times);
    if (times > (this.sent.get(key) ?? 0))
      this.problems.push(
        `answer number ${times} with id ${key.slice(0, 100)}, sent ${this.sent.get(key) ?? 0} time(s)`,
      );
  }
}
