import {
  AbstractMessageReader,
  AbstractMessageWriter,
  createMessageConnection,
  type DataCallback,
  type Disposable,
  type Message,
} from 'vscode-jsonrpc/node';
import { WebSocket } from 'ws';
import { closed, opened, text, type Adapter } from './adapter';

/** Reads one JSON-RPC message per WebSocket text frame. */
class WebSocketReader extends AbstractMessageReader {
  constructor(private readonly socket: WebSocket) {
    super();
    socket.on('close', () => this.fireClose());
    socket.on('error', (error) => this.fireError(error));
  }

  listen(callback: DataCallback): Disposable {
    const onMessage = (data: Parameters<typeof text>[0]) => callback(JSON.parse(text(data)) as Message);
    this.socket.on('message', onMessage);
    return { dispose: () => this.socket.off('message', onMessage) };
  }
}

/** Writes one JSON-RPC message per WebSocket text frame. */
class WebSocketWriter extends AbstractMessageWriter {
  constructor(private readonly socket: WebSocket) {
    super();
  }

  write(message: Message): Promise<void> {
    this.socket.send(JSON.stringify(message));
    return Promise.resolve();
  }

  end(): void {}
}

/** vscode-jsonrpc: `createMessageConnection` over the small reader and writer above. */
export const vscodeJsonRpc: Adapter = {
  key: 'vscode-jsonrpc',
  name: 'vscode-jsonrpc',
  open: async (url) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    await opened(socket);
    const connection = createMessageConnection(new WebSocketReader(socket), new WebSocketWriter(socket));
    connection.listen();
    return {
      // Positional params are spread: vscode-jsonrpc wraps a single array argument in another array.
      request: (method, params) =>
        Array.isArray(params) ? connection.sendRequest(method, ...params) : connection.sendRequest(method, params),
      onNotification: (method, listener) => {
        const registration = connection.onNotification(method, (params: unknown) => listener(params));
        return () => registration.dispose();
      },
      close: async () => {
        connection.dispose();
        await closed(socket);
      },
    };
  },
};
