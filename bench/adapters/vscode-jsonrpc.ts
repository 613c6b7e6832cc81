import {
  AbstractMessageReader,
  AbstractMessageWriter,
  createMessageConnection,
  type DataCallback,
  type Disposable,
  type Message,
  type MessageConnection,
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

/** Writes each JSON-RPC message as one text, to `send` (a WebSocket frame, an in-process pipe). */
export class TextWriter extends AbstractMessageWriter {
  constructor(private readonly send: (text: string) => void) {
    super();
  }

  write(message: Message): Promise<void> {
    this.send(JSON.stringify(message));
    return Promise.resolve();
  }

  end(): void {}
}

/** A call through vscode-jsonrpc: positional params are spread, since it wraps a single array argument in another array. */
export const sendSpread = (connection: MessageConnection, method: string, params: unknown): Promise<unknown> =>
  Array.isArray(params) ? connection.sendRequest(method, ...params) : connection.sendRequest(method, params);

/** vscode-jsonrpc: `createMessageConnection` over the small reader and writer above. */
export const vscodeJsonRpc: Adapter = {
  key: 'vscode-jsonrpc',
  name: 'vscode-jsonrpc',
  open: async (url) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    await opened(socket);
    const connection = createMessageConnection(
      new WebSocketReader(socket),
      new TextWriter((text) => socket.send(text)),
    );
    connection.listen();
    return {
      request: (method, params) => sendSpread(connection, method, params),
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
