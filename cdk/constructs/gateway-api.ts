import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogField, AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LOG_RETENTION } from './gateway-function';

export interface GatewayApiProps {
  throttleRate: number;
  throttleBurst: number;
}

/**
 * The HTTP API: a `$default` stage with throttling and JSON access logs. The stage is created
 * explicitly because the implicit default stage of HttpApi takes neither.
 */
export class GatewayApi extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: GatewayApiProps) {
    super(scope, id);

    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'mfa-sms-gateway: POST /messages (Auth0) and POST /twilio/status (Twilio callbacks)',
      createDefaultStage: false,
    });

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: LOG_RETENTION, removalPolicy: RemovalPolicy.RETAIN });
    this.stage = new apigwv2.HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttleRate, burstLimit: props.throttleBurst },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        // No headers, no body, no query string: the request carries a phone number and a code.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: AccessLogField.contextRequestId(),
            requestTime: AccessLogField.contextRequestTime(),
            sourceIp: AccessLogField.contextIdentitySourceIp(),
            userAgent: AccessLogField.contextIdentityUserAgent(),
            routeKey: AccessLogField.contextRouteKey(),
            status: AccessLogField.contextStatus(),
            responseLength: AccessLogField.contextResponseLength(),
            responseLatency: AccessLogField.contextResponseLatency(),
            integrationStatus: AccessLogField.contextIntegrationStatus(),
            integrationLatency: AccessLogField.contextIntegrationLatency(),
            integrationError: AccessLogField.contextIntegrationErrorMessage(),
          }),
        ),
      },
    });
  }

  /**
   * `https://<api-id>.execute-api.<region>.amazonaws.com`, from the API resource alone: a Lambda
   * may put it in its environment without depending on its own routes (no cycle).
   */
  get endpoint(): string {
    return this.api.apiEndpoint;
  }

  url(path: string): string {
    return `${this.endpoint}${path}`;
  }

  /**
   * Every method of `path` goes to the handler, which serves POST and answers any other method
   * with the contract's `405 method_not_allowed` JSON (API Gateway's own answer is not JSON).
   */
  addRoute(id: string, path: string, handler: lambda.IFunction, authenticatedBy: string): apigwv2.HttpRoute {
    const [route] = this.api.addRoutes({
      path,
      methods: [apigwv2.HttpMethod.ANY],
      integration: new HttpLambdaIntegration(`${id}Integration`, handler),
    });
    acknowledgeSignatureAuthentication(route, authenticatedBy);
    return route;
  }

  /**
   * Paths that match no route go to the handler, which answers the contract's `404 not_found`
   * JSON. The stage's throttling bounds what scanners can make it cost.
   */
  addDefaultRoute(handler: lambda.IFunction): apigwv2.HttpRoute {
    const route = new apigwv2.HttpRoute(this, 'DefaultRoute', {
      httpApi: this.api,
      routeKey: apigwv2.HttpRouteKey.DEFAULT,
      integration: new HttpLambdaIntegration('DefaultIntegration', handler),
    });
    acknowledgeSignatureAuthentication(route, 'The handler answers 404 to every request of this route, and verifies signatures on its own route;');
    return route;
  }
}

function acknowledgeSignatureAuthentication(route: apigwv2.HttpRoute, authenticatedBy: string): void {
  Validations.of(route).acknowledge({
    id: 'AwsSolutions::AwsSolutions-APIG4',
    reason: `${authenticatedBy} API Gateway authorizers cannot check it, and the caller cannot send IAM or JWT credentials.`,
  });
}
