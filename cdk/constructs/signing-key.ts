import * as fs from 'node:fs';
import * as path from 'node:path';
import { CustomResource, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { SECRET_KEY } from '../../shared/names';
import { GATEWAY_RUNTIME, LOG_RETENTION } from './gateway-function';

export const SIGNING_KEY_HANDLER_FILE = path.join(__dirname, 'signing-key-handler.js');

/**
 * Puts a fresh `SMS_GATEWAY_SIGNING_SECRET` (`whsec_` + base64 of 32 random bytes) and
 * `SMS_GATEWAY_RATE_LIMIT_KEY` (base64 of 32 random bytes) into the gateway's secret when the
 * stack creates it. On the first update of a stack made before the rate-limit key existed, it
 * adds that key with the value that keyed the rate-limit counters until then, the first
 * signing secret, so that no counter resets (lambda/core/gateway-secrets.ts, GatewayKeys).
 *
 * Why a custom resource: Secrets Manager's generateSecretString only draws characters from a
 * set, so it cannot produce a `whsec_` prefix followed by base64 of random bytes, and a value
 * written into the template would be visible to anyone who can read the template. A small
 * Lambda with crypto.randomBytes generates the keys inside the account, on Create only (and when
 * the secret itself is replaced, or a stack version adds a key: its name is a property); it
 * merges the keys into the secret's JSON, keeps a key that is already there, and never returns
 * or logs a value (NoEcho, no Data).
 *
 * Why a plain Lambda and not the custom-resources Provider framework: the framework adds a
 * second function whose runtime and wildcard invoke permissions this stack does not control.
 * The inline code needs no bundling, no Docker and no asset.
 */
export class SigningKey extends Construct {
  readonly handler: lambda.Function;

  constructor(scope: Construct, id: string, props: { secret: secretsmanager.ISecret }) {
    super(scope, id);

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: LOG_RETENTION });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Generates the SMS gateway signing key and rate-limit key into its one secret.',
    });
    logGroup.grantWrite(role);
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
        resources: [props.secret.secretArn],
      }),
    );

    this.handler = new lambda.Function(this, 'Handler', {
      runtime: GATEWAY_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromInline(fs.readFileSync(SIGNING_KEY_HANDLER_FILE, 'utf8')),
      memorySize: 128,
      timeout: Duration.seconds(60),
      description: `Custom::SigningKey: generates ${SECRET_KEY.signingSecret} and ${SECRET_KEY.rateLimitKey} into the secret.`,
      role,
      logGroup,
    });

    const resource = new CustomResource(this, 'Resource', {
      serviceToken: this.handler.functionArn,
      resourceType: 'Custom::SigningKey',
      properties: { SecretArn: props.secret.secretArn, SigningKeyName: SECRET_KEY.signingSecret, RateLimitKeyName: SECRET_KEY.rateLimitKey },
    });
    // The policy must exist before CloudFormation invokes the function.
    resource.node.addDependency(role);
  }
}
