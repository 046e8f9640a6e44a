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
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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

export interface CloudWatchLogsServer {
  url: string;
  readonly calls: readonly LogsCall[];
  close(): Promise<void>;
}

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startCloudWatchLogsServer(
  options: CloudWatchLogsServerOptions = {},
): Promise<CloudWatchLogsServer> {
  const denied = new Set(options.denied ?? []);
  const pageSize = options.pageSize ?? 50;
  const rate = options.ratePerSecond ?? 5;
  const calls: LogsCall[] = [];
  const tokens = new Map<string, { key: string; offset: number }>();
  const buckets = new Map<string, { tokens: number; last: number }>();

  const admit = (region: string): boolean => {
    const at = performance.now();
    const bucket = buckets.get(region) ?? { tokens: rate, last: at };
    bucket.tokens = Math.min(rate, bucket.tokens + ((at - bucket.last) / 1000) * rate);
    bucket.last = at;
    buckets.set(region, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  };

  const handle = (req: IncomingMessage, body: string, call: LogsCall): Record<string, unknown> => {
    if (req.method !== 'POST' || (req.url ?? '/').split('?')[0] !== '/')
      throw new AwsError('UnknownOperationException', 'Only POST / is served here');
    const target = headerOf(req, 'x-amz-target');
    call.target = target;
    if (target !== DESCRIBE_METRIC_FILTERS_TARGET)
      throw new AwsError('UnknownOperationException', `Unknown operation ${target || '(no X-Amz-Target)'}`);
    if (!headerOf(req, 'content-type').startsWith('application/x-amz-json-1.1'))
      throw new AwsError('SerializationException', 'Content-Type must be application/x-amz-json-1.1');
    const scope = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/.exec(
      headerOf(req, 'authorization'),
    );
    if (scope === null) throw new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token');
    const [, region = '', service = ''] = scope;
    call.region = region;
    if (service !== 'logs')
      throw new AwsError('InvalidSignatureException', "Credential should be scoped to correct service: 'logs'.");
    if (!admit(region)) throw new AwsError('ThrottlingException', 'Rate exceeded');
    if (denied.has(region))
      throw new AwsError(
        'AccessDeniedException',
        `User: arn:aws:sts::123456789012:assumed-role/trailbot/i-0 is not authorized to perform: logs:DescribeMetricFilters on resource: arn:aws:logs:${region}:123456789012:log-group::log-stream: because no identity-based policy allows the logs:DescribeMetricFilters action`,
      );

    let input: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(body === '' ? '{}' : body);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      input = parsed as Record<string, unknown>;
    } catch {
      throw new AwsError('SerializationException', 'The request body is not a JSON object');
    }
    const text = (name: string): string | null => {
      const value = input[name];
      if (value === undefined) return null;
      if (typeof value !== 'string' || value.length === 0 || value.length > 512)
        throw new AwsError('InvalidParameterException', `${name} must be a string of 1 to 512 characters`);
      return value;
    };
    const metricName = text('metricName');
    const metricNamespace = text('metricNamespace');
    const logGroupName = text('logGroupName');
    const filterNamePrefix = text('filterNamePrefix');
    call.metricName = metricName;
    call.metricNamespace = metricNamespace;
    if ((metricName === null) !== (metricNamespace === null))
      throw new AwsError(
        'InvalidParameterException',
        'If you specify a value for metricName you must also specify a value for metricNamespace, and the other way round',
      );
    let limit = 50;
    if (input.limit !== undefined) {
      const n = input.limit;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 50)
        throw new AwsError('InvalidParameterException', 'limit must be an integer from 1 to 50');
      limit = n;
    }
    const key = JSON.stringify([region, metricName, metricNamespace, logGroupName, filterNamePrefix, limit]);
    let offset = 0;
    call.nextToken = input.nextToken !== undefined;
    if (input.nextToken !== undefined) {
      const token = typeof input.nextToken === 'string' ? tokens.get(input.nextToken) : undefined;
      if (token === undefined || token.key !== key)
        throw new AwsError('InvalidParameterException', 'The nextToken is invalid for these parameters');
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

  const server = createServer((req, res) => {
    const call: LogsCall = {
      region: '',
      target: '',
      metricName: null,
      metricNamespace: null,
      nextToken: false,
      status: 200,
      error: null,
      filters: 0,
    };
    calls.push(call);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        send(res, 200, handle(req, Buffer.concat(chunks).toString('utf8'), call));
      } catch (error) {
        const e = error instanceof AwsError ? error : new AwsError('InternalFailure', String(error));
        call.status = e.type === 'InternalFailure' ? 500 : 400;
        call.error = e.type;
        send(res, call.status, { __type: e.type, message: e.message });
      }
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      });
    },
  };
}

function headerOf(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}
