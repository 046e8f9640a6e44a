/**
 * Local mode without a browser: `startServer` with no Slack credentials, as `npm start` runs it, and the channel
 * page's routes driven over HTTP. The page's stream shows what reached the local workspace through the production
 * path (Bolt, the listeners, the outbox); the routes refuse foreign hosts, other origins and non-JSON bodies, and
 * press only buttons a message really has.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  attachmentHeader,
  CONTENT_SECURITY_POLICY,
  findButton,
  type PageMessage,
} from '../../src/local/channel-page.js';
import { type RunningServer, startServer } from '../../src/main.js';
import { latestMessages as latest, openPageStream } from '../helpers/page-stream.js';
import { waitFor } from '../helpers/wait-for.js';

let server: RunningServer;
let base: string;
let home: string;

const postJson = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

/** A GET with a Host header of our choosing (fetch may not set one). */
function getWithHost(path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers: { Host: host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'trailbot-page-home-'));
  server = await startServer({ PATH: process.env.PATH, HOME: home, PORT: '0', LOG_LEVEL: 'silent' });
  base = `http://127.0.0.1:${server.port}`;
}, 30_000);

afterAll(async () => {
  await server?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('local mode over HTTP', () => {
  test('serves the page with a strict Content-Security-Policy and says what runs where', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(await response.text()).toContain('/local/page.js');
    expect(server.banner).toContain(`Channel page   ${base}/`);
    expect(server.banner).toContain(`POST ${base}/sns`);
    expect(server.banner).toMatch(/bundled sample trail/);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  test('refuses a foreign Host (DNS rebinding), another origin and a non-JSON body', async () => {
    expect(await getWithHost('/', 'evil.example')).toBe(403);
    expect(await getWithHost('/local/events', `attacker.example:${server.port}`)).toBe(403);
    expect(await getWithHost('/', `localhost:${server.port}`)).toBe(200);
    const crossOrigin = await postJson('/local/command', { text: 'help' }, { Origin: 'https://evil.example' });
    expect(crossOrigin.status).toBe(403);
    const form = await fetch(`${base}/local/command`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'text=help',
    });
    expect(form.status).toBe(403);
  });

  test('a /trail question is acked as an ephemeral, then answered in its place', async () => {
    const stream = await openPageStream(base);
    try {
      const response = await postJson('/local/command', { text: '/trail who i-05c30218156bcc246' });
      expect(response.status).toBe(200);
      await waitFor(() => latest(stream).some((m) => m.ephemeral && m.html.includes('bert-jan')), 'the answer', 20_000);
      const ephemerals = latest(stream).filter((m) => m.ephemeral);
      expect(ephemerals).toHaveLength(1);
      const answer = ephemerals[0] as PageMessage;
      expect(answer.html).toContain('class="bk-header"');
      // Seen three ways in order: the typed command, the "looking…" ack, the answer.
      const states = stream.messages.filter((m) => m.key === answer.key).map((m) => m.html);
      expect(states.length).toBeGreaterThanOrEqual(2);
      expect(states.some((h) => h.includes('Looking through CloudTrail'))).toBe(true);
      expect(answer.builderUrl.startsWith('https://app.slack.com/block-kit-builder/#')).toBe(true);
    } finally {
      stream.close();
    }
  }, 30_000);

  test('a sample alarm goes through /sns and the outbox to a card; only its real buttons can be pressed', async () => {
    const stream = await openPageStream(base);
    try {
      expect((await postJson('/local/alarm', { sample: 'security-group-changes' })).status).toBe(200);
      await waitFor(
        () => latest(stream).some((m) => !m.ephemeral && m.html.includes('data-action-id')),
        'the card',
        20_000,
      );
      const card = latest(stream).find((m) => !m.ephemeral && m.threadTs === null && m.html.includes('ALARM'));
      expect(card).toBeDefined();
      const { channel, ts } = card as PageMessage;
      const forged = await postJson('/local/action', { channel, ts, actionId: 'alert_delete_everything' });
      expect(forged.status).toBe(404);
      expect(((await forged.json()) as { error: string }).error).toMatch(/no such button/);
      const unknownSample = await postJson('/local/alarm', { sample: '../../etc/passwd' });
      expect(unknownSample.status).toBe(404);
    } finally {
      stream.close();
    }
  }, 30_000);
});

describe('files the app uploads', () => {
  test('All events on a private answer goes to a direct message whose CSV and JSON download as attachments', async () => {
    const stream = await openPageStream(base);
    try {
      const answered = stream.next((m) => m.ephemeral && m.html.includes('bert-jan'));
      await postJson('/local/command', { text: '/trail who i-05c30218156bcc246' });
      const answer = await answered;
      const shared = stream.next((m) => m.files.length > 0);
      const pressed = await postJson('/local/action', { ts: answer.ts, actionId: 'trail_all_events', ephemeral: true });
      expect(pressed.status).toBe(200);
      const message = await shared;
      expect(message.channel).not.toBe(answer.channel);
      expect(message.channel.startsWith('D')).toBe(true);
      expect(message.files.map((f) => f.name.slice(f.name.lastIndexOf('.'))).sort()).toEqual(['.csv', '.json']);
      for (const file of message.files) {
        const response = await fetch(`${base}/local/files/${file.id}`);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe('application/octet-stream');
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        expect(response.headers.get('content-disposition')).toBe(`attachment; filename=${file.name}`);
        const bytes = Buffer.from(await response.arrayBuffer());
        expect(bytes.length).toBe(file.bytes);
        expect(bytes.toString('utf8')).toContain('TerminateInstances');
      }
      expect((await fetch(`${base}/local/files/F0NOTHING`)).status).toBe(404);
      expect(await getWithHost(`/local/files/${message.files[0]?.id}`, 'evil.example')).toBe(403);
    } finally {
      stream.close();
    }
  }, 30_000);

  test.each<[string, string]>([
    ['trailbot-events.csv', 'attachment; filename=trailbot-events.csv'],
    ['../../etc/passwd', 'attachment; filename=passwd'],
    ['C:\\Users\\x\\events.json', 'attachment; filename=events.json'],
    ['a"b\r\nSet-Cookie: x=1.csv', 'attachment; filename="a\\"b  Set-Cookie: x=1.csv"'],
    [
      'report\u202Evsc.exe',
      'attachment; filename="report?U+202E?vsc.exe"; filename*=UTF-8\'\'report%E2%9F%A8U%2B202E%E2%9F%A9vsc.exe',
    ],
    ['dir/', 'attachment'],
  ])('attachmentHeader(%j) is %s', (name, header) => {
    expect(attachmentHeader(name)).toBe(header);
  });
});

describe('findButton', () => {
  const blocks = [
    { type: 'section', block_id: 's', accessory: { type: 'button', action_id: 'a', value: '1', text: { text: 'A' } } },
    {
      type: 'actions',
      block_id: 'act',
      elements: [
        { type: 'button', action_id: 'b', value: 'x', text: { type: 'plain_text', text: 'B' } },
        { type: 'button', action_id: 'b', value: 'y', text: { type: 'plain_text', text: 'B2' } },
      ],
    },
  ];

  test('finds accessories and action elements, by value when given', () => {
    expect(findButton(blocks, 'a', undefined)).toEqual({ label: 'A', value: '1', blockId: 's' });
    expect(findButton(blocks, 'b', 'y')).toEqual({ label: 'B2', value: 'y', blockId: 'act' });
    expect(findButton(blocks, 'b', 'z')).toBeNull();
    expect(findButton([null, 3, 'x', { elements: 'no' }], 'a', undefined)).toBeNull();
  });
});
