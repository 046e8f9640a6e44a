/** Routing: first matching rule wins, globs, severity "or worse", the default channel. */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import type { Alert } from '../../../src/core/alerts/alert.js';
import { parseAlert } from '../../../src/core/alerts/parse-alert.js';
import {
  type AlertFacts,
  type AlertRoute,
  alertFacts,
  globMatch,
  routeAlert,
  severityOf,
} from '../../../src/core/alerts/route-alert.js';

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:trailbot-alerts';

function fixture(name: string): Alert {
  const n = JSON.parse(readFileSync(new URL(`../../fixtures/sns/${name}.json`, import.meta.url), 'utf8')) as {
    Message: string;
    Subject?: string;
  };
  return parseAlert(n.Message, n.Subject ?? null);
}

function facts(overrides: Partial<AlertFacts> = {}): AlertFacts {
  return {
    topic: TOPIC,
    account: '111122223333',
    region: 'us-east-1',
    alarmName: null,
    eventName: null,
    severity: 'medium',
    ...overrides,
  };
}

const RULES: AlertRoute[] = [
  { channel: 'C_PAGER', severity: 'high' },
  { channel: 'C_EU', region: 'eu-*' },
  { channel: 'C_TRAIL', eventName: 'StopLogging' },
  { channel: 'C_DELETES', eventName: 'Delete*' },
  { channel: 'C_WEB', alarmName: 'web-*' },
  { channel: 'C_PROD', account: '123837392027' },
  { channel: 'C_OTHER_TOPIC', topic: 'arn:aws:sns:*:*:other-*' },
];

describe('routeAlert', () => {
  test.each<[string, Partial<AlertFacts>, string | null]>([
    ['nothing matches: the default', {}, 'C_DEFAULT'],
    ['critical is high or worse', { severity: 'critical' }, 'C_PAGER'],
    ['high', { severity: 'high' }, 'C_PAGER'],
    ['a region glob', { region: 'eu-west-1' }, 'C_EU'],
    ['first match wins (high before eu)', { region: 'eu-west-1', severity: 'high' }, 'C_PAGER'],
    ['an exact event name', { eventName: 'StopLogging' }, 'C_TRAIL'],
    ['an event-name glob', { eventName: 'DeleteTrail' }, 'C_DELETES'],
    ['globs are case-sensitive', { eventName: 'deleteTrail' }, 'C_DEFAULT'],
    ['an alarm-name glob', { alarmName: 'web-1 CPU high' }, 'C_WEB'],
    ['an account', { account: '123837392027' }, 'C_PROD'],
    ['a topic glob', { topic: 'arn:aws:sns:eu-west-1:111122223333:other-alerts' }, 'C_OTHER_TOPIC'],
    ['a condition on a missing fact does not hold', { region: null, alarmName: null }, 'C_DEFAULT'],
  ])('%s', (_name, overrides, channel) => {
    expect(routeAlert(RULES, facts(overrides), 'C_DEFAULT')).toBe(channel);
  });

  test('no rule and no default: null', () => {
    expect(routeAlert([], facts(), null)).toBeNull();
    expect(routeAlert(RULES, facts(), null)).toBeNull();
  });

  test('every condition of a rule must hold', () => {
    const rules: AlertRoute[] = [{ channel: 'C_BOTH', region: 'us-*', eventName: 'ConsoleLogin' }];
    expect(routeAlert(rules, facts({ eventName: 'ConsoleLogin' }), 'D')).toBe('C_BOTH');
    expect(routeAlert(rules, facts({ eventName: 'ConsoleLogin', region: 'eu-west-1' }), 'D')).toBe('D');
  });

  test('the fixtures through the table', () => {
    const route = (name: string) => routeAlert(RULES, alertFacts(fixture(name), TOPIC), 'C_DEFAULT');
    expect(route('alarm-metric-alarm')).toBe('C_PAGER'); // [high] in the description
    expect(route('alarm-metric-ok')).toBe('C_PAGER'); // the OK follows its ALARM
    expect(route('alarm-insufficient-data')).toBe('C_EU'); // eu-west-1, from the ARN
    expect(route('eventbridge-stop-logging')).toBe('C_TRAIL');
    expect(route('eventbridge-terminate-instances')).toBe('C_PROD');
    expect(route('eventbridge-guardduty-finding')).toBe('C_PAGER'); // severity 8
    expect(route('plain-text')).toBe('C_DEFAULT');
  });
});

describe('alertFacts', () => {
  test('an alarm: account, region code, name; no event name', () => {
    expect(alertFacts(fixture('alarm-insufficient-data'), TOPIC)).toEqual({
      topic: TOPIC,
      account: '111122223333',
      region: 'eu-west-1',
      alarmName: 'web-1 CPU high',
      eventName: null,
      severity: 'medium',
    });
  });

  test('a CloudTrail event: the record', () => {
    expect(alertFacts(fixture('eventbridge-console-login-no-mfa'), null)).toMatchObject({
      account: '562283505220',
      eventName: 'ConsoleLogin',
      alarmName: null,
    });
  });

  test('another event: detail-type as the event name', () => {
    expect(alertFacts(fixture('eventbridge-ec2-state-change'), null).eventName).toBe(
      'EC2 Instance State-change Notification',
    );
  });
});

describe('severityOf', () => {
  const alarm = (name: string, description: string | null = null) =>
    parseAlert(JSON.stringify({ AlarmName: name, AlarmDescription: description, NewStateValue: 'ALARM' }), null);

  test.each([
    ['[critical] root login', null, 'critical'],
    ['x', 'Paged: [HIGH]', 'high'],
    ['[low] disk', '[critical] ignored: the name is read first', 'low'],
    ['[info]', null, 'info'],
    ['no tag', 'none here', 'medium'],
    ['[urgent] is not a severity', null, 'medium'],
  ])('alarm %s / %s → %s', (name, description, severity) => {
    expect(severityOf(alarm(name, description))).toBe(severity);
  });

  test.each([
    [2, 'low'],
    [4, 'medium'],
    [7, 'high'],
    [8.9, 'high'],
    [9, 'critical'],
  ])('GuardDuty severity %d → %s', (value, severity) => {
    const alert = parseAlert(
      JSON.stringify({ 'detail-type': 'GuardDuty Finding', source: 'aws.guardduty', detail: { severity: value } }),
      null,
    );
    expect(severityOf(alert)).toBe(severity);
  });

  test('Security Hub label', () => {
    const hub = (label: string) =>
      severityOf(
        parseAlert(
          JSON.stringify({
            'detail-type': 'Security Hub Findings - Imported',
            source: 'aws.securityhub',
            detail: { findings: [{ Severity: { Label: label } }] },
          }),
          null,
        ),
      );
    expect(hub('CRITICAL')).toBe('critical');
    expect(hub('INFORMATIONAL')).toBe('info');
    expect(hub('WEIRD')).toBe('low');
  });

  test('defaults by kind; text takes a tag from its subject', () => {
    expect(severityOf(fixture('eventbridge-stop-logging'))).toBe('medium');
    expect(severityOf(fixture('eventbridge-ec2-state-change'))).toBe('low');
    expect(severityOf(fixture('plain-text'))).toBe('low');
    expect(severityOf(parseAlert('disk full', '[critical] db-1'))).toBe('critical');
  });
});

describe('globMatch', () => {
  test.each<[string, string, boolean]>([
    ['abc', 'abc', true],
    ['abc', 'abcd', false],
    ['*', '', true],
    ['*', 'anything', true],
    ['a*', 'abc', true],
    ['*c', 'abc', true],
    ['a*c', 'ac', true],
    ['a*c', 'abbbc', true],
    ['a*b*c', 'a-b-c', true],
    ['a*b*c', 'a-c-b', false],
    ['ab*ba', 'aba', false],
    ['a.c', 'abc', false],
    ['(x)*', '(x)y', true],
  ])('%s ~ %s → %s', (pattern, value, expected) => {
    expect(globMatch(pattern, value)).toBe(expected);
  });
});
