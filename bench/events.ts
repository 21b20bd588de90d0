import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { signedHeaders } from '../test/support/signing';

/** API Gateway HTTP API (payload 2.0) events as the benchmark sends them to the handlers. */

let counter = 0;

/** A different valid US number each call, so that per-recipient limits never refuse a send. */
export function nextRecipient(): string {
  counter += 1;
  const exchange = 200 + (counter % 700);
  const line = String(Math.floor(counter / 700) % 10_000).padStart(4, '0');
  return `+1415${exchange}${line}`;
}

function event(path: string, headers: Record<string, string>, body: string, isBase64Encoded: boolean): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `POST ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers,
    body,
    isBase64Encoded,
    requestContext: {
      accountId: 'bench',
      apiId: 'bench',
      domainName: 'bench.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'bench',
      http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: randomUUID(),
      routeKey: `POST ${path}`,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
  };
}

export function sendEvent(signingSecret: string, recipient = nextRecipient()): APIGatewayProxyEventV2 {
  const body = JSON.stringify({ recipient, code: '482913', language: 'en', action: 'authentication', client_name: 'Bench' });
  return event('/messages', signedHeaders(signingSecret, body), body, false);
}

/** A Twilio delivery callback, form-encoded and base64 as API Gateway passes it, signed like Twilio signs it. */
export function statusEvent(authToken: string, url: string, sid: string, status = 'delivered'): APIGatewayProxyEventV2 {
  const params = { AccountSid: 'AC0', MessageSid: sid, SmsSid: sid, MessageStatus: status, To: '+14155550123', From: '+15017122661', ApiVersion: '2010-04-01' };
  const body = new URLSearchParams(params).toString();
  const headers = { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': getExpectedTwilioSignature(authToken, url, params) };
  return event('/twilio/status', headers, Buffer.from(body).toString('base64'), true);
}

export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench',
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/bench',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
