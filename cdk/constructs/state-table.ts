import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { STATE_EXPIRY_ATTRIBUTE, STATE_KEY_ATTRIBUTE } from '../../lambda/adapters/state-schema';
/** Single-item reads and writes: all that idempotency records and rate-limit counters need. */
export const STATE_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];

/**
 * The send Lambda's state: idempotency records (keyed by webhook-id) and rate-limit counters
 * (with their own key prefixes), both expiring through the TTL attribute.
 */
export class StateTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: STATE_KEY_ATTRIBUTE, type: dynamodb.AttributeType.STRING },
      // MFA traffic is low and spiky; on-demand costs nothing while idle and never throttles a peak.
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: STATE_EXPIRY_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Everything in it expires within 7 days and losing it only resets counters, so it goes
      // with the stack instead of lingering as an orphan after `cdk destroy`.
      removalPolicy: RemovalPolicy.DESTROY,
      deletionProtection: false,
    });
  }

  /** Exactly the four item actions, on this table only (no index, stream or Scan/Query access). */
  grantItemAccess(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: STATE_TABLE_ACTIONS, resources: [this.table.tableArn] }),
    );
  }
}
