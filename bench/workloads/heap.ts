import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { socketAdaptersByKey } from '../clients';
import { closeAll, openAll, type WorkloadConfig } from './common';

/** Heap objects of one kind, per pending call. */
export interface HeapKind {
  readonly kind: string;
  readonly countPerCall: number;
  readonly bytesPerCall: number;
}

/** What one pending call of a client keeps on the heap, by kind of object. */
export interface HeapBreakdown {
  readonly key: string;
  readonly name: string;
  readonly pending: number;
  readonly bytesPerCall: number;
  readonly kinds: readonly HeapKind[];
}

interface Snapshot {
  readonly snapshot: { readonly meta: { readonly node_fields: string[]; readonly node_types: [string[]] } };
  readonly nodes: number[];
  readonly strings: string[];
}

const stringTypes = new Set(['string', 'concatenated string', 'sliced string']);

/** Writes a heap snapshot after a full collection; returns its file. */
function snapshot(): string {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('The heap breakdown needs node --expose-gc');
  gc();
  gc();
  return writeHeapSnapshot(join(tmpdir(), `rx-jsonrpc-bench-${process.pid}-${Date.now()}.heapsnapshot`));
}

/** Self size and count by kind (`type constructor-or-closure-name`), from a heap snapshot file (then removed). */
function census(file: string): Map<string, { count: number; size: number }> {
  const { snapshot: meta, nodes, strings } = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  rmSync(file, { force: true });
  const fields = meta.meta.node_fields;
  const types = meta.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((field) => fields.indexOf(field)) as [
    number,
    number,
    number,
  ];
  const kinds = new Map<string, { count: number; size: number }>();
  for (let i = 0; i < nodes.length; i += fields.length) {
    const type = types[nodes[i + typeAt]!]!;
    const name = stringTypes.has(type) ? '' : strings[nodes[i + nameAt]!]!.slice(0, 50);
    const kind = type === 'closure' ? `closure ${name || '(anonymous)'}` : name === '' ? type : `${type} ${name}`;
    const entry = kinds.get(kind) ?? { count: 0, size: 0 };
    entry.count++;
    entry.size += nodes[i + sizeAt]!;
    kinds.set(kind, entry);
  }
  return kinds;
}

/** The per-call difference between two heap snapshot files, by kind (largest first). */
function difference(beforeFile: string, afterFile: string, pending: number): HeapKind[] {
  const before = census(beforeFile);
  const after = census(afterFile);
  const kinds: HeapKind[] = [];
  for (const [kind, { count, size }] of after) {
    const earlier = before.get(kind) ?? { count: 0, size: 0 };
    const bytesPerCall = (size - earlier.size) / pending;
    // Code objects are the JIT at work, not what a call keeps.
    if (Math.abs(bytesPerCall) >= 1 && !kind.startsWith('code')) {
      kinds.push({ kind, bytesPerCall, countPerCall: (count - earlier.count) / pending });
    }
  }
  return kinds.sort((a, b) => b.bytesPerCall - a.bytesPerCall);
}

/** W4's pending calls, seen through two heap snapshots: what each pending call keeps, by kind of object. */
export async function heapBreakdown(config: WorkloadConfig): Promise<HeapBreakdown[]> {
  const pending = config.sizes.pending!;
  const adapters = socketAdaptersByKey(config.adapters);
  // Every snapshot is taken before any is read: what reading leaves behind must not show in the next.
  const files: { before: string; after: string }[] = [];
  for (const adapter of adapters) {
    const [client] = await openAll([adapter], `${config.url}/?mute`);
    const calls = new Array<Promise<unknown>>(pending).fill(Promise.resolve());
    await new Promise((resolve) => setTimeout(resolve, 50));
    const before = snapshot();
    for (let i = 0; i < pending; i++) {
      calls[i] = client!.request('sum', [i, 1]);
      calls[i]!.catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, config.sizes.settleMs));
    files.push({ before, after: snapshot() });
    await closeAll([client!]);
    calls.fill(Promise.resolve());
    await new Promise((resolve) => setTimeout(resolve, config.sizes.settleMs));
  }
  return adapters.map((adapter, index) => {
    const kinds = difference(files[index]!.before, files[index]!.after, pending);
    const bytesPerCall = kinds.reduce((total, each) => total + each.bytesPerCall, 0);
    return { key: adapter.key, name: adapter.name, pending, bytesPerCall, kinds: kinds.slice(0, 20) };
  });
}
