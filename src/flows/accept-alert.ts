/**
 * acceptAlert: one verified SNS notification → its incident and Slack writes, persisted with the message id in one
 * transaction before POST /sns answers 200 (SNS delivers at least once: a redelivered id changes nothing). The
 * first notification of an incident posts its card; later ones update the card and reply in its thread, and an
 * ALARM after OK reopens it with a reply broadcast to the channel. The outbox delivers, in order, paced.
 */
import type { Alert } from '../core/alerts/alert.js';
import { incidentKeyOf } from '../core/alerts/incident-key.js';
import { applyNotification, type IncidentFacts, incidentView } from '../core/alerts/incident-state.js';
import { parseAlert } from '../core/alerts/parse-alert.js';
import { renderAlertCard, renderStateChangeReply } from '../core/alerts/render-alert-card.js';
import { type AlertRoute, alertFacts, routeAlert } from '../core/alerts/route-alert.js';
import type { KeyedLock } from '../core/keyed-lock.js';
import type { SnsNotification } from '../core/sns/sns-message.js';
import { untrusted } from '../core/text/slack-mrkdwn.js';
import { cleanText } from '../core/text/untrusted-text.js';
import type { Incident, Logger, Outbox, OutboxWrite } from '../ports.js';

export interface AlertDeps {
  outbox: Outbox;
  clock: () => Date;
  logger: Logger;
  routes: readonly AlertRoute[];
  defaultChannel: string | null;
  accountAliases: Readonly<Record<string, string>>;
  groupingWindowMs: number;
  /** Serializes notifications of one incident. */
  lock: KeyedLock;
  /** Tells the outbox worker there is work. */
  wake: () => void;
}

export function incidentFacts(incident: Incident): IncidentFacts {
  const { rootTs: _rootTs, alert: _alert, ...facts } = incident;
  return facts;
}

function accountOf(alert: Alert): string | null {
  switch (alert.kind) {
    case 'alarm':
      return alert.alarm.accountId;
    case 'cloudtrail':
      return alert.record.accountId ?? alert.eventBridge.account;
    case 'event':
      return alert.account;
    case 'text':
      return null;
  }
}

export function aliasOf(deps: Pick<AlertDeps, 'accountAliases'>, alert: Alert): string | null {
  const account = accountOf(alert);
  return account !== null && Object.hasOwn(deps.accountAliases, account)
    ? (deps.accountAliases[account] ?? null)
    : null;
}

export async function acceptAlert(deps: AlertDeps, notification: SnsNotification): Promise<'accepted' | 'duplicate'> {
  const { MessageId: messageId, TopicArn: topicArn } = notification;
  const subject = notification.Subject ?? null;
  const alert = parseAlert(notification.Message, subject);
  const body = JSON.stringify({ message: notification.Message, subject });
  const routed = routeAlert(deps.routes, alertFacts(alert, topicArn), deps.defaultChannel);
  if (routed === null) {
    deps.logger.warn(
      { messageId, topicArn },
      'alert has no channel: set TRAILBOT_ALERT_CHANNEL or a route in TRAILBOT_CONFIG',
    );
    return deps.outbox.acceptSnsMessage(messageId, topicArn, body, []);
  }
  // A message with no incident of its own (a plain text, an unkeyed event) gets one of its own, so its buttons work.
  const key = incidentKeyOf(alert, { groupingWindowMs: deps.groupingWindowMs }) ?? `sns:${messageId}`;
  const result = await deps.lock.run(key, async () => {
    const now = deps.clock();
    const stored = (await deps.outbox.incident(key)) ?? null;
    const outcome = applyNotification(
      stored === null ? null : incidentFacts(stored),
      alert,
      key,
      stored?.channel ?? routed,
      now,
    );
    const channel = outcome.incident.channel;
    const card = renderAlertCard(alert, incidentView(outcome.incident, now), {
      accountAlias: aliasOf(deps, alert),
      now: now.getTime(),
    });
    const writes: OutboxWrite[] = outcome.isNew
      ? [{ kind: 'post', channel, incidentKey: key, message: card }]
      : [
          { kind: 'update', channel, incidentKey: key, message: card },
          {
            kind: 'reply',
            channel,
            incidentKey: key,
            message: renderStateChangeReply(alert, null),
            broadcast: outcome.broadcast,
          },
        ];
    return deps.outbox.acceptSnsMessage(messageId, topicArn, body, writes, [{ ...outcome.incident, alert: body }]);
  });
  if (result === 'accepted') deps.wake();
  else deps.logger.info({ messageId }, 'SNS redelivered a message already accepted');
  return result;
}

/** SNS says a subscription was removed: say so in the alert channel (people should know alerts stopped). */
export async function announceUnsubscribe(deps: AlertDeps, topicArn: string): Promise<void> {
  deps.logger.warn({ topicArn }, 'SNS unsubscribed Trailbot from a topic');
  if (deps.defaultChannel === null) return;
  const text = `:warning: SNS unsubscribed Trailbot from \`${untrusted(topicArn, 300)}\`: alerts from it have stopped. Subscribe the endpoint again to get them back.`;
  await deps.outbox.enqueue([
    {
      kind: 'post',
      channel: deps.defaultChannel,
      message: {
        text: cleanText(text, 300),
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text, verbatim: true } }],
      },
    },
  ]);
  deps.wake();
}
