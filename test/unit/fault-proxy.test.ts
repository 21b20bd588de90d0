import { Loopback } from '../support/loopback';
import { FaultProxy, refusedUrl } from '../support/fault-proxy';

// The fault proxy is what the fault tests stand on: each fault must do exactly what it says,
// above all whether the service saw the request.

let service: Loopback;
let proxy: FaultProxy;
const seen: string[] = [];

beforeEach(async () => {
  seen.length = 0;
  service = await Loopback.start((_req, body, res) => {
    seen.push(body.toString());
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ echoed: body.toString() }));
  });
  proxy = await FaultProxy.start(service.url);
});

afterEach(async () => {
  await proxy.close();
  await service.close();
});

const post = (body: string, signal?: AbortSignal) => fetch(`${proxy.url}/x`, { method: 'POST', body, signal });

test('passes requests and answers through when no fault is scripted', async () => {
  const answer = await post('a');
  expect(answer.status).toBe(201);
  expect(await answer.json()).toEqual({ echoed: 'a' });
  expect(seen).toEqual(['a']);
  expect(proxy.requests.map((r) => [r.fault, r.upstreamStatus])).toEqual([['pass', 201]]);
});

test('lose-answer: the service handles the request, the client gets no answer', async () => {
  proxy.inject({ kind: 'lose-answer' });
  await expect(post('b')).rejects.toThrow();
  expect(seen).toEqual(['b']);
  expect((await post('c')).status).toBe(201);
});

test('drop-after-read: the request is read, never forwarded, and the connection cut', async () => {
  proxy.inject({ kind: 'drop-after-read' });
  await expect(post('d')).rejects.toThrow();
  expect(seen).toEqual([]);
  expect(proxy.requests[0].fault).toBe('drop-after-read');
});

test('delay: the service handles it at once, the answer comes late', async () => {
  proxy.inject({ kind: 'delay', ms: 300 });
  await expect(post('e', AbortSignal.timeout(50))).rejects.toThrow();
  expect(seen).toEqual(['e']);
});

test('answer: the proxy answers for the service', async () => {
  proxy.inject({ kind: 'answer', status: 503, body: '{"x":1}' });
  const answer = await post('f');
  expect(answer.status).toBe(503);
  expect(seen).toEqual([]);
});

test('a function picks which request to fault and lets the others pass', async () => {
  proxy.inject((request) => (request.body === 'target' ? { kind: 'answer', status: 500 } : undefined));
  expect((await post('other')).status).toBe(201);
  expect((await post('target')).status).toBe(500);
  expect(proxy.pending).toBe(0);
});

test('refusedUrl is a port where connections are refused', async () => {
  await expect(fetch(await refusedUrl())).rejects.toThrow(/fetch failed/);
});
