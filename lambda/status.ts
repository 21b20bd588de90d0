/** Lambda entry for POST /twilio/status. Everything is built once per container, at init. */
import { createStatusHandler } from './handlers/status-handler';
import { statusDependencies } from './runtime';

export const handler = createStatusHandler(statusDependencies());
