/** Builders for normalized records and queries in tests: sensible defaults, override what the test is about. */

import { NO_FILTERS, type QueryFilters, type TrailQuery } from '../../src/core/trail-query.js';
import type { Actor, TrailRecord } from '../../src/core/trail-record.js';

let counter = 0;

export function anActor(overrides: Partial<Actor> = {}): Actor {
  return {
    display: 'alice',
    type: 'IAMUser',
    arn: 'arn:aws:iam::123456789012:user/alice',
    session: null,
    via: null,
    ...overrides,
  };
}

export function aRecord(overrides: Partial<TrailRecord> = {}): TrailRecord {
  counter += 1;
  return {
    eventId: `00000000-0000-0000-0000-${String(counter).padStart(12, '0')}`,
    eventTime: '2023-07-10T12:00:00Z',
    eventName: 'DescribeInstances',
    eventSource: 'ec2.amazonaws.com',
    region: 'us-east-1',
    accountId: '123456789012',
    actor: anActor(),
    sourceIp: '198.51.100.7',
    userAgent: 'aws-cli/2.13.5 Python/3.11.4',
    client: { kind: 'cli', display: 'aws-cli 2.13.5' },
    accessKeyId: 'AKIAEXAMPLE',
    readOnly: true,
    errorCode: null,
    errorMessage: null,
    mfa: null,
    resources: [],
    transitions: [],
    change: null,
    ...overrides,
  };
}

export function aQuery(
  overrides: Partial<Omit<TrailQuery, 'filters'>> & { filters?: Partial<QueryFilters> } = {},
): TrailQuery {
  const { filters, ...rest } = overrides;
  return {
    text: 'errors',
    verb: 'errors',
    window: { kind: 'default' },
    regions: null,
    account: null,
    access: null,
    limit: null,
    public: false,
    ...rest,
    filters: { ...NO_FILTERS, ...filters },
  };
}
