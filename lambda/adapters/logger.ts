import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Structured JSON logs through Powertools Logger. What goes in is chosen by the callers:
 * masked numbers, codes of errors, SIDs; never a one-time code, a message text or a secret.
 */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}
