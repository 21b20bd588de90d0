import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { httpRequest, IDLE_SOCKET_MS, NoAnswerError } from '../../lambda/adapters/http-request';
import { refusedUrl } from '../support/fault-proxy';

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

it('gives up after the timeout, whether the answer never starts or stops halfway; the request was sent', async () => {
  const silent = await listen(createHttpServer(() => undefined));
  const error = await failure(httpRequest(silent, { method: 'GET', timeoutMs: 100 }));
  expect(error).toMatchObject({ timedOut: true, sent: true, name: 'TimeoutError' });

  const halfway = await listen(createHttpServer((_req, res) => res.writeHead(200).write('{"partial":')));
  expect(await failure(httpRequest(halfway, { method: 'GET', timeoutMs: 100 }))).toMatchObject({ timedOut: true, sent: true });
});

it('reports a refused connection as a connection failure, not a timeout, and as not sent', async () => {
  const error = await failure(httpRequest(`${await refusedUrl()}/`, { method: 'GET', timeoutMs: 1000 }));
  expect(error).toMatchObject({ timedOut: false, sent: false, name: 'ConnectionError' });
});

it('reports a TLS handshake that fails as not sent: no byte of the request leaves before it', async () => {
  const url = await listen(createTcpServer((socket: Socket) => socket.destroy()));
  const error = await failure(httpRequest(url.replace('http:', 'https:'), { method: 'POST', body: 'x', timeoutMs: 1000 }));
  expect(error).toMatchObject({ timedOut: false, sent: false });
});

describe('kept-alive sockets', () => {
  /** A server that records each request it reads, on connections the test can reach. */
  async function recordingServer(answer: (socket: Socket) => void = () => undefined) {
    const seen: string[] = [];
    const open = new Set<Socket>();
    const url = await listen(
      createHttpServer((req, res) => {
        let body = '';
        req.on('data', (chunk) => (body += chunk)).on('end', () => {
          seen.push(body);
          answer(req.socket);
          if (!res.destroyed) res.end('ok');
        });
      }).on('connection', (socket: Socket) => {
        open.add(socket);
        socket.on('close', () => open.delete(socket));
      }),
    );
    return { url, seen, open };
  }

  it('retries on a new connection when a reused socket was reset before the request could be written', async () => {
    const server = await recordingServer();
    expect((await httpRequest(server.url, { method: 'POST', body: 'first', timeoutMs: 1000 })).text).toBe('ok');
    // The server resets the idle connection; the client has not read the reset yet, as after a
    // Lambda freeze: the next request takes the dead socket, and its write fails.
    for (const socket of server.open) socket.resetAndDestroy();
    expect((await httpRequest(server.url, { method: 'POST', body: 'second', timeoutMs: 1000 })).text).toBe('ok');
    expect(server.seen).toEqual(['first', 'second']);
  });

  it(`reuses a connection within ${IDLE_SOCKET_MS / 1000} s, and closes one idle for longer rather than reuse it (a server or NAT may have dropped it)`, async () => {
    const connections: Socket[] = [];
    const server = await recordingServer();
    servers.at(-1)!.on('connection', (socket: Socket) => connections.push(socket));
    await httpRequest(server.url, { method: 'POST', body: 'first', timeoutMs: 1000 });
    await httpRequest(server.url, { method: 'POST', body: 'second', timeoutMs: 1000 });
    expect(connections).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, IDLE_SOCKET_MS + 300));
    // Closed by the client: the server saw its connection end while idle.
    expect(connections[0].destroyed).toBe(true);
    await httpRequest(server.url, { method: 'POST', body: 'third', timeoutMs: 1000 });
    expect(connections).toHaveLength(2);
    expect(server.seen).toEqual(['first', 'second', 'third']);
  });

  it('does not repeat a request the server may have read: a reused socket that drops after the write', async () => {
    let drop = false;
    const server = await recordingServer((socket) => drop && socket.destroy());
    await httpRequest(server.url, { method: 'POST', body: 'first', timeoutMs: 1000 });
    drop = true;
    const error = await failure(httpRequest(server.url, { method: 'POST', body: 'second', timeoutMs: 1000 }));
    expect(error).toMatchObject({ timedOut: false, sent: true });
    expect(server.seen).toEqual(['first', 'second']);
  });
});
