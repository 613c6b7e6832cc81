import type { WebSocket } from 'ws';
import { percentile } from '../stats';

/** How long and how hard W11's load generator calls. */
export interface SoakSchedule {
  /** Each socket makes one call per second for this long. */
  readonly seconds: number;
  /** Calls of the first seconds are left out of the latency figures. */
  readonly warmupSeconds: number;
  /** A call not answered within this long (ms) counts as a timeout. */
  readonly timeoutMs: number;
}

/** What the calls of one soak came to; latencies in ms, measured by this process. */
export interface SoakCalls {
  readonly sent: number;
  readonly answered: number;
  /** Error answers, wrong or unknown answers, socket errors and closes. */
  readonly errors: number;
  /** Calls unanswered, or answered later than `timeoutMs`. */
  readonly timeouts: number;
  readonly firstError?: string;
  /** Of the calls after the warm-up that were answered. */
  readonly latency: { readonly p50: number; readonly p99: number; readonly max: number };
  /** How late the sends ran against their place in the schedule (p99, ms): the load generator's own lag. */
  readonly sendLagP99: number;
}

/**
 * The fixed load generator of W11: `echo [id]` written by hand on each raw `ws` socket once
 * a second, the sockets' turns spread evenly over the second (one timer sends whatever
 * is due), so the server sees a steady sockets.length calls per second, not bursts.
 * Resolves once every call is answered, or `timeoutMs` after the last one was sent.
 */
export function soakCalls(sockets: readonly WebSocket[], schedule: SoakSchedule): Promise<SoakCalls> {
  const count = sockets.length;
  const total = count * schedule.seconds;
  const gapMs = 1000 / count;
  const sentAt = new Float64Array(total);
  const lag = new Float64Array(total);
  const latency = new Float64Array(total).fill(Number.NaN);
  const tally = { answered: 0, errors: 0, firstError: undefined as string | undefined };
  let sent = 0;
  let finished = false;
  let allAnswered: () => void = () => undefined;
  const fail = (what: string) => {
    tally.errors++;
    tally.firstError ??= what;
  };
  const onMessage = (data: unknown) => {
    const now = performance.now();
    const answer = JSON.parse(data as string) as { id?: number; result?: unknown };
    const index = (answer.id ?? 0) - 1;
    const result = answer.result as unknown[] | undefined;
    if (!(index >= 0 && index < sent) || !Array.isArray(result) || result[0] !== answer.id)
      return fail(`answered ${JSON.stringify(answer)}`);
    if (!Number.isNaN(latency[index]!)) return fail(`answered ${answer.id} twice`);
    latency[index] = now - sentAt[index]!;
    if (++tally.answered === total) allAnswered();
  };
  const onError = (error: Error) => fail(error.message);
  const onClose = (code: number) => {
    if (!finished) fail(`a socket closed (${code}) during the soak`);
  };
  for (const socket of sockets) socket.on('message', onMessage).on('error', onError).on('close', onClose);

  return new Promise<SoakCalls>((resolve) => {
    const start = performance.now();
    const finish = () => {
      finished = true;
      clearTimeout(timeout);
      for (const socket of sockets) socket.off('message', onMessage).off('close', onClose);
      resolve(summarise(latency, lag, sent, tally, schedule, count));
    };
    let timeout: NodeJS.Timeout | undefined;
    const ticker = setInterval(() => {
      const due = Math.min(total, Math.floor((performance.now() - start) / gapMs) + 1);
      for (; sent < due; sent++) {
        const id = sent + 1;
        sentAt[sent] = performance.now();
        lag[sent] = sentAt[sent]! - (start + sent * gapMs);
        sockets[sent % count]!.send(`{"jsonrpc":"2.0","id":${id},"method":"echo","params":[${id}]}`);
      }
      if (sent < total) return;
      clearInterval(ticker);
      allAnswered = finish;
      if (tally.answered === total) return finish();
      timeout = setTimeout(finish, schedule.timeoutMs);
    }, 1);
  });
}

function summarise(
  latency: Float64Array,
  lag: Float64Array,
  sent: number,
  tally: { answered: number; errors: number; firstError: string | undefined },
  schedule: SoakSchedule,
  count: number,
): SoakCalls {
  const measured = latency.subarray(count * schedule.warmupSeconds).filter((ms) => !Number.isNaN(ms));
  measured.sort();
  const inTime = latency.filter((ms) => ms <= schedule.timeoutMs).length;
  return {
    sent,
    answered: tally.answered,
    errors: tally.errors,
    timeouts: sent - inTime,
    ...(tally.firstError === undefined ? {} : { firstError: tally.firstError }),
    latency: {
      p50: percentile(measured, 50),
      p99: percentile(measured, 99),
      max: measured.length > 0 ? measured[measured.length - 1]! : Number.NaN,
    },
    sendLagP99: percentile(lag.slice(0, sent).sort(), 99),
  };
}
