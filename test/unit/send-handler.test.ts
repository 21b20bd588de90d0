import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { createLogger } from '../../lambda/adapters/logger';
import type { SendDependencies } from '../../lambda/core/send-message';
import { createSendHandler } from '../../lambda/handlers/send-handler';
import { OutputCapture } from '../support/output';

/**
 * What the send handler answers before any of its dependencies is used: routes and methods the
 * stack sends its way that are not POST /messages (the send path is covered end to end in
 * test/integration).
 */

const unused = new Proxy({} as SendDependencies, {
  get: (_target, name) => {
    throw new Error(`dependency ${String(name)} used`);
  },
});

function event(routeKey: string, method: string, rawPath: string): APIGatewayProxyEventV2 {
  return { routeKey, rawPath, headers: {}, isBase64Encoded: false, requestContext: { http: { method } } } as unknown as APIGatewayProxyEventV2;
}

const context = { awsRequestId: 'test', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
const output = new OutputCapture();
const logger = createLogger('test');
const handler = createSendHandler({ ...unused, logger, log: logger } as SendDependencies & { logger: typeof logger });

beforeEach(() => output.start());
afterEach(() => output.stop());

it("answers the contract's JSON 404 to paths no route matches (the stack's $default route)", async () => {
  const response = await handler(event('$default', 'GET', '/wp-login.php'), context);
  expect(response.statusCode).toBe(404);
  expect(JSON.parse(response.body!)).toEqual({ error: { code: 'not_found', message: 'No route for /wp-login.php: use POST /messages or POST /twilio/status.' } });
});

it('answers 405 with Allow: POST to other methods on /messages', async () => {
  const response = await handler(event('ANY /messages', 'GET', '/messages'), context);
  expect(response.statusCode).toBe(405);
  expect(response.headers).toMatchObject({ allow: 'POST' });
  expect(JSON.parse(response.body!).error.code).toBe('method_not_allowed');
});
