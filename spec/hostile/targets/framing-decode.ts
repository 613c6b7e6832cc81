import { contentLength, newline } from 'rx-jsonrpc/node';
import { hostileChild } from '../harness/child';

// A process that only decodes: `decode` feeds one big frame to a framing's decoder in
// chunks, one chunk per turn of the event loop (as a socket would), so the parent can
// see whether any one chunk, the last included, stalls the loop.
interface Job {
  readonly framing: 'content-length' | 'newline';
  /** The frame's size in bytes. */
  readonly size: number;
  /** The chunk size. */
  readonly chunk: number;
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

async function decode(argument: unknown): Promise<{ ms: number; lengths: number[]; errors: string[] }> {
  const job = argument as Job;
  const framing = job.framing === 'newline' ? newline() : contentLength();
  const lengths: number[] = [];
  const errors: string[] = [];
  const decoder = framing.decoder({
    frame: (text) => lengths.push(text.length),
    error: (error) => errors.push(error.message),
  });
  const filler = Buffer.alloc(job.chunk, 'x');
  const started = performance.now();
  if (job.framing === 'content-length') decoder.push(Buffer.from(`Content-Length: ${job.size}\r\n\r\n`));
  for (let sent = 0; sent < job.size; sent += job.chunk) {
    decoder.push(filler.subarray(0, Math.min(job.chunk, job.size - sent)));
    await turn();
  }
  if (job.framing === 'newline') decoder.push(Buffer.from('\n'));
  return { ms: performance.now() - started, lengths, errors };
}

hostileChild({}, { decode });
