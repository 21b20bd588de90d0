import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { STACK_NAME } from '../shared/names';
import { checkContextKeys, readGatewayConfig } from './config';
import { SmsGatewayStack } from './sms-gateway-stack';

export { STACK_NAME };

/**
 * Builds the whole app on a given App: cdk/app.ts calls it for `cdk synth`/`cdk deploy`, the
 * tests call it with their own context, so both synthesize the same thing.
 *
 * The stack is environment-agnostic (no account, no region, no lookups): synth needs no AWS
 * credentials, and deploy goes to the account and region of the caller's AWS profile.
 */
export function buildGatewayApp(app: App): SmsGatewayStack {
  checkContextKeys(Object.keys(app.node.getAllContext()));
  const config = readGatewayConfig((key) => app.node.tryGetContext(key));
  const stack = new SmsGatewayStack(app, STACK_NAME, {
    config,
    description: 'mfa-sms-gateway: custom SMS/voice provider for Auth0 MFA (API Gateway, Lambda, Twilio)',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
