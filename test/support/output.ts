/**
 * Captures what the process writes to stdout and stderr: Powertools Logger and Metrics write
 * there directly (one JSON document per line), as does console mode.
 */
export class OutputCapture {
  private chunks: string[] = [];
  private restore: (() => void) | undefined;

  start(): this {
    const stdout = process.stdout.write.bind(process.stdout);
    const stderr = process.stderr.write.bind(process.stderr);
    const record = (chunk: unknown) => {
      this.chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
      return true;
    };
    process.stdout.write = record as typeof process.stdout.write;
    process.stderr.write = record as typeof process.stderr.write;
    this.restore = () => {
      process.stdout.write = stdout;
      process.stderr.write = stderr;
    };
    return this;
  }

  stop(): void {
    this.restore?.();
    this.restore = undefined;
  }

  get text(): string {
    return this.chunks.join('');
  }

  clear(): void {
    this.chunks = [];
  }

  /** Every line that parses as a JSON object. */
  json(): Record<string, unknown>[] {
    return this.text
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  }

  /** EMF documents (lines with an `_aws` block). */
  metrics(): Record<string, unknown>[] {
    return this.json().filter((doc) => '_aws' in doc);
  }

  /** Log lines (JSON that is not EMF). */
  logs(): Record<string, unknown>[] {
    return this.json().filter((doc) => !('_aws' in doc));
  }
}

/** Names of the EMF metrics emitted, with their dimension sets, e.g. `SendFailed[Channel|Channel,Reason]`. */
export function metricSummary(docs: Record<string, unknown>[]): string[] {
  return docs.flatMap((doc) => {
    const aws = doc._aws as { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] };
    return aws.CloudWatchMetrics.flatMap((block) =>
      block.Metrics.map((metric) => `${metric.Name}[${block.Dimensions.map((set) => set.join(',')).join('|')}]`),
    );
  });
}
