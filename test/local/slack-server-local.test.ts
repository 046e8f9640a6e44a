/**
 * The local workspace as local mode's channel page uses it, driven by the real WebClient (`@slack/web-api`) and by
 * `fetch` to response URLs: every change the page must show is announced to `onChange`, ephemeral messages behave as
 * Slack treats them (a slash command's ack replaced in place by its response_url), and modals carry an id and the
 * person whose trigger opened them.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { WebClient } from '@slack/web-api';
import {
  type SlackServer,
  type SlackServerOptions,
  startSlackServer,
  type WorkspaceChange,
} from '../../src/local/slack-server.js';
import { HOSTILE_STRINGS } from '../helpers/hostile-strings.js';
import { quietSlackLogger } from '../helpers/quiet-loggers.js';
import { respond } from '../helpers/response-url.js';

const open: SlackServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function workspace(options: SlackServerOptions = {}): Promise<SlackServer> {
  const server = await startSlackServer({ rateLimit: false, ...options });
  open.push(server);
  return server;
}

function clientFor(server: SlackServer): WebClient {
  return new WebClient(server.token, { slackApiUrl: server.apiUrl, logger: quietSlackLogger });
}

/** Every change the workspace announces, in order. */
function recordChanges(server: SlackServer): WorkspaceChange[] {
  const changes: WorkspaceChange[] = [];
  server.onChange((change) => changes.push(change));
  return changes;
}

const section = (text: string) => ({ type: 'section' as const, text: { type: 'mrkdwn' as const, text } });

const modal = (title: string) => ({
  type: 'modal' as const,
  title: { type: 'plain_text' as const, text: title },
  blocks: [section('details')],
});

describe('onChange', () => {
  test('a post, an update and a delete are announced with the message as it then was, before the call returns', async () => {
    const server = await workspace();
    const changes = recordChanges(server);
    const client = clientFor(server);

    const posted = await client.chat.postMessage({ channel: 'C1', text: 'card', blocks: [section('*card*')] });
    expect(changes).toEqual([{ kind: 'message', message: server.message('C1', posted.ts ?? '') }]);
    expect(changes[0]).toMatchObject({
      message: { channel: 'C1', ts: posted.ts, text: 'card', blocks: [section('*card*')], bot: true, edits: 0 },
    });

    await client.chat.update({ channel: 'C1', ts: posted.ts ?? '', text: 'card (acked)', blocks: [section('acked')] });
    expect(changes).toHaveLength(2);
    expect(changes[1]).toMatchObject({
      kind: 'message',
      message: { ts: posted.ts, text: 'card (acked)', blocks: [section('acked')], edits: 1, deleted: false },
    });
    // Each announcement is a snapshot: the first still shows the message as posted.
    expect(changes[0]).toMatchObject({ message: { text: 'card', edits: 0 } });

    await client.chat.delete({ channel: 'C1', ts: posted.ts ?? '' });
    expect(changes).toHaveLength(3);
    expect(changes[2]).toMatchObject({ kind: 'message', message: { ts: posted.ts, deleted: true } });
    expect(server.messagesIn('C1')).toEqual([]);
  });

  test('chat.postEphemeral, addMessage and a file share are announced', async () => {
    const server = await workspace();
    const changes = recordChanges(server);
    const client = clientFor(server);

    const eph = await client.chat.postEphemeral({ channel: 'C1', user: 'U0ALICE', text: 'only you' });
    expect(changes).toEqual([
      {
        kind: 'ephemeral',
        message: {
          channel: 'C1',
          user: 'U0ALICE',
          ts: eph.message_ts,
          thread_ts: undefined,
          text: 'only you',
          blocks: [],
          via: 'chat.postEphemeral',
          edits: 0,
          deleted: false,
        },
      },
    ]);

    const mention = server.addMessage({ channel: 'C1', text: '<@UBOT> who i-0abc', user: 'U0ALICE' });
    expect(changes[1]).toMatchObject({
      kind: 'message',
      message: { ts: mention, text: '<@UBOT> who i-0abc', user: 'U0ALICE', bot: false, via: 'seed' },
    });

    await client.files.uploadV2({
      channel_id: 'C1',
      thread_ts: mention,
      initial_comment: 'the rows',
      file: Buffer.from('a,b\n1,2\n'),
      filename: 'rows.csv',
    });
    const share = changes.at(-1);
    expect(changes).toHaveLength(3);
    expect(share).toMatchObject({
      kind: 'message',
      message: { channel: 'C1', thread_ts: mention, text: 'the rows', via: 'files.completeUploadExternal' },
    });
    expect(share?.kind === 'message' ? share.message.files : []).toEqual(server.files().map((f) => f.id));
  });

  test('an in_channel response and a replace_original of a channel message are announced', async () => {
    const server = await workspace();
    const client = clientFor(server);
    const card = await client.chat.postMessage({ channel: 'C1', text: 'card' });
    const changes = recordChanges(server);
    const url = server.responseUrl({ channel: 'C1', user: 'U0ALICE', messageTs: card.ts ?? '' });

    await respond(url, { response_type: 'in_channel', text: 'for everyone' });
    await respond(url, { replace_original: true, text: 'card (investigating)' });
    await respond(url, { delete_original: true });
    expect(changes.map((c) => (c.kind === 'message' ? [c.message.text, c.message.via, c.message.deleted] : c))).toEqual(
      [
        ['for everyone', 'response_url', false],
        ['card (investigating)', 'chat.postMessage', false],
        ['card (investigating)', 'chat.postMessage', true],
      ],
    );
  });

  test('views.open is announced with its view, a V… id matching the answer, and the user of a minted trigger', async () => {
    const server = await workspace();
    const changes = recordChanges(server);
    const client = clientFor(server);

    const minted = await client.views.open({ trigger_id: server.triggerId('U0ALICE'), view: modal('Who did this') });
    const foreign = await client.views.open({ trigger_id: '123.456.abc', view: modal('Another') });

    expect(changes).toEqual([
      { kind: 'view', id: minted.view?.id, view: modal('Who did this'), user: 'U0ALICE' },
      { kind: 'view', id: foreign.view?.id, view: modal('Another'), user: undefined },
    ]);
    expect(minted.view?.id).toMatch(/^V\w+$/);
    expect(foreign.view?.id).not.toBe(minted.view?.id);
    expect(server.views()).toEqual([modal('Who did this'), modal('Another')]);
  });

  test('a refused call changes nothing and announces nothing', async () => {
    const server = await workspace();
    const changes = recordChanges(server);
    const client = clientFor(server);
    await expect(
      client.chat.postMessage({
        channel: 'C1',
        text: 'x',
        blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }],
      }),
    ).rejects.toThrow(/invalid_blocks/);
    await expect(
      client.views.open({ trigger_id: server.triggerId('U0ALICE'), view: modal('t'.repeat(25)) }),
    ).rejects.toThrow(/invalid_arguments/);
    expect(changes).toEqual([]);
  });

  test('a throwing listener fails neither the call nor the other listeners', async () => {
    const server = await workspace();
    server.onChange(() => {
      throw new Error('the page broke');
    });
    const changes = recordChanges(server);
    const client = clientFor(server);

    const posted = await client.chat.postMessage({ channel: 'C1', text: 'still delivered' });
    expect(posted.ok).toBe(true);
    const url = server.responseUrl({ channel: 'C1', user: 'U0ALICE' });
    expect(await respond(url, { text: 'still answered' })).toEqual({ status: 200, body: { ok: true } });
    expect(() => server.addEphemeral({ channel: 'C1', user: 'U0ALICE', text: 'ack' })).not.toThrow();

    expect(server.messagesIn('C1').map((m) => m.text)).toEqual(['still delivered']);
    expect(server.ephemerals('C1').map((m) => m.text)).toEqual(['still answered', 'ack']);
    expect(changes.map((c) => c.kind)).toEqual(['message', 'ephemeral', 'ephemeral']);
  });

  test('unsubscribe stops that listener only, and only once', async () => {
    const server = await workspace();
    const kept = recordChanges(server);
    const dropped: WorkspaceChange[] = [];
    const listener = (change: WorkspaceChange): void => {
      dropped.push(change);
    };
    const unsubscribe = server.onChange(listener);
    const again = server.onChange(listener);
    const client = clientFor(server);

    await client.chat.postMessage({ channel: 'C1', text: 'one' });
    expect(dropped).toHaveLength(2);
    unsubscribe();
    unsubscribe();
    await client.chat.postMessage({ channel: 'C1', text: 'two' });
    expect(dropped).toHaveLength(3);
    again();
    await client.chat.postMessage({ channel: 'C1', text: 'three' });
    expect(dropped).toHaveLength(3);
    expect(kept.map((c) => (c.kind === 'message' ? c.message.text : c.kind))).toEqual(['one', 'two', 'three']);
  });
});

describe('ephemeral messages as Slack treats them', () => {
  test("addEphemeral records a slash command's ack as given, announces it and returns it with a fresh ts", async () => {
    const server = await workspace();
    const changes = recordChanges(server);
    const first = server.addEphemeral({ channel: 'C1', user: 'U0ALICE', text: '/trail who i-0abc' });
    const hostile = HOSTILE_STRINGS.join(' ');
    const second = server.addEphemeral({
      channel: 'C1',
      user: 'U0ALICE',
      text: hostile,
      blocks: [section(hostile)],
      thread_ts: '1700000000.000100',
    });

    expect(second.ts).not.toBe(first.ts);
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
    expect(server.ephemeral(second.ts)).toEqual({
      channel: 'C1',
      user: 'U0ALICE',
      ts: second.ts,
      thread_ts: '1700000000.000100',
      text: hostile,
      blocks: [section(hostile)],
      via: 'seed',
      edits: 0,
      deleted: false,
    });
    expect(changes).toEqual([
      { kind: 'ephemeral', message: first },
      { kind: 'ephemeral', message: second },
    ]);
    expect(server.ephemerals('C1').map((m) => m.ts)).toEqual([first.ts, second.ts]);
    expect(server.ephemeral('1.000000')).toBeUndefined();
  });

  test('replace_original on the URL of an ephemeral replaces it in place: same ts, no new message', async () => {
    const server = await workspace();
    const ack = server.addEphemeral({ channel: 'C1', user: 'U0ALICE', text: '/trail who i-0abc' });
    const changes = recordChanges(server);
    const url = server.responseUrl({ channel: 'C1', user: 'U0ALICE', ephemeralTs: ack.ts });

    const answer = await respond(url, {
      response_type: 'ephemeral',
      replace_original: true,
      text: 'alice did it',
      blocks: [section('*alice* did it')],
    });
    expect(answer).toEqual({ status: 200, body: { ok: true } });
    expect(server.ephemerals('C1')).toEqual([
      { ...ack, text: 'alice did it', blocks: [section('*alice* did it')], edits: 1 },
    ]);
    expect(changes).toEqual([{ kind: 'ephemeral', message: server.ephemeral(ack.ts) }]);
    expect(server.messagesIn('C1')).toEqual([]);

    // A second answer (the paged next page, say) replaces it again.
    await respond(url, { replace_original: true, text: 'page 2' });
    expect(server.ephemerals('C1').map((m) => [m.ts, m.text, m.blocks, m.edits])).toEqual([[ack.ts, 'page 2', [], 2]]);
  });

  test('a replacement is held to the Block Kit limits: a bad one is refused and the ack stays', async () => {
    const server = await workspace();
    const ack = server.addEphemeral({ channel: 'C1', user: 'U0ALICE', text: 'working…' });
    const changes = recordChanges(server);
    const url = server.responseUrl({ channel: 'C1', user: 'U0ALICE', ephemeralTs: ack.ts });
    const bad = await respond(url, {
      replace_original: true,
      text: 'x',
      blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }],
    });
    expect(bad).toMatchObject({ status: 400, body: { ok: false, error: 'invalid_blocks' } });
    expect(server.ephemeral(ack.ts)).toEqual(ack);
    expect(changes).toEqual([]);
  });

  test('delete_original deletes the ephemeral; in_channel then posts for everyone (the share flow)', async () => {
    const server = await workspace();
    const ack = server.addEphemeral({ channel: 'C1', user: 'U0ALICE', text: '/trail share who i-0abc' });
    const changes = recordChanges(server);
    const url = server.responseUrl({ channel: 'C1', user: 'U0ALICE', ephemeralTs: ack.ts });

    await respond(url, { delete_original: true });
    expect(server.ephemeral(ack.ts)).toMatchObject({ ts: ack.ts, deleted: true });
    expect(server.ephemerals('C1')).toEqual([]);
    expect(changes).toEqual([{ kind: 'ephemeral', message: { ...ack, deleted: true } }]);

    await respond(url, { response_type: 'in_channel', text: 'alice did it', blocks: [section('*alice* did it')] });
    expect(server.messagesIn('C1')).toMatchObject([
      { text: 'alice did it', blocks: [section('*alice* did it')], via: 'response_url', bot: true },
    ]);
    expect(changes[1]).toMatchObject({ kind: 'message', message: { text: 'alice did it', via: 'response_url' } });
    expect(changes).toHaveLength(2);

    // The ack is gone for good: replacing it now is a new ephemeral, deleting it again does nothing.
    await respond(url, { delete_original: true });
    expect(changes).toHaveLength(2);
    await respond(url, { replace_original: true, text: 'late' });
    expect(server.ephemerals('C1').map((m) => [m.text, m.via])).toEqual([['late', 'response_url']]);
    expect(server.ephemerals('C1')[0]?.ts).not.toBe(ack.ts);
  });

  test('in_channel on the URL of an ephemeral posts to the channel and leaves the ephemeral as it was', async () => {
    const server = await workspace();
    const ack = server.addEphemeral({ channel: 'C1', user: 'U0ALICE', text: '/trail who i-0abc' });
    const url = server.responseUrl({ channel: 'C1', user: 'U0ALICE', ephemeralTs: ack.ts });
    await respond(url, { response_type: 'in_channel', text: 'for everyone' });
    expect(server.messagesIn('C1').map((m) => [m.text, m.via])).toEqual([['for everyone', 'response_url']]);
    expect(server.ephemerals('C1')).toEqual([ack]);
  });

  test('an ephemeral response (no replace_original) on the URL of a clicked ephemeral is a new ephemeral', async () => {
    const server = await workspace();
    const withButtons = server.addEphemeral({
      channel: 'C1',
      user: 'U0ALICE',
      text: 'page 1',
      blocks: [section('page 1')],
    });
    const url = server.responseUrl({ channel: 'C1', user: 'U0ALICE', ephemeralTs: withButtons.ts });
    await respond(url, { response_type: 'ephemeral', replace_original: false, text: 'that answer is gone' });
    expect(server.ephemerals('C1').map((m) => [m.text, m.user, m.via])).toEqual([
      ['page 1', 'U0ALICE', 'seed'],
      ['that answer is gone', 'U0ALICE', 'response_url'],
    ]);
  });

  test('without ephemeralTs, replace_original and delete_original leave ephemerals alone, as before', async () => {
    const server = await workspace();
    const ack = server.addEphemeral({ channel: 'C1', user: 'U0ALICE', text: '/trail who i-0abc' });
    const url = server.responseUrl({ channel: 'C1', user: 'U0ALICE' });
    await respond(url, { replace_original: true, text: 'the answer' });
    await respond(url, { delete_original: true });
    expect(server.ephemerals('C1').map((m) => [m.text, m.via, m.edits])).toEqual([
      ['/trail who i-0abc', 'seed', 0],
      ['the answer', 'response_url', 0],
    ]);
    expect(server.ephemeral(ack.ts)).toEqual(ack);
    expect(server.messagesIn('C1')).toEqual([]);
  });

  test('replaceEphemeral replaces a live ephemeral and announces it; a deleted or unknown one is undefined', async () => {
    const server = await workspace();
    const ack = server.addEphemeral({ channel: 'C1', user: 'U0ALICE', text: '/trail who i-0abc' });
    const changes = recordChanges(server);

    const replaced = server.replaceEphemeral(ack.ts, { text: 'Looking…', blocks: [section('Looking…')] });
    expect(replaced).toEqual({ ...ack, text: 'Looking…', blocks: [section('Looking…')], edits: 1 });
    expect(server.ephemeral(ack.ts)).toEqual(replaced);
    expect(changes).toEqual([{ kind: 'ephemeral', message: replaced }]);

    expect(server.replaceEphemeral(ack.ts, { text: 'no blocks' })).toMatchObject({ text: 'no blocks', blocks: [] });
    await respond(server.responseUrl({ channel: 'C1', ephemeralTs: ack.ts }), { delete_original: true });
    expect(server.replaceEphemeral(ack.ts, { text: 'too late' })).toBeUndefined();
    expect(server.replaceEphemeral('1.000001', { text: 'nobody' })).toBeUndefined();
    expect(server.ephemeral(ack.ts)).toMatchObject({ text: 'no blocks', deleted: true });
    expect(changes).toHaveLength(3);
  });
});

describe('names the page shows', () => {
  test('channelName and userName come from the options, else the id', async () => {
    const server = await workspace({
      channelNames: { C0LOCAL: 'trailbot-local' },
      users: { U1: { name: 'alice', real_name: 'Alice Liddell' }, U2: { name: 'bob' }, U3: { real_name: '' } },
    });
    expect(server.channelName('C0LOCAL')).toBe('trailbot-local');
    expect(server.channelName('C0OTHER')).toBe('C0OTHER');
    expect(server.userName('U1')).toBe('Alice Liddell');
    expect(server.userName('U2')).toBe('bob');
    expect(server.userName('U3')).toBe('U3');
    expect(server.userName('U0NOBODY')).toBe('U0NOBODY');
    expect(server.userName(server.botUserId)).toBe('trailbot');
  });

  test('channel names name channels without restricting them', async () => {
    const server = await workspace({ channelNames: { C0LOCAL: 'trailbot-local' } });
    const posted = await clientFor(server).chat.postMessage({ channel: 'C0ELSEWHERE', text: 'routed' });
    expect(posted.ok).toBe(true);
  });
});
