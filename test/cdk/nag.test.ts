import * as fs from 'node:fs';
import * as path from 'node:path';
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { removeAssemblies, synthGateway, type Synthesized } from './synth';

/**
 * cdk-nag's AwsSolutions pack (registered by cdk/gateway-app.ts, as `cdk synth` runs it): the
 * stack passes with nothing unacknowledged, and every acknowledgement is needed (it suppresses
 * a real finding, on the resource it names) and says why. CDK's validation report lists what
 * the plugin found and which acknowledgement suppressed it.
 */

interface Acknowledgement {
  id: string;
  reason: string;
  /** Construct path where the acknowledgement was made; it covers everything below. */
  at: string;
}

interface Violation {
  ruleName: string;
  severity: string;
  violatingConstructs: { constructPath: string }[];
  acknowledgedId?: string;
  acknowledgedAt?: string;
  reason?: string;
}

interface Report {
  pluginReports: { pluginName: string; violations: Violation[]; suppressedViolations?: Violation[] }[];
}

let s: Synthesized;
let report: Report;
let acknowledgements: Acknowledgement[];

function acknowledgementsIn(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([id, reason]) => ({ id, reason, at: construct.node.path })),
  );
}

beforeAll(() => {
  s = synthGateway(); // throws if AwsSolutions reports an unacknowledged error
  report = JSON.parse(fs.readFileSync(path.join(s.outdir, 'validation-report.json'), 'utf8'));
  acknowledgements = acknowledgementsIn(s.app);
});

afterAll(removeAssemblies);

const suppressed = () => report.pluginReports.flatMap((r) => r.suppressedViolations ?? []);

test('AwsSolutions ran and reports nothing left: no error, no warning', () => {
  expect(report.pluginReports.map((r) => r.pluginName)).toContain('AwsSolutions');
  expect(report.pluginReports.flatMap((r) => r.violations.map((v) => `${v.severity} ${v.ruleName}`))).toEqual([]);
});

test('exactly four findings are acknowledged, each on its own resource: no authorizer on the three routes, no automatic secret rotation', () => {
  expect(
    suppressed()
      .flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} ${c.constructPath} (by ${v.acknowledgedId} at ${v.acknowledgedAt})`))
      .sort(),
  ).toEqual([
    'AwsSolutions-APIG4 MfaSmsGateway/Http/Api/ANY--messages/Resource (by AwsSolutions::AwsSolutions-APIG4 at MfaSmsGateway/Http/Api/ANY--messages)',
    'AwsSolutions-APIG4 MfaSmsGateway/Http/Api/ANY--twilio--status/Resource (by AwsSolutions::AwsSolutions-APIG4 at MfaSmsGateway/Http/Api/ANY--twilio--status)',
    'AwsSolutions-APIG4 MfaSmsGateway/Http/DefaultRoute/Resource (by AwsSolutions::AwsSolutions-APIG4 at MfaSmsGateway/Http/DefaultRoute)',
    'AwsSolutions-SMG4 MfaSmsGateway/GatewaySecret/Secret/Resource (by AwsSolutions::AwsSolutions-SMG4 at MfaSmsGateway/GatewaySecret/Secret)',
  ]);
});

test('every acknowledgement in the app suppresses a finding (none is stale, none covers the whole stack)', () => {
  const used = new Set(suppressed().map((v) => `${v.acknowledgedId} ${v.acknowledgedAt}`));
  expect(acknowledgements.map((ack) => `${ack.id} ${ack.at}`).sort()).toEqual([...used].sort());
  for (const ack of acknowledgements) expect(ack.at).not.toBe(s.stack.node.path);
});

test('each acknowledgement gives a specific reason', () => {
  for (const ack of acknowledgements) {
    expect(ack.reason.length).toBeGreaterThan(80);
    expect(ack.reason).not.toMatch(/^(n\/a|todo|tbd|not needed|false positive)/i);
  }
  const reasons = Object.fromEntries(acknowledgements.map((ack) => [ack.at.split('/').pop(), ack.reason]));
  expect(reasons['ANY--messages']).toMatch(/Standard Webhooks signature/);
  expect(reasons['ANY--twilio--status']).toMatch(/X-Twilio-Signature/);
  expect(reasons.DefaultRoute).toMatch(/answers 404/);
  expect(reasons.Secret).toMatch(/rotated/);
});
