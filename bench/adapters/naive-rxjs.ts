import { filter, lastValueFrom, map, take } from 'rxjs';
import { webSocket } from 'rxjs/webSocket';
import { WebSocket } from 'ws';
import { RemoteError, type Adapter } from './adapter';

type Message = {
  id?: number;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
};

/** The naive RxJS way: one `webSocket()` subject, and per request `filter(m => m.id === id), take(1)`. */
export const naiveRxjs: Adapter = {
  key: 'naive-rxjs',
  name: 'naive RxJS (webSocket + filter by id)',
  open: async (url) => {
    let open!: () => void;
    let close!: () => void;
    const isOpen = new Promise<void>((resolve) => (open = resolve));
    const isClosed = new Promise<void>((resolve) => (close = resolve));
    const subject = webSocket<Message>({
      url,
      WebSocketCtor: WebSocket as never,
      openObserver: { next: () => open() },
      closeObserver: { next: () => close() },
    });
    let failed: unknown;
    // The socket opens on the first subscription, and stays open while this one lasts.
    const keepOpen = subject.subscribe({ error: (error: unknown) => (failed = error) });
    await isOpen;
    if (failed !== undefined) throw failed;
    let nextId = 1;
    return {
      request: (method, params) => {
        const id = nextId++;
        const answer = lastValueFrom(
          subject.pipe(
            filter((message) => message.id === id),
            take(1),
            map((message) => {
              if (message.error !== undefined) throw new RemoteError(message.error.code, message.error.message);
              return message.result;
            }),
          ),
        );
        subject.next({ jsonrpc: '2.0', id, method, params } as Message);
        return answer;
      },
      onNotification: (method, listener) => {
        const subscription = subject
          .pipe(filter((message) => message.method === method))
          .subscribe((message) => listener(message.params));
        return () => subscription.unsubscribe();
      },
      close: async () => {
        subject.complete();
        await isClosed;
        keepOpen.unsubscribe();
      },
    };
  },
};
