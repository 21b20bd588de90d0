import { E164_SHAPE, maskPhone } from '../../lambda/core/e164';

/**
 * An origination identity as AWS_SMS_ORIGINATION_IDENTITY holds it, told apart by its form, the
 * forms SendTextMessage's OriginationIdentity takes (API reference, SendTextMessage): a phone
 * number in E.164, a phone number's id (`phone-…`), a pool's id (`pool-…`), a sender ID, or the
 * ARN of one of them (`arn:aws:sms-voice:<region>:<account>:phone-number/<id>`, `pool/<id>`,
 * `sender-id/<sender ID>/<country>`, the forms the stack's AwsSmsOriginationIdentity output
 * takes: cdk/constructs/aws-sms.ts).
 */
export type IdentityKind = 'phone-number' | 'pool' | 'sender-id';

export interface IdentityRef {
  kind: IdentityKind;
  /** As given: what the gateway sends with, and what the read operations are asked about. */
  value: string;
  /** The phone number's or pool's id, or the sender ID, without ARN; undefined for an E.164 number. */
  id?: string;
  /** An E.164 number: AWS's read operations take ids or ARNs, so it is looked up among the numbers. */
  phoneNumber?: string;
  /** From an ARN. */
  region?: string;
  account?: string;
  /** A sender ID's country, from its ARN. */
  country?: string;
}

const ARN = /^arn:aws[a-z-]*:sms-voice:([a-z0-9-]*):(\d{12}):(phone-number|pool|sender-id)\/([^/]+)(?:\/([A-Za-z]{2}))?$/;

export function parseIdentity(value: string): IdentityRef {
  const arn = ARN.exec(value);
  if (arn) {
    const [, region, account, kind, id, country] = arn;
    return { kind: kind as IdentityKind, value, id, region, account, ...(country ? { country: country.toUpperCase() } : {}) };
  }
  if (E164_SHAPE.test(value)) return { kind: 'phone-number', value, phoneNumber: value };
  if (/^phone-[0-9a-z]+$/i.test(value)) return { kind: 'phone-number', value, id: value };
  if (/^pool-[0-9a-z]+$/i.test(value)) return { kind: 'pool', value, id: value };
  return { kind: 'sender-id', value, id: value };
}

/** Whether two forms name the same identity; undefined when only AWS could tell (an E.164 number against an id). */
export function sameIdentity(a: string, b: string): boolean | undefined {
  const [x, y] = [parseIdentity(a), parseIdentity(b)];
  if (x.kind !== y.kind) return false;
  if (x.phoneNumber !== undefined || y.phoneNumber !== undefined) return x.phoneNumber === y.phoneNumber ? true : x.id === undefined && y.id === undefined ? false : undefined;
  if (x.id !== y.id) return false;
  return x.country === undefined || y.country === undefined || x.country === y.country;
}

/** For the output: a phone number masked, as the CLI shows every number. */
export function showIdentity(value: string): string {
  return E164_SHAPE.test(value) ? maskPhone(value) : value;
}
