import { SECRET_KEY } from '../../shared/names';
import { maskPhone, plural, shortSid } from '../format';
import { apiKeyAccess } from '../twilio/client';
import { GEO_PERMISSIONS_CONSOLE } from '../twilio/error-codes';
import { describeFailure, twilioFailure } from '../twilio/failure';
import { fail, pass, skip, skipFor, warn, type Check } from './check';

/** The Twilio side: the credentials work, the sender exists and can send, the countries are open. */

const CREDENTIALS_FIX = 'copy the Account SID and auth token from the Twilio Console (Account > API keys & tokens) and run `npx sms-gateway secrets set`';

export const credentialsCheck: Check = {
  id: 'twilio.credentials',
  async run(context) {
    const account = await context.account();
    if (!account.ok) {
      if (account.unavailable) return skipFor(account);
      const refused = /error 20003|HTTP 401/.test(account.why);
      return fail(
        refused ? `Twilio refuses the Account SID and auth token in the secret (${account.why})` : account.why,
        refused ? CREDENTIALS_FIX : 'check the network path to Twilio (and TWILIO_API_BASE_URL, if set)',
      );
    }
    const { friendlyName, sid, status, type } = account.value.account;
    const which = `account "${friendlyName}" (${shortSid(sid)}), ${type}, ${status}`;
    if (status !== 'active') return fail(which, 'the account cannot send while suspended or closed: see Billing and account status in the Twilio Console');
    if (type === 'Trial') return warn(which, 'a trial account only sends to verified numbers (error 21608) and prefixes every SMS: upgrade it in the Twilio Console');
    return pass(which);
  },
};

export const apiKeyCheck: Check = {
  id: 'twilio.api-key',
  async run(context) {
    const secret = await context.secret();
    if (!secret.ok) return skipFor(secret);
    const access = apiKeyAccess(secret.value.values);
    if (!access) return skip('no API key configured: sends use the auth token');
    const ready = await context.twilioReady();
    if (!ready.ok) return skipFor(ready);
    try {
      await context.twilio(access).api.v2010.accounts(access.accountSid).fetch();
      return pass(`${access.via} authenticates with the account`);
    } catch (err) {
      const failure = twilioFailure(err);
      return fail(
        `Twilio refuses ${access.via}: ${describeFailure(failure)}`,
        'the key was deleted or its secret is wrong: create a Standard key in the Twilio Console (Account > API keys & tokens) and run `npx sms-gateway secrets set --api-key-sid SK... --api-key-secret ...`',
      );
    }
  },
};

export const messagingServiceCheck: Check = {
  id: 'twilio.messaging-service',
  async run(context) {
    const secret = await context.secret();
    if (!secret.ok) return skipFor(secret);
    const sid = secret.value.values[SECRET_KEY.twilioMessagingServiceSid];
    if (typeof sid !== 'string' || !sid.trim()) return skip('no Messaging Service configured: SMS are sent from TWILIO_PHONE_NUMBER');
    const ready = await context.twilioReady();
    if (!ready.ok) return skipFor(ready);
    const service = ready.value.messaging.v1.services(sid.trim());
    let name: string;
    try {
      name = (await service.fetch()).friendlyName;
    } catch (err) {
      const failure = twilioFailure(err);
      if (failure.status === 404) {
        return fail(`the account has no Messaging Service ${shortSid(sid)}`, 'copy the SID (MG...) from Twilio Console > Messaging > Services and run `npx sms-gateway secrets set --messaging-service-sid MG...`');
      }
      return fail(`could not read the Messaging Service: ${describeFailure(failure)}`, 'check the Twilio credentials and try again');
    }
    try {
      const [numbers, shortCodes, alphaSenders] = await Promise.all([
        service.phoneNumbers.list({ limit: 50 }),
        service.shortCodes.list({ limit: 50 }),
        service.alphaSenders.list({ limit: 50 }),
      ]);
      const counts = [
        numbers.length > 0 ? plural(numbers.length, 'phone number') : undefined,
        shortCodes.length > 0 ? plural(shortCodes.length, 'short code') : undefined,
        alphaSenders.length > 0 ? plural(alphaSenders.length, 'alphanumeric sender') : undefined,
      ].filter(Boolean);
      if (counts.length === 0) {
        return fail(`Messaging Service "${name}" (${shortSid(sid)}) has no sender`, `add a phone number to its Sender Pool: Twilio Console > Messaging > Services > ${name} > Sender Pool`);
      }
      return pass(`Messaging Service "${name}" (${shortSid(sid)}) with ${counts.join(', ')}`);
    } catch (err) {
      return fail(`could not list the Messaging Service's senders: ${describeFailure(twilioFailure(err))}`, 'check the Twilio credentials and try again');
    }
  },
};

export const phoneNumberCheck: Check = {
  id: 'twilio.phone-number',
  async run(context) {
    const secret = await context.secret();
    if (!secret.ok) return skipFor(secret);
    const number = secret.value.values[SECRET_KEY.twilioPhoneNumber];
    if (typeof number !== 'string' || !number.trim()) return skip('no TWILIO_PHONE_NUMBER configured: no voice calls');
    const ready = await context.twilioReady();
    if (!ready.ok) return skipFor(ready);
    // Without a Messaging Service, the number sends the SMS too; with one, it only places calls.
    const sendsSms = !secret.value.values[SECRET_KEY.twilioMessagingServiceSid];
    const shown = maskPhone(number.trim());
    let found;
    try {
      [found] = await ready.value.incomingPhoneNumbers.list({ phoneNumber: number.trim(), limit: 1 });
    } catch (err) {
      return fail(`could not look the number up: ${describeFailure(twilioFailure(err))}`, 'check the Twilio credentials and try again');
    }
    const buy = 'set TWILIO_PHONE_NUMBER to a number of this account (Twilio Console > Phone Numbers > Active numbers) with `npx sms-gateway secrets set --phone-number +...`';
    if (!found) {
      return sendsSms
        ? fail(`${shown} is not a phone number of this Twilio account, so it cannot send SMS`, buy)
        : warn(`${shown} is not a phone number of this Twilio account: voice calls from it fail unless it is a verified caller ID`, buy);
    }
    const capabilities = found.capabilities ?? { sms: false, voice: false, mms: false, fax: false };
    if (sendsSms && !capabilities.sms) return fail(`${shown} cannot send SMS (no SMS capability)`, 'use an SMS-capable number, or a Messaging Service (TWILIO_MESSAGING_SERVICE_SID)');
    if (!capabilities.voice) return warn(`${shown} is in the account but cannot place calls: voice codes fail`, 'use a voice-capable number for TWILIO_PHONE_NUMBER, or offer SMS only');
    return pass(`${shown} ("${found.friendlyName}") is in the account; ${sendsSms ? 'SMS and voice' : 'voice'} capable`);
  },
};

/** The entry for one country in a GeoPermissions answer, or undefined when the shape is not as documented. */
function enabledIn(permissions: unknown, country: string): boolean | undefined {
  if (!Array.isArray(permissions)) return undefined;
  const entry = permissions.find((item) => typeof item === 'object' && item !== null && String((item as Record<string, unknown>).country_code).toUpperCase() === country);
  const enabled = entry ? (entry as Record<string, unknown>).enabled : undefined;
  return typeof enabled === 'boolean' ? enabled : undefined;
}

// Each country is one request; past this many, the console is the better tool.
const MAX_COUNTRIES = 25;

export const geoPermissionsCheck: Check = {
  id: 'twilio.geo-permissions',
  async run(context) {
    const allowed = await context.allowedCountries();
    if (!allowed.ok) return skipFor(allowed);
    const { countries, source } = allowed.value;
    if (countries.length === 0) {
      return warn(
        `the gateway allows every country (${source} is empty): Twilio's SMS geo permissions are the only country filter`,
        `deploy with -c allowedCountries=US,CA,... for the countries your users live in, and enable only those in Twilio Console > Messaging > Settings > Geo permissions (${GEO_PERMISSIONS_CONSOLE})`,
      );
    }
    const ready = await context.twilioReady();
    if (!ready.ok) return skipFor(ready);
    const checked = countries.slice(0, MAX_COUNTRIES);
    const disabled: string[] = [];
    const unknown: string[] = [];
    for (const country of checked) {
      try {
        const answer = await ready.value.accounts.v1.messagingGeopermissions.fetch({ countryCode: country });
        const enabled = enabledIn(answer.permissions, country);
        if (enabled === false) disabled.push(country);
        if (enabled === undefined) unknown.push(country);
      } catch {
        unknown.push(country);
      }
    }
    if (disabled.length > 0) {
      return fail(
        `SMS geo permissions are off for ${disabled.join(', ')}, which the gateway allows (${source}): SMS there fail with Twilio error 21408`,
        `enable them in Twilio Console > Messaging > Settings > Geo permissions (${GEO_PERMISSIONS_CONSOLE}), or remove them from allowedCountries`,
      );
    }
    const rest = countries.length > checked.length ? ` (and ${countries.length - checked.length} more, not checked)` : '';
    if (unknown.length > 0) {
      return warn(
        `could not read the SMS geo permissions for ${unknown.join(', ')} through Twilio's API`,
        `check in Twilio Console > Messaging > Settings > Geo permissions (${GEO_PERMISSIONS_CONSOLE}) that ${countries.join(', ')} are enabled, and nothing else`,
      );
    }
    return pass(`SMS geo permissions are on for ${checked.join(', ')}${rest} (${source})`);
  },
};
