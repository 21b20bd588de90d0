import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DELIVERY_KEY_PREFIX, STATE_EXPIRY_ATTRIBUTE, STATE_KEY_ATTRIBUTE } from '../../lambda/adapters/state-schema';
/** Single-item reads and writes: all that idempotency records and rate-limit counters need. */
export const STATE_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];

/**
 * The gateway's state: the send Lambda's idempotency records (keyed by webhook-id) and
 * rate-limit counters, and the status Lambda's counted delivery statuses, each with its own key
 * prefix, all expiring through the TTL attribute.
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

  /**
   * PutItem of the delivery ledger's items and nothing else: the condition on the partition key
   * keeps the status Lambda away from the send Lambda's records and counters.
   */
  grantDeliveryLedger(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:PutItem'],
        resources: [this.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${DELIVERY_KEY_PREFIX}*`] } },
      }),
    );
  }

  /** Exactly the four item actions, on this table only (no index, stream or Scan/Query access). */
  grantItemAccess(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: STATE_TABLE_ACTIONS, resources: [this.table.tableArn] }),
    );
  }
}
