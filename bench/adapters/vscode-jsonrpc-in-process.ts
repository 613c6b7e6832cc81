import {
  AbstractMessageReader,
  createMessageConnection,
  type DataCallback,
  type Disposable,
  type Message,
} from 'vscode-jsonrpc/node';
import type { InProcessAdapter } from './in-process';
import { sendSpread, TextWriter } from './vscode-jsonrpc';

/** One direction of an in-process link: JSON text, delivered in a microtask, as `memoryPair()` does. */
class TextPipe {
  private listener: ((text: string) => void) | undefined;

  send(text: string): void {
    queueMicrotask(() => this.listener?.(text));
  }

  listen(listener: (text: string) => void): void {
    this.listener = listener;
  }
}

class PipeReader extends AbstractMessageReader {
  constructor(private readonly pipe: TextPipe) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    this.pipe.listen((text) => callback(JSON.parse(text) as Message));
    return { dispose: () => this.pipe.listen(() => undefined) };
  }
}

/** vscode-jsonrpc's client and server connections in one process, over JSON text both ways. */
export const vscodeJsonRpcInProcess: InProcessAdapter = {
  key: 'vscode-jsonrpc-in-process',
  name: 'vscode-jsonrpc client → server (JSON text)',
  open: async () => {
    const toServer = new TextPipe();
    const toClient = new TextPipe();
    const server = createMessageConnection(new PipeReader(toServer), new TextWriter((text) => toClient.send(text)));
    // Spread params arrive as arguments, followed by a cancellation token.
    server.onRequest('sum', (...args: unknown[]) =>
      args.reduce<number>((total, value) => (typeof value === 'number' ? total + value : total), 0),
    );
    server.listen();
    const client = createMessageConnection(new PipeReader(toClient), new TextWriter((text) => toServer.send(text)));
    client.listen();
    return {
      request: (method, params) => sendSpread(client, method, params),
      onNotification: () => () => undefined,
      close: async () => {
        client.dispose();
        server.dispose();
      },
    };
  },
};
