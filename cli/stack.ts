import { STACK_NAME } from '../cdk/names';
import { CommandError } from './command';

/**
 * The deployed stack, read with the caller's AWS credentials: its CloudFormation outputs and the
 * gateway's secret, found through the output keys the stack and the CLI share (cdk/names.ts).
 */
export { OUTPUT_KEYS } from '../cdk/names';
export const DEFAULT_STACK = STACK_NAME;

function awsProblem(err: unknown, what: string): CommandError {
  const error = err as { name?: string; message?: string };
  if (error.name === 'CredentialsProviderError' || /credential/i.test(error.message ?? '')) {
    return new CommandError(`${what}: no AWS credentials were found (${error.message}).`);
  }
  if (/region is missing/i.test(error.message ?? '')) {
    return new CommandError(`${what}: no AWS region is set (set AWS_REGION or pass --region).`);
  }
  return new CommandError(`${what}: ${error.name ?? 'Error'}: ${error.message ?? String(err)}`);
}

// The AWS SDK loads only when a command needs the stack, so --help and flag-only runs stay fast.
function cloudFormation() {
  return require('@aws-sdk/client-cloudformation') as typeof import('@aws-sdk/client-cloudformation');
}

function secretsManager() {
  return require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager');
}

export async function stackOutputs(stackName: string, region?: string): Promise<Record<string, string>> {
  const { CloudFormationClient, DescribeStacksCommand } = cloudFormation();
  const client = new CloudFormationClient(region ? { region } : {});
  try {
    const { Stacks = [] } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const outputs: Record<string, string> = {};
    for (const output of Stacks[0]?.Outputs ?? []) {
      if (output.OutputKey && output.OutputValue) outputs[output.OutputKey] = output.OutputValue;
    }
    return outputs;
  } catch (err) {
    if ((err as Error).name === 'ValidationError' && /does not exist/.test((err as Error).message)) {
      const where = region ?? (await client.config.region().catch(() => 'the current region'));
      throw new CommandError(`Stack ${stackName} was not found in ${where}: deploy it first, or pass --stack (and --region).`);
    }
    throw awsProblem(err, `Could not read the stack ${stackName}`);
  } finally {
    client.destroy();
  }
}

/** The secret's JSON keys. The caller picks what it needs and never prints values. */
export async function gatewaySecret(secretArn: string, region?: string): Promise<Record<string, unknown>> {
  const { GetSecretValueCommand, SecretsManagerClient } = secretsManager();
  const client = new SecretsManagerClient(region ? { region } : {});
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    const parsed: unknown = JSON.parse(SecretString ?? '{}');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    if (err instanceof SyntaxError || (err as Error).message === 'not a JSON object') {
      throw new CommandError(`The secret ${secretArn} does not hold a JSON object of keys.`);
    }
    throw awsProblem(err, `Could not read the secret ${secretArn}`);
  } finally {
    client.destroy();
  }
}
