/**
 * DescribeMetricFilters through the real `@aws-sdk/client-cloudwatch-logs` against the loopback CloudWatch Logs
 * server: the call's parameters, paging through nextToken, AccessDenied as an answer (not an exception), and the
 * SDK's own endpoint variable for this service (AWS_ENDPOINT_URL_CLOUDWATCH_LOGS).
 */

import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { patternFromMetricFilters } from '../../src/core/alerts/alarm-filter.js';
import { packRule } from '../../src/core/rules/cis-pack.js';
import { createMetricFilterReader } from '../../src/outbound/logs/metric-filters.js';
import {
  type CloudWatchLogsServer,
  DESCRIBE_METRIC_FILTERS_TARGET,
  type StoredMetricFilter,
  startCloudWatchLogsServer,
} from '../loopback/cloudwatch-logs-server.js';

const credentials = { accessKeyId: 'AKIDLOOPBACKEXAMPLE', secretAccessKey: 'loopback-secret-not-a-real-one' };
const SG = { namespace: 'CloudTrailMetrics', metricName: 'SecurityGroupEventCount' };

function filter(
  name: string,
  pattern: string,
  metric = SG,
  group = 'aws-cloudtrail-logs-111122223333-1',
): StoredMetricFilter {
  return {
    filterName: name,
    logGroupName: group,
    filterPattern: pattern,
    metricTransformations: [{ metricName: metric.metricName, metricNamespace: metric.namespace, metricValue: '1' }],
  };
}

const INGRESS = '{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupIngress) }';
const LIFECYCLE = '{ ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }';

let server: CloudWatchLogsServer;
const clients: CloudWatchLogsClient[] = [];

beforeAll(async () => {
  server = await startCloudWatchLogsServer({
    pageSize: 1,
    denied: ['ap-northeast-1'],
    ratePerSecond: 1000,
    filters: {
      'eu-west-1': [
        filter('sg-ingress', INGRESS),
        filter('sg-lifecycle', LIFECYCLE),
        filter('root-usage', '{ $.userIdentity.type = "Root" }', {
          namespace: 'CloudTrailMetrics',
          metricName: 'RootAccountUsageCount',
        }),
        filter('app-errors', 'ERROR', { namespace: 'App', metricName: 'Errors' }, '/app/prod'),
      ],
    },
  });
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await server.close();
});

function reader() {
  return createMetricFilterReader({
    clientFor: (region) => {
      const client = new CloudWatchLogsClient({ region, endpoint: server.url, credentials, maxAttempts: 1 });
      clients.push(client);
      return client;
    },
  });
}

describe('DescribeMetricFilters against the loopback CloudWatch Logs', () => {
  test('asks by metric name and namespace, follows nextToken through every page', async () => {
    const before = server.calls.length;
    const lookup = await reader().describe('eu-west-1', SG);
    expect(lookup.kind).toBe('found');
    if (lookup.kind !== 'found') return;
    expect(lookup.filters.map((f) => f.filterName)).toEqual(['sg-ingress', 'sg-lifecycle']);
    expect(lookup.filters[0]).toEqual({
      filterName: 'sg-ingress',
      logGroupName: 'aws-cloudtrail-logs-111122223333-1',
      pattern: INGRESS,
      metrics: [SG],
    });
    const calls = server.calls.slice(before);
    expect(calls.map((c) => [c.region, c.target, c.metricName, c.metricNamespace, c.nextToken, c.status])).toEqual([
      ['eu-west-1', DESCRIBE_METRIC_FILTERS_TARGET, 'SecurityGroupEventCount', 'CloudTrailMetrics', false, 200],
      ['eu-west-1', DESCRIBE_METRIC_FILTERS_TARGET, 'SecurityGroupEventCount', 'CloudTrailMetrics', true, 200],
    ]);

    // Two JSON filters feed the metric: ORed into one pattern.
    const resolved = patternFromMetricFilters(SG, lookup.filters);
    expect(resolved.resolved?.pattern).toBe(
      '{ (($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupIngress)) || (($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup)) }',
    );
  });

  test('a metric no filter emits: found, none', async () => {
    expect(await reader().describe('eu-west-1', { namespace: 'CloudTrailMetrics', metricName: 'Nothing' })).toEqual({
      kind: 'found',
      filters: [],
    });
  });

  test('AccessDeniedException is an answer naming the action, not an exception', async () => {
    const lookup = await reader().describe('ap-northeast-1', SG);
    expect(lookup.kind).toBe('denied');
    expect(lookup.kind === 'denied' && lookup.message).toMatch(
      /^DescribeMetricFilters was denied in ap-northeast-1: .*logs:DescribeMetricFilters/,
    );
  });

  test('a refused endpoint is a one-line failure', async () => {
    const dead = createMetricFilterReader({
      clientFor: (region) =>
        new CloudWatchLogsClient({ region, endpoint: 'http://127.0.0.1:9', credentials, maxAttempts: 1 }),
    });
    const lookup = await dead.describe('eu-west-1', SG);
    expect(lookup.kind).toBe('failed');
    expect(lookup.kind === 'failed' && lookup.message).toMatch(/^DescribeMetricFilters failed in eu-west-1: /);
    expect(lookup.kind === 'failed' && lookup.message).not.toMatch(/\n/);
  });

  test('the CIS pattern the loopback holds is what the pack says', () => {
    expect(packRule('CloudWatch.10')?.metricNames).toContain(SG.metricName);
  });
});

describe('wired as main.ts wires it: the SDK finds the endpoint in AWS_ENDPOINT_URL_CLOUDWATCH_LOGS', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  test('the default client reads the service endpoint variable and static keys from the environment', async () => {
    for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
    Object.assign(process.env, {
      AWS_CONFIG_FILE: '/nonexistent/trailbot-test/config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/trailbot-test/credentials',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: server.url,
    });
    const before = server.calls.length;
    const lookup = await createMetricFilterReader().describe('eu-west-1', {
      namespace: 'CloudTrailMetrics',
      metricName: 'RootAccountUsageCount',
    });
    expect(lookup).toMatchObject({ kind: 'found', filters: [{ filterName: 'root-usage' }] });
    expect(server.calls.slice(before).map((c) => c.region)).toEqual(['eu-west-1']);
  });
});
