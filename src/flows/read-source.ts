/**
 * One read of an event source: every raw record of every batch to `onRecord`, with the event loop let through
 * between batches (a server answering many questions must still ack the next one at once), and anything the source
 * throws that is not already a TrailbotError turned into one naming the source.
 */
import { TrailbotError } from '../core/errors.js';
import type { EventSource, ScanRequest } from '../ports.js';

export async function readSource(
  source: EventSource,
  request: ScanRequest,
  onRecord: (raw: unknown) => void,
): Promise<void> {
  try {
    for await (const batch of source.scan(request)) {
      for (const raw of batch) onRecord(raw);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } catch (error) {
    if (error instanceof TrailbotError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new TrailbotError('source_failed', `${source.label}: ${message}`, 'upstream', { cause: error });
  }
}
