export { maskPhone } from '../lambda/core/e164';

/**
 * How the CLI shows identifiers: SIDs are not secrets, but the ends are enough to tell two
 * apart, and a shorter line is easier to read and to paste into a ticket.
 */
export function shortSid(sid: string): string {
  return sid.length > 10 ? `${sid.slice(0, 2)}…${sid.slice(-4)}` : sid;
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
