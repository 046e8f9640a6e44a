/**
 * CloudWatch Logs DescribeMetricFilters on loopback, for tests that drive the real `@aws-sdk/client-cloudwatch-logs`
 * (endpoint = `url`, or `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS`: the SDK's env var is AWS_ENDPOINT_URL_ + the service id
 * `CloudWatch Logs` upper-cased, spaces as `_`).
 *
 * It speaks awsJson1_1 as the SDK sends it: `POST /`, `Content-Type: application/x-amz-json-1.1`,
 * `X-Amz-Target: Logs_20140328.DescribeMetricFilters`, a JSON body, errors as HTTP 400 `{"__type": …, "message": …}`.
 * The region is the SigV4 credential scope's (service `logs`; the signature itself is not checked). It keeps AWS's
 * rules for the call:
 * - `metricName` and `metricNamespace` go together (InvalidParameterException otherwise); `limit` 1–50 (default 50);
 * - filters come in filter-name order; a page ends with an opaque `nextToken`, valid only with the same parameters;
 * - 5 requests/s per region (ThrottlingException over it);
 * - AccessDeniedException in the regions listed as `denied`.
 * Every call is recorded in `calls`.
 */
import { randomBytes } from 'node:crypto';
import { AwsJsonError, type AwsJsonServer, regionRateLimit, startAwsJsonServer } from './aws-json-server.js';

export const DESCRIBE_METRIC_FILTERS_TARGET = 'Logs_20140328.DescribeMetricFilters';

/** A metric filter as PutMetricFilter stores it. */
export interface StoredMetricFilter {
  filterName: string;
  logGroupName: string;
  filterPattern: string;
  metricTransformations: { metricName: string; metricNamespace: string; metricValue: string; defaultValue?: number }[];
  creationTime?: number;
}

export interface CloudWatchLogsServerOptions {
  /** Metric filters by region. */
  filters?: Readonly<Record<string, readonly StoredMetricFilter[]>>;
  /** Regions that answer AccessDeniedException. */
  denied?: readonly string[];
  /** The most filters one page holds whatever `limit` says (to test paging with few filters); default 50. */
  pageSize?: number;
  /** Requests per second per region (default 5: DescribeMetricFilters' quota). */
  ratePerSecond?: number;
}

export interface LogsCall {
  region: string;
  target: string;
  metricName: string | null;
  metricNamespace: string | null;
  nextToken: boolean;
  status: number;
  error: string | null;
  filters: number;
}

export type CloudWatchLogsServer = AwsJsonServer<LogsCall>;

export async function startCloudWatchLogsServer(
  options: CloudWatchLogsServerOptions = {},
): Promise<CloudWatchLogsServer> {
  const denied = new Set(options.denied ?? []);
  const pageSize = options.pageSize ?? 50;
  const rate = options.ratePerSecond ?? 5;
  const tokens = new Map<string, { key: string; offset: number }>();
  const withinRate = regionRateLimit(rate, rate);

  const describeMetricFilters = (input: Record<string, unknown>, call: LogsCall): Record<string, unknown> => {
    const { region } = call;
    const text = (name: string): string | null => {
      const value = input[name];
      if (value === undefined) return null;
      if (typeof value !== 'string' || value.length === 0 || value.length > 512)
        throw new AwsJsonError('InvalidParameterException', `${name} must be a string of 1 to 512 characters`);
      return value;
    };
    const metricName = text('metricName');
    const metricNamespace = text('metricNamespace');
    const logGroupName = text('logGroupName');
    const filterNamePrefix = text('filterNamePrefix');
    call.metricName = metricName;
    call.metricNamespace = metricNamespace;
    if ((metricName === null) !== (metricNamespace === null))
      throw new AwsJsonError(
        'InvalidParameterException',
        'If you specify a value for metricName you must also specify a value for metricNamespace, and the other way round',
      );
    let limit = 50;
    if (input.limit !== undefined) {
      const n = input.limit;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 50)
        throw new AwsJsonError('InvalidParameterException', 'limit must be an integer from 1 to 50');
      limit = n;
    }
    const key = JSON.stringify([region, metricName, metricNamespace, logGroupName, filterNamePrefix, limit]);
    let offset = 0;
    call.nextToken = input.nextToken !== undefined;
    if (input.nextToken !== undefined) {
      const token = typeof input.nextToken === 'string' ? tokens.get(input.nextToken) : undefined;
      if (token === undefined || token.key !== key)
        throw new AwsJsonError('InvalidParameterException', 'The nextToken is invalid for these parameters');
      offset = token.offset;
    }
    const matching = [...(options.filters?.[region] ?? [])]
      .filter(
        (f) =>
          (logGroupName === null || f.logGroupName === logGroupName) &&
          (filterNamePrefix === null || f.filterName.startsWith(filterNamePrefix)) &&
          (metricName === null ||
            f.metricTransformations.some((t) => t.metricName === metricName && t.metricNamespace === metricNamespace)),
      )
      .sort((a, b) => (a.filterName < b.filterName ? -1 : a.filterName > b.filterName ? 1 : 0));
    const page = matching.slice(offset, offset + Math.min(limit, pageSize));
    call.filters = page.length;
    const out: Record<string, unknown> = {
      metricFilters: page.map((f) => ({ creationTime: 1_688_990_000_000, ...f })),
    };
    if (offset + page.length < matching.length) {
      const token = randomBytes(24).toString('base64url');
      tokens.set(token, { key, offset: offset + page.length });
      out.nextToken = token;
    }
    return out;
  };

  return startAwsJsonServer<LogsCall>({
    service: 'logs',
    targets: { [DESCRIBE_METRIC_FILTERS_TARGET]: describeMetricFilters },
    newCall: () => ({
      region: '',
      target: '',
      metricName: null,
      metricNamespace: null,
      nextToken: false,
      status: 200,
      error: null,
      filters: 0,
    }),
    admit(region) {
      if (!withinRate(region, performance.now())) throw new AwsJsonError('ThrottlingException', 'Rate exceeded');
      if (denied.has(region))
        throw new AwsJsonError(
          'AccessDeniedException',
          `User: arn:aws:sts::123456789012:assumed-role/trailbot/i-0 is not authorized to perform: logs:DescribeMetricFilters on resource: arn:aws:logs:${region}:123456789012:log-group::log-stream: because no identity-based policy allows the logs:DescribeMetricFilters action`,
        );
    },
  });
}
