import { ENV } from '../shared/names';
import { CommandError, stringOption, type OptionValues } from './command';
import { DEFAULT_STACK, describeStack, functionEnvironments, gatewaySecret, OUTPUT_KEYS, type StackDescription } from './stack';

/**
 * One deployed gateway as a command sees it: the stack chosen by --stack/--region, read at most
 * once per run however many parts of a command need its outputs or its secret.
 */
export class Deployment {
  private description?: Promise<StackDescription>;
  private secretValues?: Promise<{ arn: string; values: Record<string, unknown> }>;
  private sendVariables?: Promise<Record<string, string | undefined>>;

  constructor(
    readonly stackName: string,
    readonly region: string | undefined,
    /** --secret-arn: use this secret instead of the stack's SecretArn output. */
    private readonly secretArnOverride?: string,
  ) {}

  static fromOptions(values: OptionValues): Deployment {
    return new Deployment(stringOption(values, 'stack') ?? DEFAULT_STACK, stringOption(values, 'region'), stringOption(values, 'secret-arn'));
  }

  describe(): Promise<StackDescription> {
    this.description ??= describeStack(this.stackName, this.region);
    return this.description;
  }

  /** An output of the stack; a CommandError naming it when the stack lacks it. */
  async output(key: string): Promise<string> {
    const value = (await this.describe()).outputs[key];
    if (!value) throw new CommandError(`Stack ${this.stackName} has no ${key} output: is it the mfa-sms-gateway stack? Deploy it again with \`npx cdk deploy\`.`);
    return value;
  }

  async secretArn(): Promise<string> {
    return this.secretArnOverride ?? this.output(OUTPUT_KEYS.secretArn);
  }

  /** The secret's keys, read once. Values are for the caller to use, never to print. */
  secret(): Promise<{ arn: string; values: Record<string, unknown> }> {
    this.secretValues ??= this.secretArn().then(async (arn) => ({ arn, values: await gatewaySecret(arn, this.region) }));
    return this.secretValues;
  }

  /**
   * The send Lambda's environment variables in the deployed template, read once: how the CLI
   * learns settings that live only in the stack (ALLOWED_COUNTRIES, PROVIDERS, PROVIDER_ROUTES).
   * Values the template computes (intrinsic functions) are undefined.
   */
  sendEnvironment(): Promise<Record<string, string | undefined>> {
    this.sendVariables ??= functionEnvironments(this.stackName, this.region).then((environments) => {
      // The send Lambda is the one with a state table; ALLOWED_COUNTRIES is absent when all are allowed.
      const send = Object.values(environments).find((variables) => ENV.stateTable in variables);
      if (!send) throw new CommandError('the stack has no send Lambda with a STATE_TABLE variable');
      return send;
    });
    return this.sendVariables;
  }

  /** Forget the secret read so far (after writing it). */
  forgetSecret(): void {
    this.secretValues = undefined;
  }
}
