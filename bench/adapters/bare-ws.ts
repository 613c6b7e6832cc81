import { lastValueFrom, Observable, type Subscriber } from 'rxjs';
import { WebSocket } from 'ws';
import { opened, closed, rawSocket, RemoteError, type Adapter, type BenchClient } from './adapter';

type Response = {
  id?: number;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
};

type PromiseCall = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/** How a call is handed to the caller: a Promise, or one cold Observable per call read by lastValueFrom. */
type Form = 'promise' | 'observable';

/**
 * The limit: `ws` + `JSON.stringify`/`JSON.parse` + a Map of pending ids, nothing else.
 * With `cork`, the sends of one tick are coalesced into one socket write. The `observable`
 * form is the floor of any client that returns a cold Observable per call: the same, with
 * what RxJS and lastValueFrom keep per subscription.
 */
async function openBare(url: string, cork: boolean, form: Form = 'promise'): Promise<BenchClient> {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  await opened(socket);
  // A promise call keeps its resolve and reject; an Observable call keeps its subscriber, nothing more.
  const pending = new Map<number, PromiseCall>();
  const subscribers = new Map<number, Subscriber<unknown>>();
  const listeners = new Map<string, (params: unknown) => void>();
  const raw = rawSocket(socket);
  let nextId = 1;
  let corked = false;
  const uncork = () => {
    corked = false;
    raw.uncork();
  };

  socket.on('message', (data) => {
    // JSON.parse reads the Buffer as UTF-8 text.
    const message = JSON.parse(data as unknown as string) as Response;
    if (message.method !== undefined) return listeners.get(message.method)?.(message.params);
    if (form === 'observable') return deliverToSubscriber(message);
    const call = pending.get(message.id!);
    if (call === undefined) return;
    pending.delete(message.id!);
    if (message.error !== undefined) call.reject(new RemoteError(message.error.code, message.error.message));
    else call.resolve(message.result);
  });
  const deliverToSubscriber = (message: Response) => {
    const subscriber = subscribers.get(message.id!);
    if (subscriber === undefined) return;
    subscribers.delete(message.id!);
    if (message.error !== undefined)
      return subscriber.error(new RemoteError(message.error.code, message.error.message));
    subscriber.next(message.result);
    subscriber.complete();
  };
  socket.on('close', () => {
    for (const call of pending.values()) call.reject(new Error('closed'));
    pending.clear();
    for (const subscriber of subscribers.values()) subscriber.error(new Error('closed'));
    subscribers.clear();
  });

  const send = (id: number, method: string, params: unknown) => {
    if (cork && !corked) {
      corked = true;
      raw.cork();
      process.nextTick(uncork);
    }
    socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
  };
  const promised = (method: string, params: unknown) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      send(id, method, params);
    });
  const observed = (method: string, params: unknown) =>
    lastValueFrom(
      new Observable((subscriber) => {
        const id = nextId++;
        subscribers.set(id, subscriber);
        send(id, method, params);
        return () => subscribers.delete(id);
      }),
    );

  return {
    request: form === 'promise' ? promised : observed,
    onNotification: (method, listener) => {
      listeners.set(method, listener);
      return () => listeners.delete(method);
    },
    close: () => closed(socket),
  };
}

export const bareWs: Adapter = { key: 'bare-ws', name: 'bare ws (the limit)', open: (url) => openBare(url, false) };

export const bareWsCork: Adapter = {
  key: 'bare-ws-cork',
  name: 'bare ws + cork/uncork per tick',
  open: (url) => openBare(url, true),
};

export const bareWsObservable: Adapter = {
  key: 'bare-ws-observable',
  name: 'bare ws + an Observable per call, via lastValueFrom (the RxJS floor)',
  open: (url) => openBare(url, false, 'observable'),
};
