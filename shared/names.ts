/**
 * The names the Lambdas, the stack, the CLI, the Auth0 forwarders, the benchmarks and the tests
 * share, written once: a typo in one of them is a compile error, never an alarm that watches a
 * metric nobody emits or a setting nobody reads.
 *
 * This module imports nothing, so anything may import it: the send bundle pays a few hundred
 * bytes, the CLI's `--help` loads nothing more, the forwarders stay free of dependencies.
 * docs/configuration.md documents the settings, docs/operations.md the metrics.
 */

/** Environment variables the gateway reads (lambda/config.ts), the stack sets, or the CLI reads. */
export const ENV = {
  /** The secret holding the keys below; set by the stack. Unset locally: the keys are variables. */
  secretArn: 'SECRET_ARN',
  /** Public URL of POST /twilio/status: Twilio's StatusCallback, and what it signs. */
  statusCallbackUrl: 'STATUS_CALLBACK_URL',
  stateTable: 'STATE_TABLE',
  twilioApiBaseUrl: 'TWILIO_API_BASE_URL',
  rateLimits: 'RATE_LIMITS',
  allowedCountries: 'ALLOWED_COUNTRIES',
  voiceMachineDetection: 'VOICE_MACHINE_DETECTION',
  /** The providers that send, in failover order (lambda/providers/routes.ts). */
  providers: 'PROVIDERS',
  /** Per destination country overrides of PROVIDERS: `IN=aws;*=twilio,aws`. */
  providerRoutes: 'PROVIDER_ROUTES',
  /**
   * AWS End User Messaging (send Lambda): the phone number, pool or sender ID that sends, as
   * SendTextMessage's OriginationIdentity takes it (an E.164 number, a `phone-...` or `pool-...`
   * id, a sender ID, or the ARN of one); calls need a number or a pool. The default: the secret's
   * key of the same name (SECRET_KEY.awsSmsOriginationIdentity) wins, so that `secrets set` can
   * change it without a deploy. Required when a route names `aws`.
   */
  awsSmsOriginationIdentity: 'AWS_SMS_ORIGINATION_IDENTITY',
  /**
   * AWS End User Messaging (send Lambda): the configuration set's name or ARN, passed as
   * ConfigurationSetName on every send, so that its event destination (the SNS topic of
   * awsSmsEventsTopicArn) reports delivery. Optional: without it AWS reports nothing.
   */
  awsSmsConfigurationSet: 'AWS_SMS_CONFIGURATION_SET',
  /**
   * AWS End User Messaging (status Lambda): the ARN of the SNS topic the configuration set's
   * event destination publishes to, which the status Lambda subscribes to. SNS records from any
   * other topic are refused. Unset: every SNS record is refused (and the log says why).
   */
  awsSmsEventsTopicArn: 'AWS_SMS_EVENTS_TOPIC_ARN',
  /** The AWS SDKs' per-service endpoint variables: tests and `npm start` point them at loopback. */
  awsSmsEndpointUrl: 'AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2',
  dynamoDbEndpointUrl: 'AWS_ENDPOINT_URL_DYNAMODB',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  logLevel: 'POWERTOOLS_LOG_LEVEL',
  port: 'PORT',
  host: 'HOST',
  /** Full URL of POST /messages: an Auth0 Action secret, and the CLI's default gateway. */
  gatewayUrl: 'SMS_GATEWAY_URL',
} as const;

/**
 * The keys of the gateway's one secret (docs/configuration.md, "The secret"); locally,
 * environment variables of the same names. The gateway's own keys are parsed by
 * lambda/core/gateway-secrets.ts, each provider's by its module in lambda/providers/.
 */
export const SECRET_KEY = {
  /** Standard Webhooks `whsec_` secret(s), shared with the Auth0 forwarder (also an Action secret). */
  signingSecret: 'SMS_GATEWAY_SIGNING_SECRET',
  rateLimitKey: 'SMS_GATEWAY_RATE_LIMIT_KEY',
  twilioAccountSid: 'TWILIO_ACCOUNT_SID',
  twilioAuthToken: 'TWILIO_AUTH_TOKEN',
  twilioApiKeySid: 'TWILIO_API_KEY_SID',
  twilioApiKeySecret: 'TWILIO_API_KEY_SECRET',
  twilioMessagingServiceSid: 'TWILIO_MESSAGING_SERVICE_SID',
  twilioPhoneNumber: 'TWILIO_PHONE_NUMBER',
  /** AWS End User Messaging's sender, overriding the variable of the same name (ENV.awsSmsOriginationIdentity). */
  awsSmsOriginationIdentity: 'AWS_SMS_ORIGINATION_IDENTITY',
} as const;

export type SecretKey = (typeof SECRET_KEY)[keyof typeof SECRET_KEY];

/** The Twilio keys: the ones the stack creates empty, for the operator to fill in. */
export const TWILIO_SECRET_KEYS = [
  SECRET_KEY.twilioAccountSid,
  SECRET_KEY.twilioAuthToken,
  SECRET_KEY.twilioApiKeySid,
  SECRET_KEY.twilioApiKeySecret,
  SECRET_KEY.twilioMessagingServiceSid,
  SECRET_KEY.twilioPhoneNumber,
] as const;

/** Every key the gateway reads from its secret; any other is a typo (the doctor says so). */
export const SECRET_KEYS: readonly SecretKey[] = /* @__PURE__ */ Object.values(SECRET_KEY);

/** The deployed stack's name: the CLI finds the gateway through it and its outputs. */
export const STACK_NAME = 'MfaSmsGateway';

/** The stack's CloudFormation outputs, by the key the CLI reads them with. */
export const OUTPUT_KEYS = {
  /** Full URL of POST /messages: the Auth0 forwarder's SMS_GATEWAY_URL. */
  messagesUrl: 'MessagesUrl',
  /** Full URL of POST /twilio/status. */
  statusCallbackUrl: 'StatusCallbackUrl',
  /** ARN of the secret holding the keys of docs/configuration.md, "The secret". */
  secretArn: 'SecretArn',
  alarmTopicArn: 'AlarmTopicArn',
  dashboardUrl: 'DashboardUrl',
  stateTableName: 'StateTableName',
  /**
   * With AWS End User Messaging on (issue 13): the ARN the send Lambda sends from, and the
   * configuration set it names, resolved (the Lambda's environment in the template is not).
   */
  awsSmsOriginationIdentity: 'AwsSmsOriginationIdentity',
  awsSmsConfigurationSet: 'AwsSmsConfigurationSet',
} as const;

/** The CDK context keys (`-c key=value`, cdk.json) the stack reads (cdk/config.ts), as a user types them. */
export const CONTEXT_KEYS = [
  'alarmEmail',
  'existingSecretArn',
  'failureRateThreshold',
  'burstCeiling',
  'throttleRate',
  'throttleBurst',
  'metricsNamespace',
  'rateLimits',
  'allowedCountries',
  'voiceMachineDetection',
  /** AWS End User Messaging: its origination identity and configuration set, or `off` (issue 13). */
  'awsSms',
  /** PROVIDERS and PROVIDER_ROUTES of the send Lambda. */
  'providers',
  'providerRoutes',
] as const;

export type ContextKey = (typeof CONTEXT_KEYS)[number];

/**
 * The gateway's CloudWatch metrics (docs/operations.md, "Metrics"), emitted as EMF by
 * lambda/adapters/metrics.ts and read by the alarms and the dashboard (cdk/constructs/).
 */
export const METRIC = {
  messageSent: 'MessageSent',
  sendFailed: 'SendFailed',
  sendUnconfirmed: 'SendUnconfirmed',
  sendLatency: 'SendLatency',
  messageDelivered: 'MessageDelivered',
  messageUndelivered: 'MessageUndelivered',
  messageFailed: 'MessageFailed',
  /** A send that went to the next provider of the list: dimensions From and To (issue 13). */
  providerFailover: 'ProviderFailover',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** The metrics' dimensions. */
export const DIMENSION = {
  /** `sms` or `voice`. */
  channel: 'Channel',
  /** The `error.code` of a refused send (docs/api.md). */
  reason: 'Reason',
  /** The provider's error code of an undelivered or failed message, `machine`, or `none`. */
  errorCode: 'ErrorCode',
  /** The provider that sent (issue 13). */
  provider: 'Provider',
  /** ProviderFailover: the provider that did not take the message, and the one tried next. */
  from: 'From',
  to: 'To',
} as const;

export type DimensionName = (typeof DIMENSION)[keyof typeof DIMENSION];

/** What a rate limit counts per (RATE_LIMITS, `recipient:5/1h`); docs/security.md. */
export const LIMIT_SCOPES = ['recipient', 'ip', 'country', 'global'] as const;

export type LimitScope = (typeof LIMIT_SCOPES)[number];

/**
 * The providers, as PROVIDERS and PROVIDER_ROUTES name them. `console` is never configured: it
 * stands in for Twilio when `npm start` has no Twilio keys (console mode).
 */
export const PROVIDER = {
  twilio: 'twilio',
  /** AWS End User Messaging SMS and Voice (pinpoint-sms-voice-v2), issue 13. */
  aws: 'aws',
  console: 'console',
} as const;

export type ProviderName = (typeof PROVIDER)[keyof typeof PROVIDER];
