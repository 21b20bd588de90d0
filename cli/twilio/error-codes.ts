/**
 * The Twilio error codes an MFA gateway meets most, with what they mean and what to do. The rest
 * get a link to Twilio's own page, which exists for every code.
 */

export interface ErrorMeaning {
  meaning: string;
  fix: string;
}

export const GEO_PERMISSIONS_CONSOLE = 'https://console.twilio.com/us1/develop/sms/settings/geo-permissions';
const VOICE_GEO_PERMISSIONS_CONSOLE = 'https://console.twilio.com/us1/develop/voice/settings/geo-permissions';
// Twilio flags a call its Voice geo permissions block with 21215 or 13227 (Twilio support,
// "International Voice Dialing Geographic Permissions and How They Work").
const VOICE_GEO_PERMISSION: ErrorMeaning = {
  meaning: "calling this country or number range is not enabled in the account's Voice geo permissions",
  fix: `enable it in Twilio Console > Voice > Settings > Geo permissions (${VOICE_GEO_PERMISSIONS_CONSOLE}); high-risk ranges need an upgraded account`,
};

const MEANINGS: Record<number, ErrorMeaning> = {
  20003: { meaning: 'authentication failed', fix: 'the Account SID, auth token or API key in the secret are wrong or were rotated: run `npx sms-gateway secrets set`' },
  20404: { meaning: 'the resource was not found', fix: 'the SID belongs to another Twilio account, or the resource was deleted' },
  21211: { meaning: "the 'To' number is not a valid phone number", fix: 'use E.164: "+", the country code and the number, without spaces' },
  21408: { meaning: "sending to this country is not enabled in the account's SMS geo permissions", fix: `enable the country in Twilio Console > Messaging > Settings > Geo permissions (${GEO_PERMISSIONS_CONSOLE})` },
  21608: { meaning: 'a trial account can only send to verified numbers', fix: 'verify the number in Twilio Console > Phone Numbers > Verified Caller IDs, or upgrade the account' },
  21610: { meaning: 'the recipient replied STOP to this sender', fix: 'the recipient must text START to the sender to receive messages again' },
  21612: { meaning: "the 'To' number cannot be reached from this sender", fix: 'use a sender that can reach this country or carrier (a Messaging Service picks one)' },
  21614: { meaning: "the 'To' number is not a mobile number", fix: 'landlines cannot receive SMS: use a voice call (--voice)' },
  21606: { meaning: "the 'From' number is not an SMS-capable number of this account", fix: 'set TWILIO_PHONE_NUMBER to an SMS-capable number of the account, or use a Messaging Service' },
  30002: { meaning: 'the Twilio account is suspended', fix: 'check the account status and billing in the Twilio Console' },
  30003: { meaning: 'the handset is unreachable (switched off or out of coverage)', fix: 'try again when the phone is on and has signal' },
  30004: { meaning: 'the message was blocked (the recipient blocked the sender, or the carrier blocks it)', fix: 'the recipient must unblock the sender; otherwise try another sender' },
  30005: { meaning: 'the number is unknown or no longer in service', fix: 'check the number; the user may need to enroll a new one' },
  30006: { meaning: 'the number is a landline or its carrier cannot receive SMS', fix: 'use a voice call (--voice)' },
  30007: { meaning: 'the carrier filtered the message as spam', fix: 'register the sender: A2P 10DLC for US long codes, toll-free verification for toll-free numbers, or an approved sender ID' },
  30008: { meaning: 'the carrier reported an unknown error', fix: 'try again; if it persists, contact Twilio support with the message SID' },
  30032: { meaning: 'the toll-free sender is not verified', fix: 'complete toll-free verification in Twilio Console > Phone Numbers > Regulatory Compliance' },
  30034: { meaning: 'the US long code is not registered for A2P 10DLC', fix: 'register a brand and campaign and add the number to it (Twilio Console > Messaging > Regulatory compliance)' },
  13224: { meaning: 'Twilio cannot call this number, or the number is invalid', fix: 'check the number (E.164) and that it is in service' },
  13227: VOICE_GEO_PERMISSION,
  21215: VOICE_GEO_PERMISSION,
  21216: { meaning: "the call was blocked by Twilio's block list (high fraud risk or a regulatory block), apart from geo permissions", fix: 'offer this user SMS instead; Twilio support can say why the range is blocked' },
  21217: { meaning: "the 'To' number does not appear to be a valid phone number", fix: 'use E.164: "+", the country code and the number, without spaces' },
};

export function errorPage(code: number): string {
  return `https://www.twilio.com/docs/api/errors/${code}`;
}

/** Meaning and fix for a code; codes not in the table point to Twilio's page. */
export function explainTwilioCode(code: number): ErrorMeaning {
  return MEANINGS[code] ?? { meaning: `Twilio error ${code}`, fix: `see ${errorPage(code)}` };
}

