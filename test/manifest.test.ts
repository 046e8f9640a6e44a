import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import type { App } from '@slack/bolt';
import { parse } from 'yaml';
import { LISTENERS, registerListeners } from '../src/inbound/slack/register.js';
import type { SlackDeps } from '../src/inbound/slack/slack-deps.js';

interface Manifest {
  display_information: { name: string; description: string };
  features: {
    bot_user: { display_name: string };
    slash_commands: { command: string; description: string; usage_hint?: string; should_escape?: boolean }[];
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { request_url?: string; bot_events: string[] };
    interactivity: { is_enabled: boolean; request_url?: string };
    socket_mode_enabled: boolean;
  };
}

const manifest = parse(readFileSync(new URL('../manifest.yml', import.meta.url), 'utf8')) as Manifest;

/** What registerListeners really registers, recorded by an App stand-in that only notes the calls. */
function registered() {
  const seen = { commands: [] as string[], events: [] as string[], actions: [] as string[] };
  const recorder = {
    command: (name: string) => seen.commands.push(name),
    event: (name: string) => seen.events.push(name),
    action: (id: string) => seen.actions.push(id),
  };
  registerListeners(recorder as unknown as App, {} as SlackDeps);
  return seen;
}

describe('manifest.yml and the listeners', () => {
  test('every slash command the manifest declares has a listener, and back', () => {
    expect(manifest.features.slash_commands.map((c) => c.command).sort()).toEqual([...LISTENERS.commands].sort());
    expect(registered().commands.sort()).toEqual([...LISTENERS.commands].sort());
  });

  test('every bot event the manifest subscribes to has a listener, and back', () => {
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual([...LISTENERS.events].sort());
    expect(registered().events.sort()).toEqual([...LISTENERS.events].sort());
  });

  test('the buttons our messages carry have listeners, and interactivity is on for them', () => {
    expect(registered().actions.sort()).toEqual([...LISTENERS.actions].sort());
    expect(manifest.settings.interactivity.is_enabled).toBe(LISTENERS.actions.length > 0);
  });

  test('HTTP mode sends commands, events and interactivity to /slack/events', () => {
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    const urls = [
      ...manifest.features.slash_commands.map((c) => (c as { url?: string }).url),
      manifest.settings.event_subscriptions.request_url,
      manifest.settings.interactivity.request_url,
    ];
    for (const url of urls) expect(url).toMatch(/^https:\/\/[^/]+\/slack\/events$/);
  });

  test('declares /trail within Slack limits', () => {
    const [trail] = manifest.features.slash_commands;
    expect(trail?.command.length).toBeLessThanOrEqual(32);
    expect(trail?.usage_hint?.length ?? 0).toBeLessThanOrEqual(1000);
    expect(trail?.should_escape).toBe(false);
  });

  test('has the bot scopes the listeners use', () => {
    expect(manifest.oauth_config.scopes.bot).toEqual(
      expect.arrayContaining([
        'commands',
        'chat:write',
        'app_mentions:read',
        'files:write',
        'im:write',
        'usergroups:read',
      ]),
    );
  });

  test('names fit the manifest limits', () => {
    expect(manifest.display_information.name.length).toBeLessThanOrEqual(35);
    expect(manifest.display_information.description.length).toBeLessThanOrEqual(140);
    expect(manifest.features.bot_user.display_name).toMatch(/^[a-z0-9._-]{1,80}$/);
  });
});
