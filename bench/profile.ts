import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly startTime: number;
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** One function's share of the profile. */
export interface ProfiledFunction {
  readonly name: string;
  /** The file, relative to the project (or a package / node: name). */
  readonly where: string;
  readonly category: string;
  readonly selfMs: number;
  readonly selfPercent: number;
  /** Time with this function on the stack (callees included), as a share of the whole. */
  readonly totalPercent: number;
}

/** What `node --cpu-prof` saw while rx-jsonrpc ran W2. */
export interface ProfileSummary {
  readonly sampledMs: number;
  /** Whether only the measured phase was kept (start-up and warm-up left out). */
  readonly windowed: boolean;
  readonly categories: readonly { readonly category: string; readonly selfMs: number; readonly selfPercent: number }[];
  /** The functions of lib/, by self time. */
  readonly lib: readonly ProfiledFunction[];
  /** The functions of rxjs, by self time. */
  readonly rxjs: readonly ProfiledFunction[];
  /** Every function, by self time. */
  readonly overall: readonly ProfiledFunction[];
}

function categorise(url: string, name: string, root: string): { category: string; where: string } {
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  const packageMatch = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(path);
  if (packageMatch !== null) {
    const [, name = '', rest = ''] = packageMatch;
    return { category: name === 'ws' || name === 'rxjs' ? name : 'other packages', where: `${name}/${rest}` };
  }
  if (path.startsWith(`${root}/lib/`)) return { category: 'rx-jsonrpc (lib/)', where: path.slice(root.length + 1) };
  if (path.startsWith(`${root}/bench/`)) return { category: 'harness (bench/)', where: path.slice(root.length + 1) };
  if (path.startsWith('node:')) return { category: 'node internals', where: path };
  if (name === '(garbage collector)') return { category: 'garbage collector', where: '' };
  if (name === 'writev' || name === 'writeUtf8String' || name === 'writeBuffer') {
    return { category: 'socket writes (one system call each)', where: '' };
  }
  if (name === '(idle)') return { category: 'idle (waiting for the socket)', where: '' };
  return { category: 'V8 / native', where: path };
}

/** Maps a position in the bundle back to lib/, through the bundle's source map. */
function sourceMapper(bundle: string | undefined): (frame: CallFrame) => CallFrame {
  if (bundle === undefined || !existsSync(`${bundle}.map`)) return (frame) => frame;
  const map = new SourceMap(JSON.parse(readFileSync(`${bundle}.map`, 'utf8')));
  return (frame) => {
    if (!frame.url.startsWith('file:') || fileURLToPath(frame.url) !== bundle) return frame;
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
    };
    if (entry.originalSource === undefined) return frame;
    const source = entry.originalSource.startsWith('file:')
      ? fileURLToPath(entry.originalSource)
      : resolve(dirname(bundle), entry.originalSource);
    return {
      functionName: frame.functionName,
      url: `file://${source}`,
      lineNumber: entry.originalLine ?? 0,
      columnNumber: entry.originalColumn ?? 0,
    };
  };
}

/**
 * Reads a `.cpuprofile` and sums self time (the function itself running) and total time
 * (the function anywhere on the stack) per function, keeping only the samples taken
 * within `windows` (microseconds, the profile's clock) when given.
 * Frames in `bundle` are mapped back to lib/ through its source map.
 */
export function summariseProfile(
  file: string,
  root: string,
  windows?: readonly { readonly from: number; readonly to: number }[],
  bundle?: string,
): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const original = sourceMapper(bundle);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const frames = new Map(profile.nodes.map((node) => [node.id, original(node.callFrame)]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const keyOf = (node: ProfileNode) => {
    const frame = frames.get(node.id)!;
    return `${frame.functionName || '(anonymous)'}\u0000${frame.url}\u0000${frame.lineNumber}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let sampled = 0;
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (windows !== undefined && !windows.some(({ from, to }) => at >= from && at <= to)) continue;
    const delta = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
    sampled += delta;
    let node = byId.get(profile.samples[i]!);
    if (node === undefined) continue;
    const leaf = keyOf(node);
    self.set(leaf, (self.get(leaf) ?? 0) + delta);
    const onStack = new Set<string>();
    while (node !== undefined) {
      const key = keyOf(node);
      if (!onStack.has(key)) {
        onStack.add(key);
        total.set(key, (total.get(key) ?? 0) + delta);
      }
      const up = parent.get(node.id);
      node = up === undefined ? undefined : byId.get(up);
    }
  }
  if (sampled === 0) throw new Error('The profile has no samples in the measured phase');

  const functions: ProfiledFunction[] = [...total.keys()].map((key) => {
    const [name = '', url = '', line = '0'] = key.split('\u0000');
    const { category, where } = categorise(url, name, root);
    const selfMs = self.get(key) ?? 0;
    return {
      name,
      where: where === '' ? '' : `${where}:${Number(line) + 1}`,
      category,
      selfMs,
      selfPercent: (selfMs / sampled) * 100,
      totalPercent: ((total.get(key) ?? 0) / sampled) * 100,
    };
  });
  functions.sort((a, b) => b.selfMs - a.selfMs);

  const categories = new Map<string, number>();
  for (const each of functions) categories.set(each.category, (categories.get(each.category) ?? 0) + each.selfMs);
  return {
    sampledMs: sampled,
    windowed: windows !== undefined,
    categories: [...categories]
      .map(([category, selfMs]) => ({ category, selfMs, selfPercent: (selfMs / sampled) * 100 }))
      .sort((a, b) => b.selfMs - a.selfMs),
    lib: functions.filter((each) => each.category === 'rx-jsonrpc (lib/)' && each.selfMs > 0).slice(0, 20),
    rxjs: functions.filter((each) => each.category === 'rxjs' && each.selfMs > 0).slice(0, 12),
    overall: functions.filter((each) => each.selfMs > 0).slice(0, 25),
  };
}
