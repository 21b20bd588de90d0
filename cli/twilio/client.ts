import type { Twilio } from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import { ENV, SECRET_KEY } from '../../shared/names';
import { CommandError, envValue, type Io } from '../command';

/**
 * The official `twilio` client for the CLI's reads (account, numbers, Messaging Service, message
 * and call status, geo permissions). The CLI is not a Lambda, so the library's size does not
 * matter here, and its typed resources beat hand-written URLs.
 *
 * TWILIO_API_BASE_URL (docs/configuration.md) replaces the origin of every Twilio host the CLI
 * calls: api.twilio.com, messaging.twilio.com and accounts.twilio.com all go to that one origin,
 * path and query unchanged. Their paths do not collide (/2010-04-01/..., /v1/Services/...,
 * /v1/Messaging/GeoPermissions), so one local sandbox or test server can play all three.
 */

export interface TwilioAccess {
  accountSid: string;
  /** Account SID with the auth token, or an API key SID with its secret. */
  username: string;
  password: string;
  /** For messages: `auth token` or `API key SK…`. */
  via: string;
}

const TIMEOUT_MS = 10_000;

export function twilioBaseUrl(env: Io['env']): string | undefined {
  const raw = envValue(env, ENV.twilioApiBaseUrl);
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CommandError(`TWILIO_API_BASE_URL "${raw}" is not a URL: give an origin like https://api.twilio.com.`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.pathname !== '/' || url.search) {
    throw new CommandError('TWILIO_API_BASE_URL must be an origin only, like https://api.twilio.com (no path).');
  }
  return url.origin;
}

function rebasedClient(base: typeof RequestClient, origin: string): RequestClient {
  class Rebased extends base {
    override request<TData>(opts: RequestClient.RequestOptions<TData>) {
      const uri = new URL(opts.uri);
      if (uri.hostname === 'twilio.com' || uri.hostname.endsWith('.twilio.com')) {
        return super.request({ ...opts, uri: `${origin}${uri.pathname}${uri.search}` });
      }
      return super.request(opts);
    }
  }
  return new Rebased({ timeout: TIMEOUT_MS, keepAlive: false });
}

export function twilioClient(access: TwilioAccess, env: Io['env']): Twilio {
  // Loaded on use: requiring the library takes a few hundred milliseconds.
  const twilio = require('twilio') as typeof import('twilio');
  const origin = twilioBaseUrl(env);
  const httpClient = origin ? rebasedClient(twilio.RequestClient, origin) : new twilio.RequestClient({ timeout: TIMEOUT_MS, keepAlive: false });
  return twilio(access.username, access.password, { accountSid: access.accountSid, httpClient, env });
}

function text(values: Record<string, unknown>, key: string): string | undefined {
  const value = values[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** The account SID with the auth token; undefined when either is missing. */
export function authTokenAccess(values: Record<string, unknown>): TwilioAccess | undefined {
  const accountSid = text(values, SECRET_KEY.twilioAccountSid);
  const authToken = text(values, SECRET_KEY.twilioAuthToken);
  if (!accountSid || !authToken) return undefined;
  return { accountSid, username: accountSid, password: authToken, via: 'auth token' };
}

/** The API key, when one is configured; undefined otherwise. */
export function apiKeyAccess(values: Record<string, unknown>): TwilioAccess | undefined {
  const accountSid = text(values, SECRET_KEY.twilioAccountSid);
  const keySid = text(values, SECRET_KEY.twilioApiKeySid);
  const keySecret = text(values, SECRET_KEY.twilioApiKeySecret);
  if (!accountSid || !keySid || !keySecret) return undefined;
  return { accountSid, username: keySid, password: keySecret, via: `API key ${keySid}` };
}

/** What the gateway itself sends with: the API key when there is one, else the auth token. */
export function sendingAccess(values: Record<string, unknown>): TwilioAccess | undefined {
  return apiKeyAccess(values) ?? authTokenAccess(values);
}
