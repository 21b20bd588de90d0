import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LAMBDA_BUNDLING, LAMBDA_ENTRIES, PROJECT_ROOT, type LambdaName } from '../bundling';

/** The newest Node.js runtime this CDK offers; bundling targets the same version. */
export const GATEWAY_RUNTIME = lambda.Runtime.NODEJS_24_X;
export const LOG_RETENTION = logs.RetentionDays.ONE_MONTH;

export interface GatewayFunctionProps {
  lambda: LambdaName;
  description: string;
  memorySize: number;
  timeout: Duration;
  environment: Record<string, string>;
}

/**
 * One of the gateway's Lambdas: bundled from lambda/<name>.ts with the shared options, on
 * arm64 (about 20% cheaper per GB-second than x86), with its own log group and a role that
 * starts empty. The role has no managed policy, so AWSLambdaBasicExecutionRole's `Resource: *`
 * never appears: it may write to its own log group only, and the stack grants each further
 * permission on one named resource.
 */
export class GatewayFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: GatewayFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: LOG_RETENTION,
      // Logs outlive the stack for investigations; retention still expires them.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description}: writes its own logs; further grants are added by the stack.`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: LAMBDA_ENTRIES[props.lambda],
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: GATEWAY_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      description: props.description,
      role: this.role,
      logGroup: this.logGroup,
      bundling: LAMBDA_BUNDLING,
      // Secrets are read through the AWS Parameters and Secrets extension on localhost, so the
      // Lambdas never load the AWS SDK for them (~50 ms of each cold start). Its cache is off:
      // the gateway keeps the value 5 minutes itself and, after Twilio rejects the credentials,
      // must be able to read it fresh.
      paramsAndSecrets: lambda.ParamsAndSecretsLayerVersion.fromVersion(lambda.ParamsAndSecretsVersions.V1_0_103, {
        cacheEnabled: false,
        logLevel: lambda.ParamsAndSecretsLogLevel.WARN,
      }),
      environment: {
        ...props.environment,
        // The bundle is minified; source maps turn its stack traces back into lambda/*.ts lines.
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
  }
}
