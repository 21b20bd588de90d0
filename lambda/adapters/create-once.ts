import { GatewayError } from '../core/errors';
import type { UnknownOutcome } from '../core/ports';
import { httpRequest, NoAnswerError, type HttpAnswer, type HttpRequest } from './http-request';

/**
 * One create at a provider that takes no idempotency key (Twilio's Messages and Calls, AWS End
 * User Messaging's sends): what both provider clients share. The request goes out once, and once
 * more only when the first exchange provably created nothing (`provablyNothing`: each provider
 * says which answers prove it), after a pause, while at least a second of the budget is left: a
 * retry with less would most likely time out anyway. Anything that may have reached the
 * provider is never repeated: a second create could send a second code.
 */

/** An answer, or no answer and whether the request may have reached the server (http-request.ts). */
export type Exchange = { answer: HttpAnswer } | { failure: 'timeout' | 'network'; sent: boolean; cause: unknown };

export interface CreateOptions {
  /** The whole call, the retry included. */
  budgetMs: number;
  attemptTimeoutMs: number;
  /** Whether this exchange provably created nothing, so that repeating it cannot send twice. */
  provablyNothing(exchange: Exchange): boolean;
  /** The pause before the retry. */
  pauseMs(exchange: Exchange): number;
}

async function exchange(url: string | URL, request: Omit<HttpRequest, 'timeoutMs'>, timeoutMs: number): Promise<Exchange> {
  try {
    return { answer: await httpRequest(url, { ...request, timeoutMs }) };
  } catch (err) {
    if (!(err instanceof NoAnswerError)) throw err;
    return { failure: err.timedOut ? 'timeout' : 'network', sent: err.sent, cause: err };
  }
}

/** A JSON object's text as the object; undefined for anything else. */
export function readJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The create, retried at most once; with the time it took in all. */
export async function createOnce(url: string | URL, request: Omit<HttpRequest, 'timeoutMs'>, options: CreateOptions): Promise<{ exchange: Exchange; latencyMs: number }> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let result = await exchange(url, request, Math.min(options.attemptTimeoutMs, options.budgetMs));
  if (options.provablyNothing(result)) {
    const wait = options.pauseMs(result);
    const remaining = options.budgetMs - elapsed() - wait;
    if (remaining >= 1_000) {
      await new Promise((resolve) => setTimeout(resolve, wait));
      result = await exchange(url, request, Math.min(options.attemptTimeoutMs, remaining));
    }
  }
  return { exchange: result, latencyMs: elapsed() };
}

/**
 * No answer, in the contract's words: a refusal (provider_unavailable, thrown) when the request
 * never left, so that the caller, or another provider, may send; otherwise an unknown outcome.
 */
export function noAnswer(failure: Extract<Exchange, { failure: string }>, provider: string, latencyMs: number): UnknownOutcome {
  if (!failure.sent) throw new GatewayError('provider_unavailable', `${provider} could not be reached; try again later.`, { latencyMs, cause: failure.cause });
  const detail = failure.failure === 'timeout' ? `${provider} did not answer in time.` : `${provider} hung up before answering.`;
  return { outcome: 'unknown', detail, latencyMs, cause: failure.cause };
}
