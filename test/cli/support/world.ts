import { randomBytes } from 'node:crypto';
import { ENV, SECRET_KEY } from '../../../shared/names';
import { ALL_SCOPES, FakeManagementApi } from '../../auth0/support/fake-management-api';
import { FakeCloudFormation } from '../../support/fake-cloudformation';
import { FakeAwsSms } from '../../support/fake-aws-sms';
import { FakeCloudWatch } from '../../support/fake-cloudwatch';
import { FakeSecretsManager } from '../../support/fake-secrets-manager';
import { FakeTwilio } from '../../support/fake-twilio';
import { startGateway, type RunningGateway } from '../../support/gateway';
import { newSigningSecret } from '../../support/signing';
import { runCli, type CliRun, type RunOptions } from './run';

/**
 * Everything the CLI talks to, on loopback: CloudFormation (the stack's outputs and template),
 * Secrets Manager (the gateway's secret), CloudWatch (the alarms), Twilio (sends and reads),
 * an Auth0 tenant, and the gateway itself: the real handlers behind the local server, holding
 * the same keys as the secret. With `awsSms`, AWS End User Messaging too, and a stack deployed
 * with awsSms on (its outputs, and the variables the template gives the Lambdas). The AWS SDK
 * finds the fakes through AWS_ENDPOINT_URL_* in process.env; the CLI finds Twilio through
 * TWILIO_API_BASE_URL and Auth0 through `fetch`.
 */

export const STACK = 'MfaSmsGateway';
export const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:MfaSmsGatewaySecret-AbCdEf';
export const SENDER = '+15017122661';
export const MESSAGING_SERVICE = 'MG0123456789abcdef0123456789abcdef';
export const RECIPIENT = '+14155550123';
/** The configuration set the stack names with awsSms on: one of the fake account's (test/support/fake-aws-sms-account.ts). */
export const AWS_SMS_CONFIGURATION_SET = 'sms-gateway';
export const ALARMS = ['delivery-failure-rate', 'send-lambda-errors', 'status-lambda-errors', 'api-5xx', 'send-burst'].map((name) => `${STACK}-${name}`);

export interface WorldOptions {
  /** Run the real gateway (default true); false leaves MessagesUrl to the test. */
  gateway?: boolean;
  /** Keys of the gateway (and of the secret) to change or remove (undefined). */
  secret?: Record<string, string | undefined>;
  /** ALLOWED_COUNTRIES of the send Lambda in the stack's template; undefined leaves it out. */
  allowedCountries?: string;
  /** A stack deployed with awsSms on, and a loopback AWS End User Messaging (default false). */
  awsSms?: boolean;
  /** PROVIDERS and PROVIDER_ROUTES of the send Lambda (template and gateway); unset by default. */
  providers?: string;
  providerRoutes?: string;
}

/** What the stack's template gives the send Lambda, as the CLI reads it. */
export interface Deployed {
  allowedCountries?: string;
  providers?: string;
  providerRoutes?: string;
  /** awsSms on: the Lambdas get the AWS_SMS_* variables, as intrinsic functions, as cdk/sms-gateway-stack.ts makes them. */
  awsSms?: boolean;
}

function template(deployed: Deployed) {
  const optional = (key: string, value: string | undefined) => (value !== undefined ? { [key]: value } : {});
  return {
    Resources: {
      SendFunction: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Environment: {
            Variables: {
              [ENV.secretArn]: { Ref: 'GatewaySecret' },
              [ENV.stateTable]: { Ref: 'StateTable' },
              [ENV.serviceName]: 'sms-gateway-send',
              ...optional(ENV.allowedCountries, deployed.allowedCountries),
              ...optional(ENV.providers, deployed.providers),
              ...optional(ENV.providerRoutes, deployed.providerRoutes),
              ...(deployed.awsSms
                ? {
                    [ENV.awsSmsOriginationIdentity]: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sms-voice:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':pool/', 'pool-id']] },
                    [ENV.awsSmsConfigurationSet]: { Ref: 'AwsSmsConfigurationSet' },
                  }
                : {}),
            },
          },
        },
      },
      StatusFunction: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Environment: {
            Variables: { [ENV.secretArn]: { Ref: 'GatewaySecret' }, [ENV.stateTable]: { Ref: 'StateTable' }, ...(deployed.awsSms ? { [ENV.awsSmsEventsTopicArn]: { Ref: 'AwsSmsEvents' } } : {}) },
          },
        },
      },
      GatewaySecret: { Type: 'AWS::SecretsManager::Secret' },
    },
  };
}

export class World {
  gateway?: RunningGateway;
  signingSecret = newSigningSecret();
  secretValues: Record<string, string> = {};
  /** What the template gives the Lambdas after reset(). */
  deployed: Deployed = {};
  /** With `awsSms`: AWS End User Messaging, in the stack's region. */
  awsSms?: FakeAwsSms;
  private savedEnv: NodeJS.ProcessEnv = {};

  private constructor(
    readonly twilio: FakeTwilio,
    readonly secrets: FakeSecretsManager,
    readonly cloudFormation: FakeCloudFormation,
    readonly cloudWatch: FakeCloudWatch,
    readonly tenant: FakeManagementApi,
  ) {}

  static async start(options: WorldOptions = {}): Promise<World> {
    const world = new World(await FakeTwilio.start(), await FakeSecretsManager.start(), await FakeCloudFormation.start(), await FakeCloudWatch.start(), await FakeManagementApi.start());
    // In the region of the stack (us-east-1, test/support/setup-env.ts), as the stack creates it.
    if (options.awsSms) world.awsSms = await FakeAwsSms.start({ region: 'us-east-1' });
    await world.setUp(options);
    return world;
  }

  private async setUp(options: WorldOptions): Promise<void> {
    const values: Record<string, string | undefined> = {
      [SECRET_KEY.twilioAccountSid]: this.twilio.accountSid,
      [SECRET_KEY.twilioAuthToken]: this.twilio.authToken,
      [SECRET_KEY.twilioMessagingServiceSid]: MESSAGING_SERVICE,
      [SECRET_KEY.twilioPhoneNumber]: SENDER,
      [SECRET_KEY.signingSecret]: this.signingSecret,
      // As the stack's Custom::SigningKey generates it.
      [SECRET_KEY.rateLimitKey]: randomBytes(32).toString('base64'),
      ...options.secret,
    };
    this.secretValues = Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined));
    this.deployed = {
      allowedCountries: 'allowedCountries' in options ? options.allowedCountries : 'US,CA',
      providers: options.providers,
      providerRoutes: options.providerRoutes,
      awsSms: this.awsSms !== undefined,
    };

    this.savedEnv = { ...process.env };
    if (options.gateway !== false) {
      this.gateway = await startGateway({
        ...this.secretValues,
        [ENV.twilioApiBaseUrl]: this.twilio.url,
        [ENV.allowedCountries]: this.deployed.allowedCountries,
        [ENV.providers]: options.providers,
        [ENV.providerRoutes]: options.providerRoutes,
        [ENV.rateLimits]: 'off',
        ...(this.awsSms ? { ...this.awsSms.gatewayEnv(), [ENV.awsSmsOriginationIdentity]: this.awsSmsIdentityArn, [ENV.awsSmsConfigurationSet]: AWS_SMS_CONFIGURATION_SET } : {}),
      });
    }
    // After the gateway: it clears AWS_ENDPOINT_URL_* until it is closed.
    process.env.AWS_ENDPOINT_URL_CLOUDFORMATION = this.cloudFormation.url;
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = this.secrets.url;
    process.env.AWS_ENDPOINT_URL_CLOUDWATCH = this.cloudWatch.url;
    if (this.awsSms) {
      // The CLI signs with the credentials the fake checks; the other fakes take any.
      const { AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = this.awsSms.gatewayEnv();
      Object.assign(process.env, { AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, [ENV.awsSmsEndpointUrl]: this.awsSms.url });
    }
    this.reset();
  }

  /** The stack's awsSms identity, as its AwsSmsOriginationIdentity output names it: the pool's ARN. */
  get awsSmsIdentityArn(): string {
    const account = this.awsSms!.account;
    return `arn:aws:sms-voice:${account.region}:${account.accountId}:pool/${account.defaultIdentity}`;
  }

  /** Back to a healthy, freshly deployed setup (Auth0 not set up yet); the gateway keeps running. */
  reset(): void {
    this.secrets.put(SECRET_ARN, this.secretValues);
    this.secrets.calls.length = 0;

    const account = this.twilio.account;
    account.status = 'active';
    account.type = 'Full';
    account.numbers.clear();
    account.numbers.set(SENDER, { friendlyName: 'MFA sender' });
    account.services.clear();
    account.services.set(MESSAGING_SERVICE, { friendlyName: 'MFA codes', phoneNumbers: [SENDER] });
    account.geoPermissions = { US: true, CA: true, DE: false };
    account.deliveries = [];
    account.reads.length = 0;
    this.twilio.allow(this.twilio.accountSid, this.twilio.authToken);
    this.twilio.requests.length = 0;
    this.twilio.created.clear();

    this.awsSms?.account.reset();
    if (this.awsSms) this.awsSms.requests.length = 0;

    this.setStack(this.gateway ? `${this.gateway.url}/messages` : 'https://abc123.execute-api.us-east-1.amazonaws.com/messages');
    this.cloudFormation.statuses.clear();
    this.cloudFormation.templates.set(STACK, template(this.deployed));
    this.cloudWatch.alarms = ALARMS.map((name, index) => ({ name, state: index === 4 ? 'INSUFFICIENT_DATA' : 'OK' }));
    this.cloudWatch.failWith = undefined;

    const tenant = this.tenant;
    tenant.actions.clear();
    for (const trigger of Object.keys(tenant.bindings)) tenant.bindings[trigger] = [];
    tenant.experience = 'legacy';
    tenant.reportsExperience = true;
    tenant.phoneProvider = 'auth0';
    tenant.tenantPhoneProvider = undefined;
    tenant.tried.length = 0;
    tenant.messageTypes = ['sms'];
    for (const factor of Object.keys(tenant.factors)) tenant.factors[factor] = factor === 'otp';
    tenant.scopes = new Set(ALL_SCOPES);
    tenant.clientGranted = true;
    tenant.calls.length = 0;
  }

  /** The stack's template, with this ALLOWED_COUNTRIES for the send Lambda (undefined: none). */
  setAllowedCountries(value: string | undefined): void {
    this.setDeployed({ allowedCountries: value });
  }

  /** The stack's template, with these settings changed (until reset). */
  setDeployed(changes: Deployed): void {
    this.cloudFormation.templates.set(STACK, template({ ...this.deployed, ...changes }));
  }

  /** The stack's outputs, pointing at this gateway URL, and naming AWS End User Messaging's identity and configuration set (null: awsSms off). */
  setStack(messagesUrl: string, awsSms: { identity: string; configurationSet: string } | null = this.awsSms ? { identity: this.awsSmsIdentityArn, configurationSet: AWS_SMS_CONFIGURATION_SET } : null): void {
    this.cloudFormation.stacks.set(STACK, {
      ...(awsSms ? { AwsSmsOriginationIdentity: awsSms.identity, AwsSmsConfigurationSet: awsSms.configurationSet } : {}),
      MessagesUrl: messagesUrl,
      StatusCallbackUrl: messagesUrl.replace(/\/messages$/, '/twilio/status'),
      SecretArn: SECRET_ARN,
      AlarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:MfaSmsGateway-AlarmTopic',
      DashboardUrl: 'https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/MfaSmsGateway',
      StateTableName: 'MfaSmsGateway-State',
    });
  }

  get messagesUrl(): string {
    return this.cloudFormation.stacks.get(STACK)!.MessagesUrl;
  }

  /** The secret as it is now in the fake Secrets Manager. */
  storedSecret(): Record<string, unknown> {
    return this.secrets.get(SECRET_ARN)!;
  }

  /** The CLI's environment: Auth0 credentials and the loopback Twilio, plus overrides (undefined removes). */
  env(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
    return {
      AUTH0_DOMAIN: this.tenant.domain,
      AUTH0_CLIENT_ID: this.tenant.clientId,
      AUTH0_CLIENT_SECRET: this.tenant.clientSecret,
      [ENV.twilioApiBaseUrl]: this.twilio.url,
      ...overrides,
    };
  }

  run(argv: string[], overrides: Record<string, string | undefined> = {}, options: RunOptions = {}): Promise<CliRun> {
    return runCli(argv, this.env(overrides), { fetch: this.tenant.fetch, ...options });
  }

  async close(): Promise<void> {
    await this.gateway?.close();
    process.env = this.savedEnv;
    await Promise.all([this.twilio.close(), this.secrets.close(), this.cloudFormation.close(), this.cloudWatch.close(), this.tenant.close(), this.awsSms?.close()]);
  }
}

/** Takes AWS credentials away from the SDK (the default chain then finds none, quickly). */
export function withoutAwsCredentials(): () => void {
  const saved = { ...process.env };
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
  process.env.AWS_CONFIG_FILE = '/nonexistent/config';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  return () => {
    process.env = saved;
  };
}
