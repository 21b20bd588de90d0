import { Loopback } from './loopback';

/**
 * A loopback CloudFormation endpoint speaking the service's query protocol (form-encoded
 * `Action=DescribeStacks`, XML answers), enough for the real AWS SDK client: DescribeStacks and
 * GetTemplate. Point the SDK at it with AWS_ENDPOINT_URL_CLOUDFORMATION.
 */
export class FakeCloudFormation {
  /** Outputs by stack name. */
  readonly stacks = new Map<string, Record<string, string>>();
  /** StackStatus by stack name; CREATE_COMPLETE when not set. */
  readonly statuses = new Map<string, string>();
  /** Deployed template by stack name, for GetTemplate. */
  readonly templates = new Map<string, unknown>();
  readonly calls: Record<string, string>[] = [];

  private loopback!: Loopback;

  static async start(): Promise<FakeCloudFormation> {
    const fake = new FakeCloudFormation();
    fake.loopback = await Loopback.start((_req, raw, res) => {
      const [status, xml] = fake.answer(Object.fromEntries(new URLSearchParams(raw.toString())));
      res.writeHead(status, { 'content-type': 'text/xml' });
      res.end(xml);
    });
    return fake;
  }

  get url(): string {
    return this.loopback.url;
  }

  close(): Promise<void> {
    return this.loopback.close();
  }

  private answer(params: Record<string, string>): [number, string] {
    this.calls.push(params);
    const ns = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
    const error = (code: string, message: string): [number, string] => [
      400,
      `<ErrorResponse xmlns="${ns}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`,
    ];
    const outputs = this.stacks.get(params.StackName);
    if (params.Action === 'GetTemplate') {
      const template = this.templates.get(params.StackName);
      if (!outputs || template === undefined) return error('ValidationError', `Stack with id ${params.StackName} does not exist`);
      return [
        200,
        `<GetTemplateResponse xmlns="${ns}"><GetTemplateResult><TemplateBody>${escapeXml(JSON.stringify(template))}</TemplateBody>` +
          `<StagesAvailable><member>Original</member><member>Processed</member></StagesAvailable></GetTemplateResult>` +
          `<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetTemplateResponse>`,
      ];
    }
    if (params.Action !== 'DescribeStacks') return error('InvalidAction', `unsupported action ${params.Action}`);
    if (!outputs) return error('ValidationError', `Stack with id ${params.StackName} does not exist`);
    const members = Object.entries(outputs)
      .map(([key, value]) => `<member><OutputKey>${key}</OutputKey><OutputValue>${escapeXml(value)}</OutputValue></member>`)
      .join('');
    return [
      200,
      `<DescribeStacksResponse xmlns="${ns}"><DescribeStacksResult><Stacks><member>` +
        `<StackName>${params.StackName}</StackName><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/${params.StackName}/1</StackId>` +
        `<CreationTime>2025-01-01T00:00:00Z</CreationTime><StackStatus>${this.statuses.get(params.StackName) ?? 'CREATE_COMPLETE'}</StackStatus><Outputs>${members}</Outputs>` +
        `</member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></DescribeStacksResponse>`,
    ];
  }
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
