import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { DynamoDbClient, DynamoDbError, isConditionFailure } from '../../lambda/adapters/dynamodb-client';
import { FaultProxy } from '../support/fault-proxy';

/**
 * The fetch-free DynamoDB client: the JSON protocol, SigV4 signatures exactly as the AWS SDK's
 * own signer makes them, DynamoDB's errors, and which failures get a second try (a write that
 * must not be applied twice gets one only when it provably was not).
 */

interface Seen {
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let endpoint: string;
const seen: Seen[] = [];
let answers: { status: number; body: unknown }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk)).on('end', () => {
      seen.push({ headers: req.headers, body });
      const answer = answers.shift() ?? { status: 200, body: {} };
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

beforeEach(() => {
  seen.length = 0;
  answers = [];
});

const ENV = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', AWS_SESSION_TOKEN: 'session-token', AWS_REGION: 'eu-west-1' };
const client = () => new DynamoDbClient({ ...ENV, AWS_ENDPOINT_URL_DYNAMODB: endpoint });

type Data = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: Data) => (typeof data === 'string' ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data));

/** SHA-256 for the SDK's signer, from node:crypto. */
class Sha256 {
  private readonly hash;
  constructor(secret?: Data) {
    this.hash = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: Data) {
    this.hash.update(bytes(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

it('posts the operation as DynamoDB JSON and returns the answer', async () => {
  answers.push({ status: 200, body: { Item: { id: { S: 'a' } } } });
  const output = await client().call('GetItem', { TableName: 't', Key: { id: { S: 'a' } } });
  expect(output).toEqual({ Item: { id: { S: 'a' } } });
  expect(seen[0].headers['x-amz-target']).toBe('DynamoDB_20120810.GetItem');
  expect(seen[0].headers['content-type']).toBe('application/x-amz-json-1.0');
  expect(JSON.parse(seen[0].body)).toEqual({ TableName: 't', Key: { id: { S: 'a' } } });
});

it("signs exactly as the AWS SDK's SigV4 signer does, session token included", async () => {
  await client().call('PutItem', { TableName: 't', Item: { id: { S: 'b' } } });
  const { headers, body } = seen[0];
  const amzDate = String(headers['x-amz-date']);
  const signer = new SignatureV4({
    service: 'dynamodb',
    region: 'eu-west-1',
    credentials: { accessKeyId: ENV.AWS_ACCESS_KEY_ID, secretAccessKey: ENV.AWS_SECRET_ACCESS_KEY, sessionToken: ENV.AWS_SESSION_TOKEN },
    sha256: Sha256,
    // aws4 signs the body's length and not an x-amz-content-sha256 header; both are valid SigV4.
    applyChecksum: false,
  });
  const { host } = new URL(endpoint);
  const expected = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: host.split(':')[0],
      port: Number(host.split(':')[1]),
      path: '/',
      headers: {
        host,
        'content-length': String(headers['content-length']),
        'content-type': String(headers['content-type']),
        'x-amz-target': String(headers['x-amz-target']),
        'x-amz-date': amzDate,
        'x-amz-security-token': ENV.AWS_SESSION_TOKEN,
      },
      body,
    },
    { signingDate: new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13)}`) },
  );
  expect(headers['x-amz-security-token']).toBe(ENV.AWS_SESSION_TOKEN);
  expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/dynamodb\/aws4_request/);
  expect(headers.authorization).toBe(expected.headers.authorization);
});

it("raises DynamoDB's exception by name, with the item a failed condition returns", async () => {
  answers.push({ status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'The conditional request failed', Item: { n: { N: '5' } } } });
  const error = await client().call('UpdateItem', {}).catch((err: unknown) => err);
  expect(error).toBeInstanceOf(DynamoDbError);
  expect(isConditionFailure(error)).toBe(true);
  expect(error).toMatchObject({ name: 'ConditionalCheckFailedException', status: 400, item: { n: { N: '5' } } });
  expect(seen).toHaveLength(1);
});

it('tries once more after throttling or a 5xx, and no more', async () => {
  answers.push({ status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'slow down' } }, { status: 200, body: { ok: 1 } });
  expect(await client().call('UpdateItem', {})).toEqual({ ok: 1 });
  answers.push({ status: 500, body: { __type: 'InternalServerError' } }, { status: 500, body: { __type: 'InternalServerError' } });
  await expect(client().call('UpdateItem', {})).rejects.toMatchObject({ name: 'InternalServerError', status: 500 });
  expect(seen).toHaveLength(4);
});

it('repeats a write that must not be applied twice only when DynamoDB provably did not apply it', async () => {
  answers.push({ status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'slow down' } }, { status: 200, body: { ok: 2 } });
  expect(await client().call('UpdateItem', {}, { idempotent: false })).toEqual({ ok: 2 });
  // A 500 on a single-item write "may have succeeded or failed" (DynamoDB's error-handling guide).
  answers.push({ status: 500, body: { __type: 'InternalServerError' } });
  await expect(client().call('UpdateItem', {}, { idempotent: false })).rejects.toMatchObject({ name: 'InternalServerError' });
  expect(seen).toHaveLength(3);
});

describe('lost and late answers', () => {
  let faulty: FaultProxy;
  beforeEach(async () => {
    faulty = await FaultProxy.start(endpoint);
  });
  afterEach(() => faulty.close());
  const viaProxy = () => new DynamoDbClient({ ...ENV, AWS_ENDPOINT_URL_DYNAMODB: faulty.url }, { timeoutMs: 200 });

  it('tries an idempotent operation once more after a lost or late answer', async () => {
    answers.push({ status: 200, body: { n: 1 } }, { status: 200, body: { n: 2 } }, { status: 200, body: { n: 3 } }, { status: 200, body: { n: 4 } });
    faulty.inject({ kind: 'lose-answer' });
    expect(await viaProxy().call('PutItem', {})).toEqual({ n: 2 });
    faulty.inject({ kind: 'delay', ms: 400 });
    expect(await viaProxy().call('PutItem', {})).toEqual({ n: 4 });
    expect(seen).toHaveLength(4);
  });

  it('does not repeat a non-idempotent write whose answer was lost or late: it may have been applied', async () => {
    faulty.inject({ kind: 'lose-answer' });
    await expect(viaProxy().call('UpdateItem', {}, { idempotent: false })).rejects.toMatchObject({ sent: true, timedOut: false });
    faulty.inject({ kind: 'delay', ms: 400 });
    await expect(viaProxy().call('UpdateItem', {}, { idempotent: false })).rejects.toMatchObject({ sent: true, timedOut: true });
    expect(seen).toHaveLength(2);
  });
});

it('needs credentials, as the SDK does', () => {
  expect(() => new DynamoDbClient({ AWS_REGION: 'us-east-1' })).toThrow('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are needed to reach DynamoDB.');
});
