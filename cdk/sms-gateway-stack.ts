import { Aws, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import defaultMessages from '../config/messages.json';
import { CatalogError, MessageCatalog } from '../lambda/core/templates';
import { voicelessTemplates } from '../lambda/providers/twilio/say-voice';
import { ENV, OUTPUT_KEYS } from '../shared/names';
import type { GatewayConfig } from './config';
import { GatewayAlarms } from './constructs/alarms';
import { AwsSms } from './constructs/aws-sms';
import { GatewayDashboard } from './constructs/dashboard';
import { GatewayApi } from './constructs/gateway-api';
import { GatewayFunction } from './constructs/gateway-function';
import { GatewayMetrics } from './constructs/gateway-metrics';
import { GatewaySecret } from './constructs/gateway-secret';
import { StateTable } from './constructs/state-table';

export interface SmsGatewayStackProps extends StackProps {
  config: GatewayConfig;
  /**
   * The message catalog to check before anything is built: a template that does not parse
   * fails `cdk synth`, not a login.
   * @default config/messages.json, the file the send Lambda bundles
   */
  messages?: unknown;
}

export const STATUS_PATH = '/twilio/status';
export const MESSAGES_PATH = '/messages';

/**
 * Send: Auth0 gives its Action 20 s and the Twilio adapter stops at 8 s, so 10 s leaves room for
 * the secret read without letting a stuck invocation outlive the caller. 512 MB on arm64: CPU
 * grows with memory, and init (template compilation, phone metadata) is CPU-bound; at MFA
 * volumes the cost difference is cents a month.
 */
export const SEND_FUNCTION = { memorySize: 512, timeout: Duration.seconds(10) };
/**
 * Status: one HMAC check, one conditional write and a metric per callback. 8 s covers a cold
 * Secrets Manager read with its retry (2 x 3 s) and the write with its retry (2 x 0.5 s,
 * lambda/status.ts); Twilio waits 15 s for the answer.
 */
export const STATUS_FUNCTION = { memorySize: 256, timeout: Duration.seconds(8) };

export class SmsGatewayStack extends Stack {
  constructor(scope: Construct, id: string, props: SmsGatewayStackProps) {
    super(scope, id, props);
    const { config } = props;
    const messages = props.messages ?? defaultMessages;
    MessageCatalog.load(messages);
    const [voiceless] = voicelessTemplates(messages);
    if (voiceless) throw new CatalogError(voiceless, 'no voice speaks this language: add one to config/voices.json (docs/voice.md)');

    const gatewaySecret = new GatewaySecret(this, 'GatewaySecret', { existingSecretArn: config.existingSecretArn });
    const state = new StateTable(this, 'State');
    const http = new GatewayApi(this, 'Http', { throttleRate: config.throttleRate, throttleBurst: config.throttleBurst });
    const statusCallbackUrl = http.url(STATUS_PATH);

    const common = {
      [ENV.secretArn]: gatewaySecret.secret.secretArn,
      [ENV.statusCallbackUrl]: statusCallbackUrl,
      [ENV.stateTable]: state.table.tableName,
      [ENV.metricsNamespace]: config.metricsNamespace,
      [ENV.logLevel]: 'INFO',
    };
    const send = new GatewayFunction(this, 'Send', {
      lambda: 'send',
      description: 'mfa-sms-gateway POST /messages: verifies the Auth0 signature and sends the code through Twilio',
      ...SEND_FUNCTION,
      environment: {
        ...common,
        [ENV.serviceName]: 'sms-gateway-send',
        // Unset means the Lambda's own defaults, so they are kept in one place (limits-config.ts).
        ...(config.rateLimits !== undefined && { [ENV.rateLimits]: config.rateLimits }),
        ...(config.allowedCountries !== undefined && { [ENV.allowedCountries]: config.allowedCountries }),
        ...(config.voiceMachineDetection !== undefined && { [ENV.voiceMachineDetection]: config.voiceMachineDetection ? 'on' : 'off' }),
        ...(config.providers !== undefined && { [ENV.providers]: config.providers }),
        ...(config.providerRoutes !== undefined && { [ENV.providerRoutes]: config.providerRoutes }),
      },
    });
    const status = new GatewayFunction(this, 'Status', {
      lambda: 'status',
      description: 'mfa-sms-gateway POST /twilio/status: verifies Twilio delivery callbacks and counts each status once as a metric',
      ...STATUS_FUNCTION,
      environment: { ...common, [ENV.serviceName]: 'sms-gateway-status' },
    });
    // The status Lambda needs TWILIO_AUTH_TOKEN from the secret to check callback signatures.
    gatewaySecret.grantRead(send.role);
    gatewaySecret.grantRead(status.role);
    state.grantItemAccess(send.role);
    state.grantDeliveryLedger(status.role);

    // AWS End User Messaging, only when awsSms names an origination identity: with it off, the
    // template is what it was before the second provider existed.
    const awsSms =
      config.awsSms &&
      new AwsSms(this, 'AwsSms', {
        originationIdentity: config.awsSms.originationIdentity,
        configurationSetName: config.awsSms.configurationSet ?? this.stackName,
        topicName: `${this.stackName}-aws-sms-events`,
        statusFunction: status.function,
      });
    if (awsSms) {
      send.function.addEnvironment(ENV.awsSmsOriginationIdentity, awsSms.originationIdentityArn);
      send.function.addEnvironment(ENV.awsSmsConfigurationSet, awsSms.configurationSet.configurationSetRef.configurationSetName);
      status.function.addEnvironment(ENV.awsSmsEventsTopicArn, awsSms.topic.topicArn);
      awsSms.grantSend(send.role);
    }

    http.addRoute('Messages', MESSAGES_PATH, send.function, 'The send Lambda verifies a Standard Webhooks signature (HMAC-SHA256 with the shared whsec_ key) on every request;');
    http.addRoute('TwilioStatus', STATUS_PATH, status.function, 'The status Lambda verifies the X-Twilio-Signature (HMAC-SHA1 with the Twilio auth token) on every callback;');
    http.addDefaultRoute(send.function);

    // Not KMS-encrypted: notifications carry only alarm names and metric values, and CloudWatch
    // cannot publish to a topic encrypted with the AWS-managed SNS key (a customer-managed key
    // would cost a key and a key policy for no confidentiality gain).
    const topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'MFA SMS gateway alarms', enforceSSL: true });
    if (config.alarmEmail) topic.addSubscription(new EmailSubscription(config.alarmEmail));

    const metrics = new GatewayMetrics(config.metricsNamespace);
    const alarms = new GatewayAlarms(this, 'Alarms', {
      namePrefix: this.stackName,
      metrics,
      sendFunction: send.function,
      statusFunction: status.function,
      api: http.api,
      topic,
      failureRateThreshold: config.failureRateThreshold,
      burstCeiling: config.burstCeiling,
      failover: awsSms !== undefined,
    });
    const dashboardName = this.stackName;
    new GatewayDashboard(this, 'Dashboard', {
      dashboardName,
      metrics,
      sendFunction: send.function,
      statusFunction: status.function,
      api: http.api,
      alarms: alarms.all(),
      failureRateThreshold: config.failureRateThreshold,
      perProvider: awsSms !== undefined,
    });

    new CfnOutput(this, OUTPUT_KEYS.messagesUrl, {
      description: 'SMS_GATEWAY_URL for the Auth0 forwarder: POST /messages',
      value: http.url(MESSAGES_PATH),
    });
    new CfnOutput(this, OUTPUT_KEYS.statusCallbackUrl, {
      description: "Twilio's StatusCallback (set by the gateway on every message): POST /twilio/status",
      value: statusCallbackUrl,
    });
    new CfnOutput(this, OUTPUT_KEYS.secretArn, { description: 'The secret holding the Twilio keys and the signing secret', value: gatewaySecret.secret.secretArn });
    new CfnOutput(this, OUTPUT_KEYS.alarmTopicArn, { description: 'SNS topic every alarm notifies; subscribe to it', value: topic.topicArn });
    new CfnOutput(this, OUTPUT_KEYS.dashboardUrl, {
      description: 'CloudWatch dashboard',
      value: `https://console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${dashboardName}`,
    });
    new CfnOutput(this, OUTPUT_KEYS.stateTableName, { description: 'DynamoDB table for idempotency, rate limits and counted delivery statuses', value: state.table.tableName });
    if (awsSms) {
      new CfnOutput(this, OUTPUT_KEYS.awsSmsOriginationIdentity, { description: 'AWS End User Messaging: the origination identity the gateway sends from', value: awsSms.originationIdentityArn });
      new CfnOutput(this, OUTPUT_KEYS.awsSmsConfigurationSet, {
        description: 'AWS End User Messaging: the configuration set every send names, whose events reach the status Lambda',
        value: awsSms.configurationSet.configurationSetRef.configurationSetName,
      });
    }
  }
}
