import type { Twilio } from 'twilio';
import { answeredByMachine } from '../../lambda/providers/twilio/status-callback';
import { CommandError } from '../command';
import { describeFailure, twilioFailure, type TwilioFailure } from '../twilio/failure';

/**
 * Follows a message or call through Twilio's API until it reaches a final state or the time runs
 * out. Polling, not the status callback: the callback goes to the gateway, which only counts it.
 */

export type Channel = 'sms' | 'voice';

/** Final states, and whether each one means the code reached the phone. */
const FINAL: Record<Channel, Record<string, boolean>> = {
  sms: { delivered: true, read: true, undelivered: false, failed: false, canceled: false },
  voice: { completed: true, busy: false, 'no-answer': false, failed: false, canceled: false },
};

export interface FollowOptions {
  timeoutMs: number;
  intervalMs: number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /** Called after every poll with the status seen. */
  onStatus?: (status: string, elapsedMs: number) => void;
}

export interface FollowOutcome {
  /** The last status Twilio reported (`unknown` if none could be read). */
  status: string;
  final: boolean;
  delivered: boolean;
  errorCode?: number;
  /** Who took a call, when answering-machine detection ran (`human`, `machine_end_beep`, ...). */
  answeredBy?: string;
  elapsedMs: number;
  /** The last failed poll, when polling never succeeded or stopped on a transient failure. */
  lastFailure?: TwilioFailure;
}

async function fetchStatus(client: Twilio, channel: Channel, sid: string): Promise<{ status: string; errorCode?: number; answeredBy?: string }> {
  if (channel === 'voice') {
    const call = await client.calls(sid).fetch();
    return { status: String(call.status), answeredBy: call.answeredBy || undefined };
  }
  const message = await client.messages(sid).fetch();
  return { status: String(message.status), errorCode: message.errorCode ?? undefined };
}

// 429 and 5xx may pass; anything else (wrong credentials, unknown SID) will not get better.
function transient(failure: TwilioFailure): boolean {
  return failure.status === undefined || failure.status === 429 || failure.status >= 500;
}

export async function followDelivery(client: Twilio, channel: Channel, sid: string, options: FollowOptions): Promise<FollowOutcome> {
  const started = options.now();
  let status = 'unknown';
  let errorCode: number | undefined;
  let answeredBy: string | undefined;
  let lastFailure: TwilioFailure | undefined;

  for (;;) {
    try {
      ({ status, errorCode, answeredBy } = await fetchStatus(client, channel, sid));
      lastFailure = undefined;
    } catch (err) {
      lastFailure = twilioFailure(err);
      if (!transient(lastFailure)) {
        const hint = lastFailure.code === 20404 ? ': the Twilio credentials used to follow belong to another account than the gateway\'s' : '';
        throw new CommandError(`Sent ${sid}, but could not follow it: ${describeFailure(lastFailure)}${hint}.`);
      }
    }
    const elapsedMs = options.now() - started;
    options.onStatus?.(status, elapsedMs);
    const final = FINAL[channel][status];
    if (final !== undefined) return { status, final: true, delivered: final && !answeredByMachine(answeredBy), errorCode, answeredBy, elapsedMs };
    if (elapsedMs + options.intervalMs > options.timeoutMs) return { status, final: false, delivered: false, errorCode, elapsedMs, lastFailure };
    await options.sleep(options.intervalMs);
  }
}
