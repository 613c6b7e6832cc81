// W7: json-rpc-2.0's JSONRPCServer behind node:http, written as its README's Express example
// does it (the body read as text, `receive`, 200 with the answer or 204), without Express.
import { createServer } from 'node:http';
import { JSONRPCServer } from 'json-rpc-2.0';
import { portOf, serving } from './child';

const rpc = new JSONRPCServer();
rpc.addMethod('echo', (params) => params);

const server = createServer((request, response) => {
  if (request.method !== 'POST') {
    response.writeHead(405).end();
    return;
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    let message: unknown;
    try {
      message = JSON.parse(Buffer.concat(chunks).toString());
    } catch {
      response.writeHead(400).end();
      return;
    }
    void rpc.receive(message as never).then((answer) => {
      if (answer === null) response.writeHead(204).end();
      else response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
});
server.listen(0, '127.0.0.1', () => serving(portOf(server.address())));
