/**
 * The one block `npm start` prints in local mode (pure): where the channel page is, where SNS may post, what answers
 * questions, and which variables turn this into a real Slack app.
 */
export interface LocalBannerFacts {
  /** `http://127.0.0.1:3000/` */
  pageUrl: string;
  /** The event source's label: `samples`, `lookup`, `files:…`. */
  sourceLabel: string;
  /** The store's kind when TRAILBOT_STORE chose it, else null (a temporary SQLite file). */
  store: string | null;
  /** False when HOST opened the page beyond loopback. */
  loopbackOnly: boolean;
}

export function localModeBanner(facts: LocalBannerFacts): string {
  const base = facts.pageUrl.replace(/\/$/, '');
  const source =
    facts.sourceLabel === 'samples'
      ? 'the bundled sample trail (2,936 real CloudTrail records; set AWS_PROFILE or AWS_ACCESS_KEY_ID… for your own account)'
      : `${facts.sourceLabel} (your AWS credentials)`;
  const lines = [
    '',
    'Trailbot is running in LOCAL MODE: no Slack credentials, so Slack is a channel page on this machine.',
    '',
    `  Channel page   ${facts.pageUrl}   (open it; type /trail who i-05c30218156bcc246, send a sample alarm)`,
    `  SNS endpoint   POST ${base}/sns   (signed SNS messages only; the page's Send alarm signs the bundled samples)`,
    `  Event source   ${source}`,
    `  Store          ${facts.store === null ? 'a temporary SQLite file, removed on exit (set TRAILBOT_STORE to keep one)' : facts.store}`,
    `  Listening      ${facts.loopbackOnly ? 'on loopback only (HOST=0.0.0.0 to open it, e.g. in a container)' : 'beyond loopback (HOST is set): anyone who reaches this port can use the page'}`,
    '',
    'To make it a real Slack app: create one from manifest.yml (api.slack.com/apps → From a manifest), then set',
    '  SLACK_BOT_TOKEN=xoxb-…  and SLACK_SIGNING_SECRET=…   HTTP mode: Slack posts to https://YOUR-HOST/slack/events',
    '  or SLACK_BOT_TOKEN and SLACK_APP_TOKEN=xapp-…          Socket Mode: no public URL needed',
    'and, for alarm cards, TRAILBOT_ALERT_CHANNEL and TRAILBOT_SNS_TOPICS. README.md has the whole list.',
    '',
  ];
  return `${lines.join('\n')}\n`;
}
