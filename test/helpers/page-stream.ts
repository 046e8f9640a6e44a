/**
 * The local channel page's event stream (`GET /local/events`, server-sent events) read as a client: every
 * `message` frame in arrival order, and a promise for the first message that matches, settled the moment its frame
 * arrives (the latency bench times with it, so it does not poll).
 */
import type { PageMessage } from '../../src/local/channel-page.js';

export interface PageStream {
  messages: PageMessage[];
  /** Every frame's event name in arrival order (`init`, `message`, `view`, `outage`). */
  events: string[];
  /** The first message from now on that `match` accepts. */
  next(match: (message: PageMessage) => boolean): Promise<PageMessage>;
  close(): void;
}

export async function openPageStream(base: string): Promise<PageStream> {
  const controller = new AbortController();
  const response = await fetch(`${base}/local/events`, { signal: controller.signal });
  const waiters = new Set<{ match: (m: PageMessage) => boolean; resolve: (m: PageMessage) => void }>();
  const stream: PageStream = {
    messages: [],
    events: [],
    next: (match) =>
      new Promise((resolve) => {
        waiters.add({ match, resolve });
      }),
    close: () => controller.abort(),
  };
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const chunk = await reader?.read();
        if (chunk === undefined || chunk.done) return;
        buffer += decoder.decode(chunk.value, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (event !== undefined) stream.events.push(event);
          if (event === 'message' && data !== undefined) {
            const message = JSON.parse(data) as PageMessage;
            stream.messages.push(message);
            for (const waiter of waiters) {
              if (!waiter.match(message)) continue;
              waiters.delete(waiter);
              waiter.resolve(message);
            }
          }
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // aborted
    }
  })();
  return stream;
}

/** The latest state of each message the stream has shown. */
export function latestMessages(stream: PageStream): PageMessage[] {
  const byKey = new Map<string, PageMessage>();
  for (const m of stream.messages) byKey.set(m.key, m);
  return [...byKey.values()];
}
