/**
 * The part of the SQLite and PostgreSQL stores that is the same: each is both the Store and the Outbox, the Outbox
 * methods handed to its outbox object (sqlite-outbox.ts, postgres-outbox.ts), and each refuses calls once closed.
 */
import { TrailbotError } from '../../core/errors.js';
import type {
  ClaimOptions,
  Incident,
  IncidentUpdate,
  Outbox,
  OutboxDepth,
  OutboxEntry,
  OutboxWrite,
} from '../../ports.js';

export abstract class OutboxStore implements Outbox {
  readonly #outbox: Outbox;
  #closed = false;

  /** `outbox` builds the outbox object, given the check that throws once the store is closed. */
  protected constructor(outbox: (assertOpen: () => void) => Outbox) {
    this.#outbox = outbox(() => this.assertOpen());
  }

  enqueue(writes: readonly OutboxWrite[], incidents?: readonly IncidentUpdate[]): Promise<number[]> {
    return this.#outbox.enqueue(writes, incidents);
  }

  acceptSnsMessage(
    messageId: string,
    topicArn: string,
    body: string,
    writes: readonly OutboxWrite[],
    incidents?: readonly IncidentUpdate[],
  ): Promise<'accepted' | 'duplicate'> {
    return this.#outbox.acceptSnsMessage(messageId, topicArn, body, writes, incidents);
  }

  claim(now: Date, limit: number, exclude?: readonly string[], options?: ClaimOptions): Promise<OutboxEntry[]> {
    return this.#outbox.claim(now, limit, exclude, options);
  }

  markDelivered(id: number, ts: string, at?: Date): Promise<void> {
    return this.#outbox.markDelivered(id, ts, at);
  }

  retryAt(id: number, when: Date, error: string, options?: { unconfirmed?: boolean }): Promise<void> {
    return this.#outbox.retryAt(id, when, error, options);
  }

  markDead(id: number, error: string): Promise<void> {
    return this.#outbox.markDead(id, error);
  }

  inflightOlderThan(t: Date): Promise<OutboxEntry[]> {
    return this.#outbox.inflightOlderThan(t);
  }

  takeOverInflight(claimedBefore: Date, at: Date): Promise<number> {
    return this.#outbox.takeOverInflight(claimedBefore, at);
  }

  depth(): Promise<OutboxDepth> {
    return this.#outbox.depth();
  }

  entry(id: number): Promise<OutboxEntry | undefined> {
    return this.#outbox.entry(id);
  }

  incident(key: string): Promise<Incident | undefined> {
    return this.#outbox.incident(key);
  }

  /** Releases the database (once); later calls reject. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.release();
  }

  /** Ends the connection or pools, waiting for the queries under way. */
  protected abstract release(): Promise<void> | void;

  protected assertOpen(): void {
    if (this.#closed) throw new TrailbotError('internal', 'the store is closed', 'bug');
  }
}
