/**
 * CloudWatch Logs DescribeMetricFilters: which metric filters emit a metric, in one region (alarm enrichment).
 * One SDK client per region, made on first use and kept; pages followed through `nextToken` (at most `maxPages`).
 * The SDK reads credentials and `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS` itself; this file reads no environment.
 * Failures are answers, not exceptions: `denied` (the policy lacks logs:DescribeMetricFilters, which Trailbot can do
 * without) or `failed` with one line.
 */
import {
  CloudWatchLogsClient,
  DescribeMetricFiltersCommand,
  type DescribeMetricFiltersCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import type { MetricFilterInfo } from '../../core/alerts/alarm-filter.js';
import type { MetricFilterLookup, MetricFilterReader } from '../../ports.js';

export interface MetricFilterReaderOptions {
  /** The client for a region; default `new CloudWatchLogsClient({ region })` with short timeouts. */
  clientFor?: (region: string) => CloudWatchLogsClient;
  /** Pages of 50 filters read per metric before giving up on the rest (default 10). */
  maxPages?: number;
}

const PAGE_SIZE = 50;

function defaultClient(region: string): CloudWatchLogsClient {
  return new CloudWatchLogsClient({
    region,
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 },
  });
}

export function createMetricFilterReader(options: MetricFilterReaderOptions = {}): MetricFilterReader {
  const clientFor = options.clientFor ?? defaultClient;
  const maxPages = Math.max(1, Math.floor(options.maxPages ?? 10));
  const clients = new Map<string, CloudWatchLogsClient>();
  const clientOf = (region: string): CloudWatchLogsClient => {
    let client = clients.get(region);
    if (client === undefined) {
      client = clientFor(region);
      clients.set(region, client);
    }
    return client;
  };

  return {
    async describe(region, metric): Promise<MetricFilterLookup> {
      const filters: MetricFilterInfo[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      try {
        do {
          const page: DescribeMetricFiltersCommandOutput = await clientOf(region).send(
            new DescribeMetricFiltersCommand({
              metricName: metric.metricName,
              metricNamespace: metric.namespace,
              limit: PAGE_SIZE,
              ...(nextToken === undefined ? {} : { nextToken }),
            }),
          );
          pages += 1;
          for (const f of page.metricFilters ?? []) {
            filters.push({
              filterName: f.filterName ?? null,
              logGroupName: f.logGroupName ?? null,
              pattern: f.filterPattern ?? '',
              metrics: (f.metricTransformations ?? []).map((t) => ({
                namespace: t.metricNamespace ?? null,
                metricName: t.metricName ?? null,
              })),
            });
          }
          nextToken = page.nextToken === undefined || page.nextToken === '' ? undefined : page.nextToken;
        } while (nextToken !== undefined && pages < maxPages);
      } catch (error) {
        return classify(error, region);
      }
      return { kind: 'found', filters };
    },
  };
}

function classify(error: unknown, region: string): MetricFilterLookup {
  const e = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const name = typeof e.name === 'string' ? e.name : '';
  const message = typeof e.message === 'string' ? e.message : String(error);
  const status = (e.$metadata as { httpStatusCode?: unknown } | undefined)?.httpStatusCode;
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || status === 403) {
    return { kind: 'denied', message: oneLine(`DescribeMetricFilters was denied in ${region}: ${message}`) };
  }
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return { kind: 'failed', message: 'no AWS credentials for DescribeMetricFilters' };
  }
  return {
    kind: 'failed',
    message: oneLine(`DescribeMetricFilters failed in ${region}: ${name || 'Error'}: ${message}`),
  };
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 299)}…` : flat;
}
