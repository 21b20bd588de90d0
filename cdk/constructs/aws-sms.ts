import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as smsvoice from 'aws-cdk-lib/aws-smsvoice';
import * as sns from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { OriginationIdentity } from '../config';

/**
 * The event types the configuration set reports to the status Lambda: the final states of an SMS
 * and of a call (docs/configuration.md, "AWS End User Messaging"), which become MessageDelivered,
 * MessageUndelivered and MessageFailed with Provider=aws. Intermediate states (TEXT_QUEUED,
 * TEXT_PENDING; VOICE_INITIATED, VOICE_RINGING, VOICE_ANSWERED) are left out: the status
 * Lambda counts only final states, so they would cost an SNS delivery and an invocation each for
 * nothing. TEXT_SENT cannot be chosen (CreateEventDestination refuses it); MEDIA_* and RCS_* are
 * channels the gateway does not send. TEXT_SUCCESSFUL (the carrier took it) and TEXT_DELIVERED
 * (the phone did) stand for each other depending on the country, so both are in; an event whose
 * `isFinal` is false (TEXT_CARRIER_UNREACHABLE and TEXT_UNKNOWN can be temporary) is the status
 * Lambda's to skip. Sources: the API reference's EventType and the user guide's "Event types for
 * SMS, MMS, and voice" (https://docs.aws.amazon.com/sms-voice/latest/userguide/configuration-sets-event-types.html).
 */
export const FINAL_EVENT_TYPES = [
  'TEXT_DELIVERED',
  'TEXT_SUCCESSFUL',
  'TEXT_INVALID',
  'TEXT_INVALID_MESSAGE',
  'TEXT_UNREACHABLE',
  'TEXT_CARRIER_UNREACHABLE',
  'TEXT_BLOCKED',
  'TEXT_CARRIER_BLOCKED',
  'TEXT_SPAM',
  'TEXT_UNKNOWN',
  'TEXT_TTL_EXPIRED',
  'TEXT_PROTECT_BLOCKED',
  'VOICE_COMPLETED',
  'VOICE_BUSY',
  'VOICE_NO_ANSWER',
  'VOICE_FAILED',
  'VOICE_TTL_EXPIRED',
] as const;

const SMS_VOICE = new iam.ServicePrincipal('sms-voice.amazonaws.com');

export interface AwsSmsProps {
  originationIdentity: OriginationIdentity;
  configurationSetName: string;
  /** The events topic's name: fixed, so that the key policy can name the topic without a cycle. */
  topicName: string;
  /** Subscribed to the events topic. */
  statusFunction: lambda.IFunction;
}

/**
 * AWS End User Messaging SMS and Voice as the gateway's second provider: the configuration set
 * the send Lambda names, whose event destination publishes each message's final state to an SNS
 * topic that the status Lambda alone is subscribed to.
 *
 * How the status Lambda trusts what it gets: the subscription is a Lambda subscription, so SNS
 * invokes the function with IAM (the function's policy lets sns.amazonaws.com invoke it from this
 * topic only, and nothing else may), and only sms-voice.amazonaws.com, for this account's
 * configuration set, may publish to the topic. SNS signs messages for HTTP(S) endpoints; a Lambda
 * subscription has no endpoint anyone else can reach, so there is no signature to check; the
 * Lambda checks the record's TopicArn (AWS_SMS_EVENTS_TOPIC_ARN) instead, as AWS advises
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html).
 */
export class AwsSms extends Construct {
  /** What the send Lambda sends from, and what its IAM policy names. */
  readonly originationIdentityArn: string;
  readonly configurationSet: smsvoice.CfnConfigurationSet;
  readonly topic: sns.Topic;
  readonly key: kms.Key;
  private readonly originationIdentity: OriginationIdentity;

  constructor(scope: Construct, id: string, props: AwsSmsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.originationIdentity = props.originationIdentity;
    // A phone number ID, pool ID or sender ID is in this stack's account and region; a shared
    // identity of another account can only be named by the complete ARN it was given as.
    this.originationIdentityArn =
      props.originationIdentity.arn ?? stack.formatArn({ service: 'sms-voice', resource: props.originationIdentity.type, resourceName: props.originationIdentity.name });
    // Built from the names, not read from the resources: the topic policy and the key policy must
    // exist before the configuration set publishes, and must not depend on what depends on them.
    const configurationSetArn = stack.formatArn({ service: 'sms-voice', resource: 'configuration-set', resourceName: props.configurationSetName });
    const topicArn = stack.formatArn({ service: 'sns', resource: props.topicName });

    // Encrypted, unlike the alarm topic: every event carries the full destination phone number,
    // which the gateway otherwise never stores in clear (logs mask it, the state table hashes it),
    // and SNS stores each event until Lambda has taken it. AWS advises it for private data
    // (https://docs.aws.amazon.com/sms-voice/latest/userguide/two-way-sms-iam-policy-auto.html);
    // the key costs $1 a month.
    // A customer-managed key, since AWS End User Messaging cannot use the AWS-managed SNS key:
    // its policy cannot be changed to let sms-voice.amazonaws.com in (user guide, "Amazon SNS
    // access policy", https://docs.aws.amazon.com/sms-voice/latest/userguide/configuration-sets-sns-creating-role.html).
    this.key = new kms.Key(this, 'EventsKey', {
      description: 'mfa-sms-gateway: encrypts the AWS End User Messaging delivery events in their SNS topic',
      enableKeyRotation: true,
      // It protects only events in transit through a topic deleted with the stack; kept, it
      // would cost $1 a month for nothing.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // The statement the user guide gives for encrypted topics, narrowed to this topic by the
    // encryption context SNS sets on every data key it asks for (aws:sns:topicArn).
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AwsEndUserMessagingPublishesEvents',
        principals: [SMS_VOICE],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': topicArn } },
      }),
    );

    this.topic = new sns.Topic(this, 'Events', {
      topicName: props.topicName,
      displayName: 'MFA SMS gateway: AWS End User Messaging delivery events',
      masterKey: this.key,
      enforceSSL: true,
    });
    // The user guide's topic policy: the service may publish for this account's configuration
    // set only (aws:SourceAccount, aws:SourceArn), so no other account's configuration set can
    // be pointed at this topic (the confused deputy).
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AwsEndUserMessagingPublishesEvents',
        principals: [SMS_VOICE],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID }, ArnLike: { 'aws:SourceArn': configurationSetArn } },
      }),
    );
    const subscription = this.topic.addSubscription(new LambdaSubscription(props.statusFunction));

    this.configurationSet = new smsvoice.CfnConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: props.configurationSetName,
      eventDestinations: [
        {
          eventDestinationName: 'status-lambda',
          enabled: true,
          matchingEventTypes: [...FINAL_EVENT_TYPES],
          snsDestination: { topicArn: this.topic.topicArn },
        },
      ],
    });
    // Events are published from the first send on: the topic with its policy (and so its key)
    // and the subscription come first.
    this.configurationSet.node.addDependency(this.topic, subscription);
  }

  /**
   * Exactly the send actions on the origination identity and the configuration set, the two
   * resources every send names: the Service Authorization Reference lists configuration-set,
   * phone-number and pool as resource types of both SendTextMessage and SendVoiceMessage (and
   * sender-id of SendTextMessage), and IAM authorizes a request against each resource it names.
   * A sender ID cannot place calls (SendVoiceMessage takes phone numbers and pools only), so it
   * gets SendTextMessage alone.
   */
  grantSend(grantee: iam.IGrantable): iam.Grant {
    const actions = ['sms-voice:SendTextMessage'];
    if (this.originationIdentity.type !== 'sender-id') actions.push('sms-voice:SendVoiceMessage');
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.originationIdentityArn, this.configurationSet.attrArn] });
  }
}
