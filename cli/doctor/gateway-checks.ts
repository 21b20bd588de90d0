import { forward, GatewayRefused } from '../../auth0/forwarder/core';
import { signingKeys } from '../../auth0/forwarder/sign';
import { signingSecrets } from '../signing-keys';
import { fail, pass, skipFor, unreachableFix, warn, type Check, type Outcome } from './check';

/**
 * The gateway over HTTP, as Auth0 and Twilio reach it. Nothing here can send a message: every
 * request is refused by design (unsigned, or signed with a body that has no recipient), and a
 * refused request counts against no rate limit.
 */

const TIMEOUT_MS = 10_000;

interface Answer {
  status: number;
  code?: string;
  message?: string;
}

async function post(url: string, body: string, contentType: string): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
  const text = await response.text();
  let parsed: { error?: { code?: unknown; message?: unknown }; message?: unknown } | undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const code = typeof parsed?.error?.code === 'string' ? parsed.error.code : undefined;
  const message = typeof parsed?.error?.message === 'string' ? parsed.error.message : typeof parsed?.message === 'string' ? parsed.message : undefined;
  return { status: response.status, code, message };
}

function unreachable(url: string, err: unknown): Outcome {
  const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
  return fail(`no answer from ${url} (${cause})`, unreachableFix(cause, url));
}

function configurationFailure(answer: Answer): Outcome {
  return fail(`the gateway answers 500 configuration_error: ${answer.message ?? 'no message'}`, "complete the gateway's secret: `npx sms-gateway secrets set` (see aws.secret)");
}

export const unsignedCheck: Check = {
  id: 'gateway.unsigned',
  async run(context) {
    const url = await context.messagesUrl();
    if (!url.ok) return skipFor(url);
    let answer: Answer;
    try {
      answer = await post(url.value, '{}', 'application/json');
    } catch (err) {
      return unreachable(url.value, err);
    }
    if (answer.status === 401 && answer.code === 'invalid_signature') return pass(`${url.value} answers and refuses unsigned requests (401 invalid_signature)`);
    if (answer.status === 500 && answer.code === 'configuration_error') return configurationFailure(answer);
    if (answer.status >= 200 && answer.status < 300) {
      return fail(`${url.value} accepted an unsigned request (HTTP ${answer.status})`, "check that the URL is the gateway's and redeploy it, since anyone can send SMS at your cost while it accepts unsigned requests");
    }
    if (!answer.code) {
      return fail(`${url.value} answers HTTP ${answer.status}${answer.message ? ` (${answer.message})` : ''}, not the gateway's JSON error`, "the URL is not the gateway's POST /messages: use the stack output MessagesUrl");
    }
    return fail(`${url.value} answers an unsigned request with ${answer.status} ${answer.code}${answer.message ? `: ${answer.message}` : ''}`, 'expected 401 invalid_signature; see docs/operations.md, section "Errors the gateway answers"');
  },
};

/** Signs a body without a recipient: a gateway that accepts the signature answers 400 invalid_request. */
async function probe(url: string, secret: string): Promise<GatewayRefused | 'accepted'> {
  try {
    await forward({}, { url: new URL(url), keys: signingKeys(secret)! });
    return 'accepted';
  } catch (err) {
    if (err instanceof GatewayRefused) return err;
    throw err;
  }
}

export const signatureCheck: Check = {
  id: 'gateway.signature',
  async run(context) {
    const url = await context.messagesUrl();
    if (!url.ok) return skipFor(url);
    const secret = await context.signingSecret();
    if (!secret.ok) return skipFor(secret);

    let answer: GatewayRefused | 'accepted';
    try {
      answer = await probe(url.value, secret.value);
    } catch (err) {
      return skipFor({ why: 'the gateway did not answer (see gateway.unsigned)' });
    }
    if (answer === 'accepted') return fail('the gateway accepted a message without a recipient', 'this is not the mfa-sms-gateway: check the URL');
    if (answer.status === 401) {
      const source = await context.secret();
      return fail(
        `the gateway refuses requests signed with SMS_GATEWAY_SIGNING_SECRET from ${source.ok ? source.value.source : 'the secret'}: ${answer.message.replace(/\.$/, '')}`,
        "run the doctor again in 5 minutes, since running Lambdas re-read the secret that often; if it still fails, the gateway reads another secret (see the send Lambda's SECRET_ARN) or --url names another gateway",
      );
    }
    if (answer.status === 500 && answer.errorCode === 'configuration_error') return configurationFailure({ status: 500, message: answer.message });
    if (answer.status !== 400) return fail(`the signed probe got HTTP ${answer.status}: ${answer.message}`, 'expected 400 invalid_request; see docs/operations.md, section "Errors the gateway answers"');

    const keys = signingSecrets(secret.value);
    if (keys.length > 1) {
      // Mid-rotation: Auth0 may soon sign with the new key alone; the gateway must already accept it.
      const newest = await probe(url.value, keys[0]).catch(() => undefined);
      if (newest instanceof GatewayRefused && newest.status === 401) {
        return warn('the gateway accepts the old signing key but not yet the new one', 'running Lambdas re-read the secret within 5 minutes: wait before `secrets rotate-signing-key --finish`');
      }
    }
    return pass(`the gateway accepts requests signed with the signing secret (a signed probe got 400 invalid_request, as expected)`);
  },
};

export const statusCallbackCheck: Check = {
  id: 'gateway.status-callback',
  async run(context) {
    const url = await context.statusCallbackUrl();
    if (!url.ok) return skipFor(url);
    let answer: Answer;
    try {
      answer = await post(url.value, new URLSearchParams({ MessageSid: `SM${'0'.repeat(32)}`, MessageStatus: 'delivered' }).toString(), 'application/x-www-form-urlencoded');
    } catch (err) {
      return unreachable(url.value, err);
    }
    if (answer.status === 403) return pass(`${url.value} answers and refuses unsigned callbacks (403)`);
    if (answer.status >= 200 && answer.status < 300) {
      return fail(`${url.value} accepted an unsigned status callback (HTTP ${answer.status})`, 'anyone could skew the delivery metrics: redeploy the gateway');
    }
    return fail(`${url.value} answers an unsigned callback with HTTP ${answer.status}${answer.message ? ` (${answer.message})` : ''}, expected 403`, "Twilio's delivery reports may be lost: check the StatusCallbackUrl output and the status Lambda's logs");
  },
};
