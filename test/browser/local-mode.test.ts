/**
 * Local mode in a real browser: `trailbot serve` started as a newcomer starts it (no Slack, no AWS credentials),
 * its channel page opened in headless Chromium, and everything done through the page as a person would do it:
 * type a question and read the answer card; send a signed sample alarm, see its card and the events that tripped
 * it in its thread, press Acknowledge and see the card change; open the event's modal; post an answer to the
 * channel; hold alerts back with a simulated Slack outage; and paste a hostile record, which must show as text.
 * Screenshots land in test-artifacts/browser/.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import type { Page } from 'playwright-core';
import { describeBrowser } from '../helpers/browser.js';
import { HOSTILE_STRINGS } from '../helpers/hostile-strings.js';
import { type LocalModeProcess, spawnLocalMode } from '../helpers/spawn-local-mode.js';
import { waitForAsync as waitFor } from '../helpers/wait-for.js';

const SLOW = 60_000;
/** A pattern the page's DOM would show only if the renderer let markup through. */
const PWNED = '<img src=x onerror="document.title=\'pwned\'">';

describeBrowser('local mode in Chromium', (handle) => {
  let server: LocalModeProcess;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await spawnLocalMode();
    page = await handle.browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.goto(server.pageUrl);
    await page.locator('#status', { hasText: 'connected' }).waitFor();
  }, SLOW);

  afterAll(async () => {
    await page?.close();
    const code = await server?.stop();
    expect(code).toBe(0);
  });

  /** The sample alarms the page offers, as (value, label) pairs. */
  const sampleAlarms = async (): Promise<{ value: string; text: string }[]> => {
    const options = page.locator('#sample-alarm option');
    const found: { value: string; text: string }[] = [];
    for (let i = 0; i < (await options.count()); i += 1) {
      const option = options.nth(i);
      found.push({ value: (await option.getAttribute('value')) ?? '', text: (await option.textContent()) ?? '' });
    }
    return found;
  };

  const cardWithHeader = (text: string) =>
    page.locator('#messages > article.message').filter({ has: page.locator('.bk-header', { hasText: text }) });

  test('the banner names the page, the SNS endpoint, the sample source and the variables for a real Slack app', () => {
    const out = server.stdout();
    expect(out).toMatch(/LOCAL MODE/);
    expect(out).toContain(`SNS endpoint   POST ${server.pageUrl}sns`);
    expect(out).toMatch(/Event source\s+the bundled sample trail/);
    expect(out).toMatch(/SLACK_BOT_TOKEN=xoxb-… +and SLACK_SIGNING_SECRET/);
    expect(out).toMatch(/SLACK_APP_TOKEN=xapp-/);
  });

  test(
    'a /trail question typed in the command box is answered with a card, only to the asker',
    async () => {
      await page.fill('#command', '/trail who i-05c30218156bcc246');
      await page.press('#command', 'Enter');
      const answer = page.locator('#messages article.message.ephemeral', { hasText: 'bert-jan' });
      await answer.waitFor({ timeout: 30_000 });
      await expect(answer.locator('.bk-header').first().textContent()).resolves.toContain('i-05c30218156bcc246');
      await expect(answer.locator('.badge-ephemeral').textContent()).resolves.toBe('Only visible to you');
      // The answer replaced the "looking…" ack in place (one ephemeral for one question).
      await expect(page.locator('#messages article.message.ephemeral').count()).resolves.toBe(1);
      // Its Block Kit Builder link carries the same message.
      const href = (await answer.locator('a.builder-link').getAttribute('href')) ?? '';
      expect(href.startsWith('https://app.slack.com/block-kit-builder/#')).toBe(true);
      const blocks = JSON.parse(decodeURIComponent(href.slice(href.indexOf('#') + 1))) as { blocks: unknown[] };
      expect(JSON.stringify(blocks.blocks)).toContain('i-05c30218156bcc246');
      await page.screenshot({ path: handle.screenshotPath('answer-card'), fullPage: true });

      // "Post to channel" goes through the same listener as in Slack: the answer appears for everyone.
      await answer.locator('button.bk-button', { hasText: /post to channel/i }).click();
      const posted = page.locator('#messages > article.message:not(.ephemeral)', { hasText: 'bert-jan' });
      await posted.waitFor({ timeout: 15_000 });
      await expect(posted.locator('.author').first().textContent()).resolves.toBe('Trailbot');

      // "All events" uploads the CSV and the JSON into the answer's thread; each downloads as an attachment.
      await posted.locator('button.bk-button', { hasText: /all events/i }).click();
      const files = posted.locator('.thread ul.files a.file-name');
      await waitFor(async () => (await files.count()) === 2, 'the two files in the thread', 15_000);
      const names = await files.allTextContents();
      expect(names.map((name) => name.slice(name.lastIndexOf('.'))).sort()).toEqual(['.csv', '.json']);
      const download = await fetch(new URL((await files.first().getAttribute('href')) ?? '', server.pageUrl));
      expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename=/);
      expect(await download.text()).toContain('bert-jan');
      await page.screenshot({ path: handle.screenshotPath('all-events-files'), fullPage: true });
    },
    SLOW,
  );

  test(
    'a signed sample alarm becomes a card with its events in the thread; Acknowledge changes the card',
    async () => {
      const samples = await sampleAlarms();
      expect(samples.length).toBeGreaterThanOrEqual(4);
      const securityGroups = samples.find((s) => /security group/i.test(s.text));
      expect(securityGroups).toBeDefined();
      await page.selectOption('#sample-alarm', securityGroups?.value ?? '');
      await page.click('#send-alarm');

      const card = page.locator('#messages > article.message:not(.ephemeral)').filter({
        has: page.locator('button.bk-button', { hasText: 'Acknowledge' }),
      });
      await card.first().waitFor({ timeout: 30_000 });
      const before = (await card.first().locator(':scope > .message-main > .message-body').textContent()) ?? '';
      expect(before).toMatch(/ALARM/);
      // The enrichment reply: the CloudTrail events matching the alarm's filter, from the sample trail.
      const reply = card.first().locator('.thread article.message', { hasText: /matching this alarm/i });
      await reply.waitFor({ timeout: 30_000 });
      await expect(reply.textContent()).resolves.toMatch(/AuthorizeSecurityGroupIngress|CreateSecurityGroup/);

      await card.first().locator('button.bk-button', { hasText: 'Acknowledge' }).click();
      const acknowledged = page.locator('#messages > article.message', { hasText: /acknowledged/i });
      await acknowledged.first().waitFor({ timeout: 15_000 });
      const after = (await acknowledged.first().locator(':scope > .message-main > .message-body').textContent()) ?? '';
      expect(after).not.toBe(before);
      expect(after).toMatch(/acknowledged/i);
      await expect(acknowledged.first().locator('.edited').count()).resolves.toBe(1);
      // The thread stays under the edited card.
      await expect(acknowledged.first().locator('.thread article.message').count()).resolves.toBeGreaterThan(0);
      await page.screenshot({ path: handle.screenshotPath('alarm-acknowledged'), fullPage: true });
    },
    SLOW,
  );

  test(
    'an EventBridge CloudTrail event opens the event modal from its card',
    async () => {
      const fixture = JSON.parse(
        readFileSync(new URL('../fixtures/sns/eventbridge-stop-logging.json', import.meta.url), 'utf8'),
      ) as { Message: string };
      await page.locator('details.paste-alarm > summary').click();
      await page.fill('#alarm-message', fixture.Message);
      await page.click('#send-pasted');
      const card = cardWithHeader('StopLogging');
      await card.first().waitFor({ timeout: 30_000 });
      const show = card.first().locator('button.bk-button', { hasText: /event/i }).first();
      await show.click();
      await page.locator('#modal:not([hidden])').waitFor({ timeout: 15_000 });
      await expect(page.locator('#modal-body').textContent()).resolves.toContain('StopLogging');
      await page.click('#modal-close');
      await page.locator('#modal').waitFor({ state: 'hidden' });
    },
    SLOW,
  );

  test(
    'during a simulated Slack outage alerts wait in the outbox and arrive once Slack is back',
    async () => {
      await page.check('#outage');
      await page.waitForTimeout(300);
      const samples = await sampleAlarms();
      const cloudTrail = samples.find((s) => /cloudtrail/i.test(s.value))?.value ?? samples[0]?.value ?? '';
      const cardsBefore = await page.locator('#messages > article.message').count();
      await page.selectOption('#sample-alarm', cloudTrail);
      await page.click('#send-alarm');
      await page.waitForTimeout(2000);
      await expect(page.locator('#messages > article.message').count()).resolves.toBe(cardsBefore);
      await page.uncheck('#outage');
      const roots = page.locator('#messages > article.message');
      await waitFor(async () => (await roots.count()) > cardsBefore, 'the held-back card', 30_000);
    },
    SLOW,
  );

  test(
    'a hostile record renders as text, never as markup',
    async () => {
      const fixture = JSON.parse(
        readFileSync(
          new URL('../fixtures/sns/eventbridge-authorize-security-group-ingress.json', import.meta.url),
          'utf8',
        ),
      ) as { Message: string };
      const event = JSON.parse(fixture.Message) as {
        detail: { userIdentity: Record<string, unknown>; requestParameters: Record<string, unknown> };
      };
      const hostileName = `${PWNED}<script>document.title='pwned'</script>${HOSTILE_STRINGS.join(' ')}`;
      event.detail.userIdentity.userName = hostileName;
      event.detail.userIdentity.arn = `arn:aws:iam::123837392027:user/${PWNED}`;
      event.detail.requestParameters.groupId = `sg-<b>bold</b>"'><svg onload=alert(1)>`;
      await page.locator('details.paste-alarm > summary').click();
      await page.fill('#alarm-message', JSON.stringify(event));
      await page.click('#send-pasted');
      const card = page.locator('#messages > article.message', { hasText: 'onerror=' }).last();
      await card.waitFor({ timeout: 30_000 });
      const body = card.locator(':scope > .message-main > .message-body');
      // The attacker's text is there, literally…
      await expect(body.textContent()).resolves.toContain('<img src=x onerror=');
      // …and none of it became an element or an attribute.
      await expect(body.locator('img, script, svg, b, iframe, [onerror], [onload]').count()).resolves.toBe(0);
      await expect(page.title()).resolves.not.toBe('pwned');
      await page.screenshot({ path: handle.screenshotPath('hostile-record'), fullPage: true });

      // A hostile question in the command box comes back as text too.
      await page.fill('#command', `/trail who ${PWNED}`);
      await page.press('#command', 'Enter');
      const refusal = page.locator('#messages article.message.ephemeral', { hasText: 'onerror=' });
      await refusal.first().waitFor({ timeout: 30_000 });
      await expect(refusal.first().locator('img, [onerror]').count()).resolves.toBe(0);
      await expect(page.title()).resolves.not.toBe('pwned');
      expect(pageErrors).toEqual([]);
    },
    SLOW,
  );
});
