/** Lambda entry for POST /messages. Everything is built once per container, at init. */
import { createSendHandler } from './handlers/send-handler';
import { sendDependencies } from './runtime';

export const handler = createSendHandler(sendDependencies());
