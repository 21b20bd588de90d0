import { networkErrorCode } from '../auth0/provision/errors';
import { STACK_NAME } from '../shared/names';
import { CommandError } from './command';

/**
 * The deployed stack, read with the caller's AWS credentials: its CloudFormation outputs and the
 * gateway's secret, found through the output keys the stack and the CLI share (shared/names.ts).
 */
export { OUTPUT_KEYS } from '../shared/names';
export const DEFAULT_STACK = STACK_NAME;

/**
 * AWS cannot be asked at all: no credentials or no region. The doctor skips what needs AWS
 * instead of failing it; the other commands say how to give what they need.
 */
export class AwsUnavailable extends CommandError {
  override name = 'AwsUnavailable';

  constructor(
    message: string,
    /** Short, for the doctor's SKIP lines: `no AWS credentials`. */
    readonly reason: string,
    /** What gives it, for the doctor: `set AWS_REGION or pass --region`. */
    readonly fix: string,
  ) {
    super(message);
  }
}

const NETWORK_FIX = 'check the network connection, the proxy settings (HTTPS_PROXY) and AWS_ENDPOINT_URL if it is set';

/** AWS could not be reached over the network: the fix is the network, never a deploy. */
export class AwsUnreachable extends CommandError {
  override name = 'AwsUnreachable';
  readonly fix = NETWORK_FIX;

  constructor(
    /** Without the fix, for the doctor's FAIL line: `Could not read the stack X: AWS could not be reached (ENOTFOUND)`. */
    readonly problem: string,
  ) {
    super(`${problem}, so ${NETWORK_FIX}.`);
  }
}

const NETWORK_CODE = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)\b/;
const CREDENTIALS_FIX = 'configure them as for the AWS CLI, until `aws sts get-caller-identity` answers';
const REGION_FIX = 'set AWS_REGION or pass --region';

export function awsProblem(err: unknown, what: string): CommandError {
  const error = err as { name?: string; message?: string };
  if (error.name === 'CredentialsProviderError' || /credential/i.test(error.message ?? '')) {
    return new AwsUnavailable(`${what}: no AWS credentials were found (${error.message}).`, 'no AWS credentials', CREDENTIALS_FIX);
  }
  if (/region is missing/i.test(error.message ?? '')) {
    return new AwsUnavailable(`${what}: no AWS region is set, so ${REGION_FIX}.`, 'no AWS region', REGION_FIX);
  }
  // The SDK's retry middleware re-wraps an error it does not see as an Error (one from another
  // realm, as under Jest) into a message-only one: the code is then read from the message.
  const network =
    networkErrorCode(err) ??
    NETWORK_CODE.exec(error.message ?? '')?.[1] ??
    // Node's message for a connection closed before the answer (its code is ECONNRESET).
    (/socket hang up/.test(error.message ?? '') ? 'ECONNRESET' : undefined) ??
    (error.name === 'TimeoutError' ? 'timeout' : undefined);
  if (network) return new AwsUnreachable(`${what}: AWS could not be reached (${network})`);
  return new CommandError(`${what}: ${error.name ?? 'Error'}: ${error.message ?? String(err)}`);
}

// The AWS SDK loads only when a command needs the stack, so --help and flag-only runs stay fast.
function cloudFormation() {
  return require('@aws-sdk/client-cloudformation') as typeof import('@aws-sdk/client-cloudformation');
}

function secretsManager() {
  return require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager');
}

export interface StackDescription {
  name: string;
  /** CloudFormation's StackStatus, e.g. CREATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE. */
  status: string;
  /** The region the stack was read from. */
  region: string;
  outputs: Record<string, string>;
}

export async function describeStack(stackName: string, region?: string): Promise<StackDescription> {
  const { CloudFormationClient, DescribeStacksCommand } = cloudFormation();
  const client = new CloudFormationClient(region ? { region } : {});
  try {
    const { Stacks = [] } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const outputs: Record<string, string> = {};
    for (const output of Stacks[0]?.Outputs ?? []) {
      if (output.OutputKey && output.OutputValue) outputs[output.OutputKey] = output.OutputValue;
    }
    const where = region ?? (await client.config.region());
    return { name: stackName, status: Stacks[0]?.StackStatus ?? 'UNKNOWN', region: where, outputs };
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

/**
 * The environment variables the deployed template gives each Lambda function, by logical id.
 * This is how the CLI learns settings that live only in the stack (ALLOWED_COUNTRIES) without a
 * Lambda client: one GetTemplate call. Undefined values are intrinsic functions, not strings.
 */
export async function functionEnvironments(stackName: string, region?: string): Promise<Record<string, Record<string, string | undefined>>> {
  const { CloudFormationClient, GetTemplateCommand } = cloudFormation();
  const client = new CloudFormationClient(region ? { region } : {});
  try {
    const { TemplateBody } = await client.send(new GetTemplateCommand({ StackName: stackName }));
    const template = JSON.parse(TemplateBody ?? '{}') as { Resources?: Record<string, { Type?: string; Properties?: { Environment?: { Variables?: Record<string, unknown> } } }> };
    const environments: Record<string, Record<string, string | undefined>> = {};
    for (const [id, resource] of Object.entries(template.Resources ?? {})) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const variables = resource.Properties?.Environment?.Variables ?? {};
      environments[id] = Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, typeof value === 'string' ? value : undefined]));
    }
    return environments;
  } catch (err) {
    if (err instanceof SyntaxError) throw new CommandError(`The template of ${stackName} is not JSON.`);
    throw awsProblem(err, `Could not read the template of ${stackName}`);
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

/**
 * Writes the whole JSON value as the secret's new current version. Callers merge first: a
 * PutSecretValue replaces every key, so a key left out would be lost.
 */
export async function putGatewaySecret(secretArn: string, values: Record<string, unknown>, region?: string): Promise<void> {
  const { PutSecretValueCommand, SecretsManagerClient } = secretsManager();
  const client = new SecretsManagerClient(region ? { region } : {});
  try {
    await client.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: JSON.stringify(values) }));
  } catch (err) {
    throw awsProblem(err, `Could not write the secret ${secretArn}`);
  } finally {
    client.destroy();
  }
}
