import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import {
  CONFIG_VARIABLES,
  type Config,
  ConfigError,
  DEFAULT_SLACK_API_URL,
  loadAccounts,
  loadConfig,
  type ReadFile,
} from '../src/config.js';
import { TrailbotError } from '../src/core/errors.js';
import { packRule } from '../src/core/rules/cis-pack.js';

const BOT = 'xoxb-1111111111-2222222222-SeCrEtBoTtOkEnVaLuE';
const SECRET = '8f14e45fceea167a5a36dedd4bea2543';
const APP = 'xapp-1-A0123ABCD-3333333333-SeCrEtApPtOkEnVaLuE';

function noFile(): never {
  throw new Error('readFile called although TRAILBOT_CONFIG is not set');
}

/** A readFile over an in-memory folder; a missing path fails like fs does. */
function files(contents: Record<string, string>): ReadFile {
  return (path) => {
    const text = contents[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return text;
  };
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

function problemsOf(env: NodeJS.ProcessEnv, readFile: ReadFile = noFile): string[] {
  return configError(() => loadConfig(env, readFile)).problems.map((p) => `${p.where}: ${p.message}`);
}

function problemsFromDisk(env: NodeJS.ProcessEnv): string[] {
  return configError(() => loadConfig(env)).problems.map((p) => `${p.where}: ${p.message}`);
}

function withFile(yaml: string, env: NodeJS.ProcessEnv = {}): Config {
  return loadConfig({ TRAILBOT_CONFIG: 'trailbot.yml', ...env }, files({ 'trailbot.yml': yaml }));
}

function fileProblems(yaml: string): string[] {
  return problemsOf({ TRAILBOT_CONFIG: 'trailbot.yml' }, files({ 'trailbot.yml': yaml }));
}

describe('defaults', () => {
  test('an empty environment: local mode and every default', () => {
    expect(loadConfig({}, noFile)).toEqual({
      slack: { mode: 'none', apiUrl: 'https://slack.com/api/' },
      port: 3000,
      host: null,
      regions: [],
      regionsFrom: 'none',
      awsRegion: null,
      store: 'sqlite:./trailbot.db',
      storeGiven: false,
      outboxTakeoverMs: 60_000,
      configFile: null,
      access: { channels: null, users: null, userGroups: null, refusal: null },
      logLevel: 'info',
      alerts: {
        channel: null,
        snsTopics: [],
        certUrlPattern: null,
        routes: [],
        accountAliases: {},
        groupingWindowMs: 15 * 60_000,
      },
      enrichment: { enabled: true, filters: [], describeMetricFilters: true, deliveryDelayMs: 15 * 60_000 },
      accounts: [],
      athena: null,
    });
  });

  test('empty and blank values count as unset', () => {
    const env = Object.fromEntries(CONFIG_VARIABLES.map((name) => [name, name === 'PORT' ? '' : '  ']));
    expect(loadConfig(env, noFile)).toEqual(loadConfig({}, noFile));
  });

  test('HOST: unset (local mode picks loopback), an address, or a problem naming it', () => {
    expect(loadConfig({}).host).toBeNull();
    expect(loadConfig({ HOST: ' 0.0.0.0 ' }).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '::1' }).host).toBe('::1');
    const error = configError(() => loadConfig({ HOST: 'two words' }));
    expect(error.problems).toEqual([{ where: 'HOST', message: expect.stringContaining('0.0.0.0') }]);
  });

  test('local mode is what no Slack credentials at all means; the store says whether it was chosen', () => {
    expect(loadConfig({}).slack.mode).toBe('none');
    expect(loadConfig({}).storeGiven).toBe(false);
    expect(loadConfig({ TRAILBOT_STORE: 'sqlite:./x.db' }).storeGiven).toBe(true);
  });

  test('values are trimmed', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: ` ${BOT}\n`, SLACK_SIGNING_SECRET: `${SECRET} `, PORT: ' 8080 ' });
    expect(config.slack).toMatchObject({ mode: 'http', botToken: BOT, signingSecret: SECRET });
    expect(config.port).toBe(8080);
  });

  test('the environment object is not changed', () => {
    const env = { PORT: '8080', TRAILBOT_REGIONS: 'us-east-1' };
    loadConfig(env, noFile);
    expect(env).toEqual({ PORT: '8080', TRAILBOT_REGIONS: 'us-east-1' });
  });
});

describe('Slack mode', () => {
  test('bot token + signing secret: HTTP mode', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SECRET }).slack).toEqual({
      mode: 'http',
      botToken: BOT,
      signingSecret: SECRET,
      appToken: null,
      apiUrl: DEFAULT_SLACK_API_URL,
    });
  });

  test('bot token + app token: Socket Mode, signing secret optional', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP }).slack).toEqual({
      mode: 'socket',
      botToken: BOT,
      appToken: APP,
      signingSecret: null,
      apiUrl: DEFAULT_SLACK_API_URL,
    });
  });

  test('all three: Socket Mode (the app token selects it), the signing secret kept', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP, SLACK_SIGNING_SECRET: SECRET }).slack).toEqual({
      mode: 'socket',
      botToken: BOT,
      appToken: APP,
      signingSecret: SECRET,
      apiUrl: DEFAULT_SLACK_API_URL,
    });
  });

  test('no Slack variables: none (local mode), not an error', () => {
    expect(loadConfig({}).slack.mode).toBe('none');
  });

  test.each([
    [{ SLACK_BOT_TOKEN: BOT }, /^SLACK_BOT_TOKEN: set, but Slack needs a second credential: SLACK_SIGNING_SECRET/],
    [{ SLACK_SIGNING_SECRET: SECRET }, /^SLACK_BOT_TOKEN: missing, but SLACK_SIGNING_SECRET is set/],
    [{ SLACK_APP_TOKEN: APP }, /^SLACK_BOT_TOKEN: missing, but SLACK_APP_TOKEN is set/],
    [
      { SLACK_APP_TOKEN: APP, SLACK_SIGNING_SECRET: SECRET },
      /^SLACK_BOT_TOKEN: missing, but SLACK_SIGNING_SECRET and SLACK_APP_TOKEN are set/,
    ],
  ])('half a set of credentials is an error: %p', (env, expected) => {
    expect(problemsOf(env)).toEqual([expect.stringMatching(expected)]);
  });

  test.each([
    [
      'SLACK_BOT_TOKEN',
      { SLACK_BOT_TOKEN: APP, SLACK_SIGNING_SECRET: SECRET },
      /holds an app-level token \(xapp-…\); move it/,
    ],
    [
      'SLACK_BOT_TOKEN',
      { SLACK_BOT_TOKEN: 'xoxp-123-SeCrEtUsErToKeN', SLACK_SIGNING_SECRET: SECRET },
      /holds a user token \(xoxp-…\)/,
    ],
    ['SLACK_BOT_TOKEN', { SLACK_BOT_TOKEN: 'SeCrEtNoPrEfIx', SLACK_SIGNING_SECRET: SECRET }, /is not a bot token/],
    ['SLACK_BOT_TOKEN', { SLACK_BOT_TOKEN: 'xoxb-SeCrEt part2', SLACK_SIGNING_SECRET: SECRET }, /contains spaces/],
    ['SLACK_APP_TOKEN', { SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: BOT }, /holds a bot token \(xoxb-…\)/],
    ['SLACK_APP_TOKEN', { SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: 'SeCrEtNoPrEfIx' }, /is not an app-level token/],
    ['SLACK_SIGNING_SECRET', { SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: '8f14e45f SeCrEt' }, /contains spaces/],
  ])('%s of the wrong kind says which token belongs there', (variable, env, expected) => {
    const problems = problemsOf(env);
    expect(problems).toContainEqual(expect.stringMatching(new RegExp(`^${variable}: ${expected.source}`)));
  });

  test.each([
    ['http://127.0.0.1:4000/api', 'http://127.0.0.1:4000/api/'],
    ['http://127.0.0.1:4000/api/', 'http://127.0.0.1:4000/api/'],
    ['https://slack-gov.com/api', 'https://slack-gov.com/api/'],
    ['http://localhost:9000', 'http://localhost:9000/'],
  ])('SLACK_API_URL %s → %s', (value, expected) => {
    expect(loadConfig({ SLACK_API_URL: value }).slack.apiUrl).toBe(expected);
  });

  test.each([
    ['ftp://slack.example/api/', /^SLACK_API_URL: "ftp:\/\/slack.example\/api\/" is not an http\(s\) URL/],
    ['slack.com/api', /^SLACK_API_URL: "slack.com\/api" is not a URL/],
    ['https://slack.com/api/?x=1', /has a \?query or #fragment/],
    ['https://user:SeCrEtPaSs@slack.example/api/', /^SLACK_API_URL: must not carry a user name or password/],
  ])('SLACK_API_URL %s is refused', (value, expected) => {
    const problems = problemsOf({ SLACK_API_URL: value });
    expect(problems).toEqual([expect.stringMatching(expected)]);
    expect(problems.join('\n')).not.toContain('SeCrEt');
  });
});

describe('secrets never appear in a message', () => {
  const secretEnvs: NodeJS.ProcessEnv[] = [
    { SLACK_BOT_TOKEN: BOT },
    { SLACK_SIGNING_SECRET: SECRET },
    { SLACK_APP_TOKEN: APP },
    { SLACK_BOT_TOKEN: APP, SLACK_APP_TOKEN: BOT, SLACK_SIGNING_SECRET: `${SECRET} x` },
    { SLACK_BOT_TOKEN: 'SeCrEtNoPrEfIx', SLACK_APP_TOKEN: 'xapp SeCrEt with spaces' },
    { SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SECRET, PORT: 'nope' },
    { SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP, TRAILBOT_CONFIG: 'missing.yml' },
  ];
  test.each(secretEnvs)('%#', (env) => {
    const error = configError(() => loadConfig(env, files({})));
    const everything = [error.message, error.stack ?? '', JSON.stringify(error.problems)].join('\n');
    for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN'] as const) {
      const value = env[name];
      if (value === undefined) continue;
      expect(everything).not.toContain(value);
      expect(everything).not.toContain(value.trim().slice(-12));
    }
    expect(everything).not.toMatch(/SeCrEt/);
  });
});

describe('alerts', () => {
  const TOPIC = 'arn:aws:sns:us-east-1:123456789012:trailbot-alarms';

  test('the alert channel, the SNS topics and the test-rig certificate pattern', () => {
    const { alerts } = loadConfig({
      TRAILBOT_ALERT_CHANNEL: 'C0ALERTS',
      TRAILBOT_SNS_TOPICS: ` ${TOPIC} , arn:aws:sns:eu-west-1:123456789012:sec-* `,
      TRAILBOT_SNS_CERT_URL_PATTERN: '^http://127\\.0\\.0\\.1:\\d+/.*\\.pem$',
    });
    expect(alerts.channel).toBe('C0ALERTS');
    expect(alerts.snsTopics).toEqual([TOPIC, 'arn:aws:sns:eu-west-1:123456789012:sec-*']);
    expect(alerts.certUrlPattern?.test('http://127.0.0.1:4000/x.pem')).toBe(true);
  });

  test('a channel name, a topic that is not an ARN and a broken pattern are each one problem', () => {
    expect(
      problemsOf({
        TRAILBOT_ALERT_CHANNEL: '#alerts',
        TRAILBOT_SNS_TOPICS: `${TOPIC},alarms`,
        TRAILBOT_SNS_CERT_URL_PATTERN: '(',
      }),
    ).toEqual([
      expect.stringMatching(/^TRAILBOT_ALERT_CHANNEL: "#alerts" is not a channel ID/),
      expect.stringMatching(/^TRAILBOT_SNS_TOPICS: "alarms" is not a topic ARN/),
      expect.stringMatching(/^TRAILBOT_SNS_CERT_URL_PATTERN: "\(" is not a regular expression/),
    ]);
  });

  test('routes, account aliases and the grouping window come from TRAILBOT_CONFIG', () => {
    const yaml = [
      'alerts:',
      '  routes:',
      '    - { channel: C0SEC, severity: high }',
      '    - { channel: C0PROD, account: "123456789012", alarmName: "prod-*" }',
      '  accountAliases: { "123456789012": prod }',
      '  groupingWindowMinutes: 5',
    ].join('\n');
    const { alerts } = loadConfig({ TRAILBOT_CONFIG: 'trailbot.yml' }, () => yaml);
    expect(alerts.routes).toEqual([
      { channel: 'C0SEC', severity: 'high' },
      { channel: 'C0PROD', account: '123456789012', alarmName: 'prod-*' },
    ]);
    expect(alerts.accountAliases).toEqual({ '123456789012': 'prod' });
    expect(alerts.groupingWindowMs).toBe(5 * 60_000);
  });

  test('a route without a channel ID, a bad severity, an alias for a non-account and an unknown route key are named', () => {
    const yaml = [
      'alerts:',
      '  routes:',
      '    - { channel: "#sec", severity: urgent, alarm: x }',
      '  accountAliases: { prod: "123456789012" }',
    ].join('\n');
    const problems = problemsOf({ TRAILBOT_CONFIG: 'trailbot.yml' }, () => yaml);
    expect(problems.join('\n')).toMatch(/alerts\.routes\[0\]\.channel/);
    expect(problems.join('\n')).toMatch(/alerts\.routes\[0\]\.severity/);
    expect(problems.join('\n')).toMatch(/alerts\.routes\[0\]\.alarm: unknown key; the keys here are channel, topic/);
    expect(problems.join('\n')).toMatch(/severity: "urgent" is not one of info, low, medium, high, critical/);
    expect(problems.join('\n')).toMatch(
      /alerts\.accountAliases\.prod: the key "prod" is not allowed here; expected a mapping of 12-digit/,
    );
  });

  test('a wildcard may widen a topic name only, within one account and region', () => {
    expect(problemsOf({ TRAILBOT_SNS_TOPICS: 'arn:aws:sns:*:123456789012:alarms' })).toHaveLength(1);
  });
});

describe('enrichment', () => {
  test('filters by alarm or metric, a pattern or a CIS rule; DescribeMetricFilters off; a delivery delay', () => {
    const yaml = [
      'enrichment:',
      '  describeMetricFilters: false',
      '  deliveryDelayMinutes: 20',
      '  filters:',
      '    - { alarm: SecurityGroupChanges, pattern: "cis:CloudWatch.10" }',
      `    - { metric: CloudTrailMetrics/RootAccountUsageCount, pattern: '{ $.userIdentity.type = "Root" }' }`,
      '    - { alarm: prod-denied, metric: AuthorizationFailureCount, pattern: "cis:cloudwatch.2" }',
    ].join('\n');
    const { enrichment } = withFile(yaml);
    expect(enrichment).toEqual({
      enabled: true,
      describeMetricFilters: false,
      deliveryDelayMs: 20 * 60_000,
      filters: [
        {
          alarm: 'SecurityGroupChanges',
          metric: null,
          pattern: packRule('CloudWatch.10')?.pattern,
          rule: 'CloudWatch.10',
        },
        {
          alarm: null,
          metric: 'CloudTrailMetrics/RootAccountUsageCount',
          pattern: '{ $.userIdentity.type = "Root" }',
          rule: null,
        },
        {
          alarm: 'prod-denied',
          metric: 'AuthorizationFailureCount',
          pattern: packRule('CloudWatch.2')?.pattern,
          rule: 'CloudWatch.2',
        },
      ],
    });
    expect(withFile('enrichment:\n  enabled: false\n').enrichment.enabled).toBe(false);
  });

  test('a pattern that does not parse is an error naming the alarm and the fault', () => {
    const problems = fileProblems(
      ['enrichment:', '  filters:', `    - { alarm: SecurityGroupChanges, pattern: '{ $.eventName = ' }`].join('\n'),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^TRAILBOT_CONFIG \(trailbot\.yml\) enrichment\.filters\[0\]\.pattern: the filter pattern for alarm "SecurityGroupChanges" cannot be read: .+ \(at character \d+\)$/,
      ),
    ]);
  });

  test('an unknown CIS rule, an entry for nothing, a bad delay and an unknown key are each named', () => {
    const problems = fileProblems(
      [
        'enrichment:',
        '  deliveryDelayMinutes: -1',
        '  describeMetricFilter: true',
        '  filters:',
        '    - { metric: SecurityGroupEventCount, pattern: "cis:CloudWatch.99" }',
        '    - { pattern: "{ $.eventName = X }" }',
      ].join('\n'),
    );
    expect(problems.join('\n')).toMatch(
      /enrichment\.describeMetricFilter: unknown key; did you mean describeMetricFilters\?/,
    );
    expect(problems.join('\n')).toMatch(/enrichment\.deliveryDelayMinutes/);
    // The file's shape is checked first; the entries once it is right.
    const entries = fileProblems(
      [
        'enrichment:',
        '  filters:',
        '    - { metric: SecurityGroupEventCount, pattern: "cis:CloudWatch.99" }',
        '    - { pattern: "{ $.eventName = X }" }',
      ].join('\n'),
    );
    expect(entries).toEqual([
      expect.stringMatching(
        /enrichment\.filters\[0\]\.pattern: "cis:CloudWatch\.99" \(for metric "SecurityGroupEventCount"\) is not a CIS pack rule; use one of cis:CloudWatch\.1, /,
      ),
      'TRAILBOT_CONFIG (trailbot.yml) enrichment.filters[1]: names neither an alarm nor a metric; add alarm: <alarm name> or metric: <Namespace/MetricName>',
    ]);
  });
});

describe('athena', () => {
  test('the table and its optional settings', () => {
    expect(withFile('athena: { table: cloudtrail.org_trail }').athena).toEqual({ table: 'cloudtrail.org_trail' });
    expect(
      withFile(
        [
          'athena:',
          '  table: cloudtrail.org_trail',
          '  workgroup: trailbot',
          '  output: s3://my-athena-results/trailbot/',
          '  catalog: AwsDataCatalog',
          '  region: us-east-1',
        ].join('\n'),
      ).athena,
    ).toEqual({
      table: 'cloudtrail.org_trail',
      workgroup: 'trailbot',
      output: 's3://my-athena-results/trailbot/',
      catalog: 'AwsDataCatalog',
      region: 'us-east-1',
    });
  });

  test('a table without its database, a bad output and an unknown key are each named', () => {
    const problems = fileProblems('athena: { table: "org_trail; DROP", output: "https://bucket", worgroup: x }');
    expect(problems.join('\n')).toMatch(/athena\.table: .*DATABASE\.TABLE/);
    expect(problems.join('\n')).toMatch(/athena\.output: .*s3:\/\//);
    expect(problems.join('\n')).toMatch(/worgroup/);
  });
});

describe('accounts', () => {
  test('ids, aliases, regions and external ids; roleArn defaults to the accountsRoleName in the account', () => {
    const config = withFile(
      [
        'accountsRoleName: TrailbotAudit',
        'accounts:',
        '  - { id: "111111111111", alias: prod }',
        '  - id: "222222222222"',
        '    alias: dev',
        '    roleArn: arn:aws:iam::222222222222:role/ops/ReadTrail',
        '    regions: [eu-west-1, eu-west-1, us-east-1]',
        '    externalId: trailbot-7f3a',
        '  - id: 333333333333',
      ].join('\n'),
    );
    expect(config.accounts).toEqual([
      {
        id: '111111111111',
        alias: 'prod',
        roleArn: 'arn:aws:iam::111111111111:role/TrailbotAudit',
        regions: null,
        externalId: null,
      },
      {
        id: '222222222222',
        alias: 'dev',
        roleArn: 'arn:aws:iam::222222222222:role/ops/ReadTrail',
        regions: ['eu-west-1', 'us-east-1'],
        externalId: 'trailbot-7f3a',
      },
      {
        id: '333333333333',
        alias: null,
        roleArn: 'arn:aws:iam::333333333333:role/TrailbotAudit',
        regions: null,
        externalId: null,
      },
    ]);
    expect(withFile('accounts: [{ id: "111111111111" }]').accounts[0]?.roleArn).toBe(
      'arn:aws:iam::111111111111:role/TrailbotReadOnly',
    );
  });

  test('an account’s alias labels its alert cards too; alerts.accountAliases wins', () => {
    const config = withFile(
      [
        'accounts:',
        '  - { id: "111111111111", alias: prod }',
        '  - { id: "222222222222", alias: dev }',
        'alerts:',
        '  accountAliases: { "222222222222": development, "444444444444": legacy }',
      ].join('\n'),
    );
    expect(config.alerts.accountAliases).toEqual({
      '111111111111': 'prod',
      '222222222222': 'development',
      '444444444444': 'legacy',
    });
  });

  test('duplicate ids and aliases (case does not count), short ids, foreign roles and bad aliases are each named', () => {
    expect(
      fileProblems(
        [
          'accounts:',
          '  - { id: "111111111111", alias: Prod }',
          '  - { id: "111111111111", alias: other }',
          '  - { id: "222222222222", alias: prod }',
          '  - { id: 012345678901 }',
          '  - { id: "12345" }',
          '  - { id: "333333333333", roleArn: "arn:aws:iam::444444444444:role/TrailbotReadOnly" }',
        ].join('\n'),
      ),
    ).toEqual([
      'TRAILBOT_CONFIG (trailbot.yml) accounts[1].id: 111111111111 is listed already (accounts[0]); list each account once',
      'TRAILBOT_CONFIG (trailbot.yml) accounts[2].alias: "prod" is the alias of accounts[0] already; aliases must be unique (case does not count)',
      'TRAILBOT_CONFIG (trailbot.yml) accounts[3].id: 12345678901 has 11 digits: YAML read the id as a number and dropped its leading zeros; write it in quotes, e.g. id: "012345678901"',
      'TRAILBOT_CONFIG (trailbot.yml) accounts[4].id: "12345" is not a 12-digit account id; write it in quotes, e.g. id: "123456789012"',
      'TRAILBOT_CONFIG (trailbot.yml) accounts[5].roleArn: names a role in account 444444444444, not in 333333333333: LookupEvents reads the account the role is in; use a role in 333333333333',
    ]);
    expect(
      fileProblems(
        'accounts:\n  - { id: "111111111111", alias: "123", role_arn: x }\n  - { id: "222222222222", roleArn: TrailbotReadOnly }\naccountsRoleName: "arn:aws:iam::1:role/x"\n',
      ),
    ).toEqual([
      'TRAILBOT_CONFIG (trailbot.yml) accounts[0].alias: "123" is not an alias (letters, digits, dots, dashes, underscores; not digits alone), e.g. prod; it is what `account <alias>` is typed with',
      'TRAILBOT_CONFIG (trailbot.yml) accounts[0].role_arn: unknown key; did you mean roleArn? the keys here are id, alias, roleArn, regions, externalId',
      'TRAILBOT_CONFIG (trailbot.yml) accounts[1].roleArn: "TrailbotReadOnly" is not an IAM role ARN (like arn:aws:iam::123456789012:role/TrailbotReadOnly); or leave it out for arn:aws:iam::<id>:role/<accountsRoleName>',
      'TRAILBOT_CONFIG (trailbot.yml) accountsRoleName: "arn:aws:iam::1:role/x" is not a role name (like TrailbotReadOnly, the default); the name only, not an ARN',
    ]);
    expect(fileProblems('accounts: []')).toEqual([
      'TRAILBOT_CONFIG (trailbot.yml) accounts: is an empty list; list at least one account or remove the key',
    ]);
  });

  test('loadAccounts: the map alone, for the terminal; none without TRAILBOT_CONFIG; the file’s problems thrown', () => {
    const read = files({
      'a.yml': 'accounts: [{ id: "111111111111", alias: prod }]',
      'b.yml': 'accounts: [{ id: 1 }]',
    });
    expect(loadAccounts({}, noFile)).toEqual([]);
    // Slack settings half set do not matter to the terminal.
    expect(loadAccounts({ TRAILBOT_CONFIG: 'a.yml', SLACK_BOT_TOKEN: 'nope' }, read)).toEqual([
      {
        id: '111111111111',
        alias: 'prod',
        roleArn: 'arn:aws:iam::111111111111:role/TrailbotReadOnly',
        regions: null,
        externalId: null,
      },
    ]);
    expect(configError(() => loadAccounts({ TRAILBOT_CONFIG: 'b.yml' }, read)).problems).toHaveLength(1);
  });
});

describe('PORT', () => {
  test.each([
    ['0', 0],
    ['1', 1],
    ['80', 80],
    ['8080', 8080],
    ['65535', 65535],
  ])('%s', (value, expected) => {
    expect(loadConfig({ PORT: value }).port).toBe(expected);
  });

  test.each(['65536', '-1', '1.5', '80a', 'http', '0x50', '1e3', '999999'])('%s is refused', (value) => {
    expect(problemsOf({ PORT: value })).toEqual([
      `PORT: "${value}" is not a port; set a whole number from 0 (any free port) to 65535 (default 3000)`,
    ]);
  });
});

describe('TRAILBOT_OUTBOX_TAKEOVER_MS', () => {
  test.each([
    ['1000', 1000],
    [' 3000 ', 3000],
    ['60000', 60_000],
    ['3600000', 3_600_000],
  ])('%s', (value, expected) => {
    expect(loadConfig({ TRAILBOT_OUTBOX_TAKEOVER_MS: value }).outboxTakeoverMs).toBe(expected);
  });

  test.each(['999', '0', '-1', '1.5', '60s', '3600001', '1e4'])('%s is refused', (value) => {
    expect(problemsOf({ TRAILBOT_OUTBOX_TAKEOVER_MS: value })).toEqual([
      `TRAILBOT_OUTBOX_TAKEOVER_MS: "${value}" is not a takeover time; set a whole number of milliseconds from 1000 to 3600000 (default 60000)`,
    ]);
  });
});

describe('regions', () => {
  test('TRAILBOT_REGIONS: comma list, spaces and empty items ignored, lower-cased, duplicates dropped', () => {
    const config = loadConfig({ TRAILBOT_REGIONS: ' us-east-1, AP-NORTHEAST-1 ,,us-east-1,us-gov-west-1,' });
    expect(config.regions).toEqual(['us-east-1', 'ap-northeast-1', 'us-gov-west-1']);
    expect(config.regionsFrom).toBe('TRAILBOT_REGIONS');
  });

  test('every bad region is named in one line', () => {
    expect(problemsOf({ TRAILBOT_REGIONS: 'us-east-1,tokyo,eu_west_1' })).toEqual([
      'TRAILBOT_REGIONS: "tokyo", "eu_west_1" are not region names; set a comma-separated list such as us-east-1,ap-northeast-1',
    ]);
    expect(problemsOf({ TRAILBOT_REGIONS: 'us-east' })).toEqual([
      expect.stringMatching(/^TRAILBOT_REGIONS: "us-east" is not a region name/),
    ]);
  });

  test('a list with no region is an error', () => {
    expect(problemsOf({ TRAILBOT_REGIONS: ' , ,' })).toEqual([
      expect.stringMatching(/^TRAILBOT_REGIONS: lists no region/),
    ]);
  });

  test('AWS_REGION is the fallback', () => {
    const config = loadConfig({ AWS_REGION: 'eu-central-1' });
    expect(config.regions).toEqual(['eu-central-1']);
    expect(config.regionsFrom).toBe('AWS_REGION');
    expect(config.awsRegion).toBe('eu-central-1');
  });

  test('AWS_REGION must be a region name as the SDK expects it', () => {
    expect(problemsOf({ AWS_REGION: 'Tokyo' })).toEqual([
      'AWS_REGION: "Tokyo" is not a region name; set one such as us-east-1 (lower case)',
    ]);
    expect(problemsOf({ AWS_REGION: 'US-EAST-1' })).toHaveLength(1);
  });

  test('TRAILBOT_REGIONS wins over the file, the file over AWS_REGION', () => {
    const yaml = 'regions: [eu-west-1, eu-west-2]\n';
    expect(withFile(yaml, { TRAILBOT_REGIONS: 'us-west-2', AWS_REGION: 'us-east-1' })).toMatchObject({
      regions: ['us-west-2'],
      regionsFrom: 'TRAILBOT_REGIONS',
      awsRegion: 'us-east-1',
    });
    expect(withFile(yaml, { AWS_REGION: 'us-east-1' })).toMatchObject({
      regions: ['eu-west-1', 'eu-west-2'],
      regionsFrom: 'TRAILBOT_CONFIG',
    });
  });
});

describe('TRAILBOT_STORE', () => {
  test.each(['sqlite:./trailbot.db', 'sqlite:/var/lib/trailbot/state.db', 'sqlite::memory:'])('%s is kept', (spec) => {
    expect(loadConfig({ TRAILBOT_STORE: spec }).store).toBe(spec);
  });

  test('a postgres:// URL is a valid form (openStore says it arrives later)', () => {
    expect(loadConfig({ TRAILBOT_STORE: 'postgres://u:pw@db/trailbot' }).store).toBe('postgres://u:pw@db/trailbot');
  });

  test.each([
    ['mysql://u:SeCrEtPw@h/d', /unknown store kind "mysql"; use sqlite:PATH/],
    ['postgress://u:SeCrEtPw@h/d', /unknown store kind "postgress"/],
    ['./trailbot.db', /not a store spec/],
    ['sqlite:', /sqlite: needs a path/],
  ])('%s is refused, without repeating a password', (spec, expected) => {
    const problems = problemsOf({ TRAILBOT_STORE: spec });
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^TRAILBOT_STORE: ${expected.source}`))]);
    expect(problems.join('\n')).not.toContain('SeCrEt');
  });
});

describe('LOG_LEVEL', () => {
  test.each([
    ['debug', 'debug'],
    ['WARN', 'warn'],
    ['silent', 'silent'],
  ])('%s', (value, expected) => {
    expect(loadConfig({ LOG_LEVEL: value }).logLevel).toBe(expected);
  });

  test('an unknown level lists the known ones', () => {
    expect(problemsOf({ LOG_LEVEL: 'verbose' })).toEqual([
      'LOG_LEVEL: "verbose" is not a log level; set one of fatal, error, warn, info, debug, trace, silent (default info)',
    ]);
  });
});

describe('TRAILBOT_CONFIG', () => {
  test('the file read is the one named, and sets the access policy', () => {
    const read: string[] = [];
    const config = loadConfig({ TRAILBOT_CONFIG: '/etc/trailbot.yml' }, (path) => {
      read.push(path);
      return [
        'access:',
        '  channels: [C0OPS, G0PRIVATE]',
        '  users: [U0ALICE, W0ENTERPRISE]',
        '  userGroups: [S0SEC]',
        'refusal: "  Ask in <#C0OPS>.  "',
      ].join('\n');
    });
    expect(read).toEqual(['/etc/trailbot.yml']);
    expect(config.configFile).toBe('/etc/trailbot.yml');
    expect(config.access).toEqual({
      channels: ['C0OPS', 'G0PRIVATE'],
      users: ['U0ALICE', 'W0ENTERPRISE'],
      userGroups: ['S0SEC'],
      refusal: 'Ask in <#C0OPS>.',
    });
  });

  test('an absent list sets no restriction (null), each list on its own', () => {
    expect(withFile('access:\n  users: [U0ALICE]\n').access).toEqual({
      channels: null,
      users: ['U0ALICE'],
      userGroups: null,
      refusal: null,
    });
  });

  test('an empty file, or one with only comments, sets nothing', () => {
    const open = { channels: null, users: null, userGroups: null, refusal: null };
    expect(withFile('').access).toEqual(open);
    expect(withFile('# nothing yet\n').access).toEqual(open);
  });

  test('the default reader reads the file from disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trailbot-config-'));
    try {
      const path = join(dir, 'trailbot.yml');
      writeFileSync(path, 'access:\n  channels: [C0OPS]\n');
      expect(loadConfig({ TRAILBOT_CONFIG: path }).access.channels).toEqual(['C0OPS']);
      expect(problemsFromDisk({ TRAILBOT_CONFIG: join(dir, 'nope.yml') })).toEqual([
        expect.stringMatching(/^TRAILBOT_CONFIG: cannot read .*nope\.yml \(no such file\); set it to a YAML file/),
      ]);
      expect(problemsFromDisk({ TRAILBOT_CONFIG: dir })).toEqual([expect.stringMatching(/\(a folder, not a file\)/)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('unknown keys are errors naming the key path, with a likely meaning', () => {
    expect(fileProblems('acess: {}\naccess:\n  channel: [C0OPS]\n  user_groups: [S0SEC]\n  admins: [U0]\n')).toEqual([
      'TRAILBOT_CONFIG (trailbot.yml) access.channel: unknown key; did you mean channels? the keys here are channels, users, userGroups',
      'TRAILBOT_CONFIG (trailbot.yml) access.user_groups: unknown key; did you mean userGroups? the keys here are channels, users, userGroups',
      'TRAILBOT_CONFIG (trailbot.yml) access.admins: unknown key; the keys here are channels, users, userGroups',
      'TRAILBOT_CONFIG (trailbot.yml) acess: unknown key; did you mean access? the keys here are access, regions, refusal, alerts, enrichment, accounts, accountsRoleName, athena',
    ]);
  });

  test('names instead of IDs: each bad item named by its index, with how to find the ID', () => {
    const problems = fileProblems(
      'access:\n  channels: [C0OPS, "#sec-ops"]\n  users: ["@alice", U0BOB]\n  userGroups: [security-team]\n',
    );
    expect(problems).toEqual([
      `TRAILBOT_CONFIG (trailbot.yml) access.channels[1]: "#sec-ops" is not a channel ID (like C0123ABCD); copy the ID from the bottom of the channel's details, not its #name`,
      'TRAILBOT_CONFIG (trailbot.yml) access.users[0]: "@alice" is not a member ID (like U0123ABCD or W0123ABCD); use Copy member ID in the person’s profile, not the @name',
      'TRAILBOT_CONFIG (trailbot.yml) access.userGroups[0]: "security-team" is not a user group ID (like S0123ABCD); use the group’s ID (usergroups.list shows it), not its @handle',
    ]);
  });

  test('IDs of the wrong kind are refused (a user ID among channels, a channel among groups)', () => {
    expect(fileProblems('access:\n  channels: [U0ALICE]\n  userGroups: [C0OPS]\n')).toEqual([
      expect.stringMatching(/access\.channels\[0\]: "U0ALICE" is not a channel ID/),
      expect.stringMatching(/access\.userGroups\[0\]: "C0OPS" is not a user group ID/),
    ]);
  });

  test('wrong types and empty lists say what the key holds', () => {
    expect(fileProblems('access:\n  channels: C0OPS\n  users: []\nregions: [us-east-1, 3]\nrefusal: ""\n')).toEqual([
      'TRAILBOT_CONFIG (trailbot.yml) access.channels: expected a list of channel IDs, e.g. [C0123ABCD], found the text "C0OPS"',
      'TRAILBOT_CONFIG (trailbot.yml) access.users: is an empty list; list at least one member ID or remove the key',
      'TRAILBOT_CONFIG (trailbot.yml) regions[1]: expected a region name (like us-east-1), found the number 3',
      'TRAILBOT_CONFIG (trailbot.yml) refusal: is empty; write the text or remove the key',
    ]);
  });

  test('an empty `access:` or list key is refused, not read as "no restriction"', () => {
    expect(fileProblems('access:\n')).toEqual([
      'TRAILBOT_CONFIG (trailbot.yml) access: expected a mapping with channels, users and/or userGroups, found nothing',
    ]);
    expect(fileProblems('access:\n  channels:\n')).toEqual([
      expect.stringMatching(/access\.channels: expected a list of channel IDs.*found nothing$/),
    ]);
  });

  test('regions in the file are checked like TRAILBOT_REGIONS', () => {
    expect(fileProblems('regions: [us-east-1, Tokyo]\n')).toEqual([
      'TRAILBOT_CONFIG (trailbot.yml) regions[1]: "Tokyo" is not a region name (like us-east-1); write it in lower case, as AWS does',
    ]);
  });

  test('a refusal over 1000 characters is refused', () => {
    expect(fileProblems(`refusal: "${'x'.repeat(1001)}"\n`)).toEqual([
      'TRAILBOT_CONFIG (trailbot.yml) refusal: is longer than 1000 characters; shorten it',
    ]);
  });

  test('not a mapping at the top', () => {
    expect(fileProblems('- C0OPS\n')).toEqual([
      'TRAILBOT_CONFIG (trailbot.yml): expected a mapping with access, regions, refusal, alerts, enrichment, accounts and/or athena, found a list',
    ]);
  });

  test('invalid YAML: each error with its line and column', () => {
    expect(fileProblems('access:\n  channels: [C0OPS\nregions: [us-east-1]\nregions: [us-west-2]\n')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^TRAILBOT_CONFIG \(trailbot\.yml\) line \d+, column \d+: invalid YAML: /),
      ]),
    );
    expect(fileProblems('a: 1\na: 2\n')).toEqual([
      'TRAILBOT_CONFIG (trailbot.yml) line 2, column 1: invalid YAML: Map keys must be unique',
    ]);
  });

  test('an unreadable file is one problem among the others', () => {
    expect(problemsOf({ TRAILBOT_CONFIG: 'gone.yml', PORT: '65536' }, files({}))).toEqual([
      expect.stringMatching(/^PORT: /),
      'TRAILBOT_CONFIG: cannot read gone.yml (no such file); set it to a YAML file such as config.example.yml',
    ]);
  });
});

describe('every problem at once', () => {
  const env = {
    SLACK_BOT_TOKEN: APP,
    SLACK_API_URL: 'ftp://x',
    PORT: '70000',
    TRAILBOT_REGIONS: 'mars-1',
    AWS_REGION: 'moon',
    TRAILBOT_STORE: 'redis://h',
    TRAILBOT_CONFIG: 'trailbot.yml',
    LOG_LEVEL: 'loud',
  };
  const yaml = 'access:\n  channels: ["#ops"]\n  typo: 1\nregions: []\n';

  test('one ConfigError lists each bad variable and key, one a line', () => {
    const error = configError(() => loadConfig(env, files({ 'trailbot.yml': yaml })));
    expect(error).toBeInstanceOf(TrailbotError);
    expect(error.code).toBe('config');
    expect(error.fault).toBe('user');
    expect(error.name).toBe('ConfigError');
    const wheres = error.problems.map((p) => p.where);
    expect(wheres).toEqual([
      'SLACK_API_URL',
      'SLACK_BOT_TOKEN',
      'SLACK_BOT_TOKEN',
      'PORT',
      'TRAILBOT_REGIONS',
      'AWS_REGION',
      'TRAILBOT_STORE',
      'TRAILBOT_CONFIG (trailbot.yml) access.channels[0]',
      'TRAILBOT_CONFIG (trailbot.yml) access.typo',
      'TRAILBOT_CONFIG (trailbot.yml) regions',
      'LOG_LEVEL',
    ]);
    const lines = error.message.split('\n');
    expect(lines[0]).toBe("Trailbot's configuration has 11 problems:");
    expect(lines.slice(1)).toEqual(error.problems.map((p) => `- ${p.where}: ${p.message}`));
    expect(error.message).not.toContain(APP);
  });

  test('one problem reads in the singular', () => {
    expect(configError(() => loadConfig({ PORT: 'x' })).message.split('\n')[0]).toBe(
      "Trailbot's configuration has 1 problem:",
    );
  });
});

describe('the result is frozen, all the way down', () => {
  const config = withFile('access:\n  channels: [C0OPS]\nregions: [us-east-1]\n', {
    SLACK_BOT_TOKEN: BOT,
    SLACK_SIGNING_SECRET: SECRET,
  });

  test('objects and lists', () => {
    for (const part of [config, config.slack, config.regions, config.access, config.access.channels]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
  });

  test('assignments throw (ES modules are strict)', () => {
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      (config.regions as string[]).push('eu-west-1');
    }).toThrow(TypeError);
    expect(() => {
      (config.access.channels as string[])[0] = 'C0EVIL';
    }).toThrow(TypeError);
  });

  test('the problems of a ConfigError are frozen too', () => {
    const error = configError(() => loadConfig({ PORT: 'x' }));
    expect(Object.isFrozen(error.problems)).toBe(true);
    expect(Object.isFrozen(error.problems[0])).toBe(true);
  });
});

describe('the example files', () => {
  const root = new URL('../', import.meta.url);

  test('.env.example documents every variable config.ts reads, each with a comment, and loads', () => {
    const lines = readFileSync(new URL('.env.example', root), 'utf8').split('\n');
    const names: string[] = [];
    const env: Record<string, string> = {};
    lines.forEach((line, i) => {
      const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
      if (match?.[1] === undefined) return;
      names.push(match[1]);
      env[match[1]] = match[2] ?? '';
      expect(lines[i - 1]).toMatch(/^# \S/);
    });
    expect([...names].sort()).toEqual([...CONFIG_VARIABLES].sort());
    expect(() => loadConfig(env, noFile)).not.toThrow();
  });

  test('config.example.yml is a valid TRAILBOT_CONFIG', () => {
    const path = new URL('config.example.yml', root).pathname;
    const config = loadConfig({ TRAILBOT_CONFIG: path });
    expect(config.access.channels?.length).toBeGreaterThan(0);
    expect(config.access.users?.length).toBeGreaterThan(0);
    expect(config.access.userGroups?.length).toBeGreaterThan(0);
    expect(config.access.refusal).toEqual(expect.any(String));
    expect(config.regions.length).toBeGreaterThan(0);
    expect(config.enrichment.filters.length).toBeGreaterThan(0);
  });
});

test('config.ts reads no process.env of its own', () => {
  const source = readFileSync(new URL('../src/config.ts', import.meta.url), 'utf8');
  expect(source).not.toMatch(/process\.env/);
});
