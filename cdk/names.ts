/**
 * Names other tools rely on: the CLI reads the deployed stack by its name and finds the gateway
 * through these outputs. Kept apart from the stack so that the CLI can import them without
 * loading the CDK.
 */
export const STACK_NAME = 'MfaSmsGateway';

export const OUTPUT_KEYS = {
  /** Full URL of POST /messages: the Auth0 forwarder's SMS_GATEWAY_URL. */
  messagesUrl: 'MessagesUrl',
  /** Full URL of POST /twilio/status. */
  statusCallbackUrl: 'StatusCallbackUrl',
  /** ARN of the Secrets Manager secret holding the keys of CONTRACT.md section 5. */
  secretArn: 'SecretArn',
  alarmTopicArn: 'AlarmTopicArn',
  dashboardUrl: 'DashboardUrl',
  stateTableName: 'StateTableName',
} as const;
