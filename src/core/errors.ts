/**
 * One catalogue of failures, each tagged with who must act (STYLE.md habit 2): the person asking (`user`),
 * something outside us (`upstream`: AWS, Slack, a trail file), or us (`bug`). Messages say what to fix.
 */
export type Fault = 'user' | 'upstream' | 'bug';

export type ErrorCode =
  /** A query or command line that cannot be understood. */
  | 'usage'
  /** A source named on the command line that cannot be used (no such folder, unknown kind). */
  | 'source_invalid'
  /** The event source failed while answering (unreadable folder, AWS error). */
  | 'source_failed'
  /** The environment or TRAILBOT_CONFIG is missing or has invalid settings (every problem listed at once). */
  | 'config'
  /** The store (TRAILBOT_STORE) cannot be opened, migrated, read or written. */
  | 'store_failed'
  /** Something we did not expect: a bug. */
  | 'internal';

export class TrailbotError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fault: Fault,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TrailbotError';
  }
}

/** Normalizes anything thrown into a TrailbotError; an unknown error is a bug, with a message but no stack. */
export function asTrailbotError(error: unknown): TrailbotError {
  if (error instanceof TrailbotError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new TrailbotError('internal', `internal error: ${message}`, 'bug', { cause: error });
}
