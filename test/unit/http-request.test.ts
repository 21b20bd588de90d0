import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { httpRequest, NoAnswerError } from '../../lambda/adapters/http-request';

/** The node:http(s) request helper the adapters share: answers, timeouts, and stale sockets. */

const servers: (Server | ReturnType<typeof createTcpServer>)[] = [];
const sockets: Socket[] = [];
afterAll(() => {
  // The helper's keep-alive pool holds connections open: end them so that the servers close.
  for (const server of servers) {
    if ('closeAllConnections' in server) server.closeAllConnections();
    server.close();
  }
  for (const socket of sockets) socket.destroy();
});

async function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<string> {
  servers.push(server);
  server.on('connection', (socket: Socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function failure(promise: Promise<unknown>): Promise<NoAnswerError> {
  const error = await promise.then(() => undefined, (err: unknown) => err);
  expect(error).toBeInstanceOf(NoAnswerError);
  return error as NoAnswerError;
}

it('sends the method, headers and body, and returns the status, headers and text of the answer', async () => {
  let seen: { method?: string; type?: string; body: string } = { body: '' };
  const url = await listen(
    createHttpServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk)).on('end', () => {
        seen = { method: req.method, type: req.headers['content-type'], body };
        res.writeHead(201, { 'retry-after': '3' }).end('{"sid":"SM1"}');
      });
    }),
  );
  const answer = await httpRequest(`${url}/x`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'To=%2B1', timeoutMs: 1000 });
  expect(answer).toMatchObject({ status: 201, text: '{"sid":"SM1"}' });
  expect(answer.headers['retry-after']).toBe('3');
  expect(seen).toEqual({ method: 'POST', type: 'application/x-www-form-urlencoded', body: 'To=%2B1' });
});

it('gives up after the timeout, whether the answer never starts or stops halfway', async () => {
  const silent = await listen(createHttpServer(() => undefined));
  expect((await failure(httpRequest(silent, { method: 'GET', timeoutMs: 100 }))).timedOut).toBe(true);

  const halfway = await listen(createHttpServer((_req, res) => res.writeHead(200).write('{"partial":')));
  const error = await failure(httpRequest(halfway, { method: 'GET', timeoutMs: 100 }));
  expect(error.timedOut).toBe(true);
  expect(error.name).toBe('TimeoutError');
});

it('reports a refused connection as a connection failure, not a timeout', async () => {
  const error = await failure(httpRequest('http://127.0.0.1:9/', { method: 'GET', timeoutMs: 1000 }));
  expect(error.timedOut).toBe(false);
  expect(error.name).toBe('ConnectionError');
});

it('retries once on a new connection when a kept-alive socket turns out to be closed', async () => {
  // A server that answers the first request of each connection, keeps it open, and drops it
  // at the next request: what a Lambda sees after a freeze outlived the server's idle timeout.
  let connections = 0;
  const url = await listen(
    createTcpServer((socket: Socket) => {
      connections += 1;
      let requests = 0;
      socket.on('data', () => {
        requests += 1;
        if (requests === 1) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
        else socket.destroy();
      });
    }),
  );
  expect((await httpRequest(url, { method: 'GET', timeoutMs: 1000 })).text).toBe('ok');
  expect((await httpRequest(url, { method: 'GET', timeoutMs: 1000 })).text).toBe('ok');
  expect(connections).toBe(2);
});
