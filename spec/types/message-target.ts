import { messagePort } from 'rx-jsonrpc';
declare const worker: Worker;
declare const port: MessagePort;
declare const frame: Window;
messagePort(worker);
messagePort(port);
messagePort(frame, { targetOrigin: 'https://x' });
