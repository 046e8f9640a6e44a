/**
 * The awsJson1_1 plumbing the loopback AWS services share (CloudTrail, CloudWatch Logs): an HTTP server on
 * 127.0.0.1 that takes `POST /` with `Content-Type: application/x-amz-json-1.1` and an `X-Amz-Target` it serves,
 * reads the region from the SigV4 credential scope (which must name `service`; the signature itself is not checked),
 * reads the body (1 MiB at most) as a JSON object and hands it to the target's handler. Answers are JSON; errors are
 * `{"__type": …, "message": …}` with HTTP 400 (500 for InternalFailure, what a handler's own failure becomes).
 * Every request is recorded, in arrival order, in `calls`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const MAX_BODY = 1024 * 1024;

/** An error answer: HTTP 400 (500 for InternalFailure) `{"__type": type, [messageKey]: message}`. */
export class AwsJsonError extends Error {
  constructor(
    readonly type: string,
    message: string,
    /** AccessDeniedException says `Message`; most errors say `message`. */
    readonly messageKey: 'message' | 'Message' = 'message',
  ) {
    super(message);
  }
}

/** What every recorded call holds; the plumbing fills these in. */
export interface AwsJsonCall {
  /** The SigV4 scope's region ('' when the request was not signed). */
  region: string;
  /** The X-Amz-Target ('' when there was none). */
  target: string;
  status: number;
  /** The `__type` of an error answer. */
  error: string | null;
}

/** Answers a target's request: its JSON input (an object) → the JSON output; throws AwsJsonError to refuse. */
export type AwsJsonHandler<C extends AwsJsonCall> = (
  input: Record<string, unknown>,
  call: C,
) => Record<string, unknown>;

export interface AwsJsonServerOptions<C extends AwsJsonCall> {
  /** The service the SigV4 credential scope must name (`cloudtrail`, `logs`). */
  service: string;
  /** The handler for each X-Amz-Target served. */
  targets: Readonly<Record<string, AwsJsonHandler<C>>>;
  /** The record of a request, made as it arrives (status 200, no error, no region or target yet). */
  newCall(): C;
  /**
   * Runs once the region is known, before the body is read: throws AwsJsonError to refuse (throttling, a region).
   * `accessKeyId` is the SigV4 credential's (whose account a service holding several accounts answers for).
   */
  admit?(region: string, call: C, accessKeyId: string): void;
  /** Runs after an error answer was recorded in `call.status` and `call.error`. */
  failed?(error: AwsJsonError, call: C): void;
}

export interface AwsJsonServer<C extends AwsJsonCall> {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Every call, in arrival order. */
  readonly calls: readonly C[];
  close(): Promise<void>;
}

export async function startAwsJsonServer<C extends AwsJsonCall>(
  options: AwsJsonServerOptions<C>,
): Promise<AwsJsonServer<C>> {
  const calls: C[] = [];

  const handle = (req: IncomingMessage, body: string, call: C): Record<string, unknown> => {
    if (req.method !== 'POST' || (req.url ?? '/').split('?')[0] !== '/')
      throw new AwsJsonError('UnknownOperationException', 'Only POST / is served here');
    const target = headerOf(req, 'x-amz-target');
    call.target = target;
    const handler = Object.hasOwn(options.targets, target) ? options.targets[target] : undefined;
    if (handler === undefined)
      throw new AwsJsonError('UnknownOperationException', `Unknown operation ${target || '(no X-Amz-Target)'}`);
    if (!headerOf(req, 'content-type').startsWith('application/x-amz-json-1.1'))
      throw new AwsJsonError('SerializationException', 'Content-Type must be application/x-amz-json-1.1');
    const scope = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/.exec(
      headerOf(req, 'authorization'),
    );
    if (scope === null) throw new AwsJsonError('MissingAuthenticationTokenException', 'Missing Authentication Token');
    const [, accessKeyId = '', region = '', service = ''] = scope;
    call.region = region;
    if (service !== options.service)
      throw new AwsJsonError(
        'InvalidSignatureException',
        `Credential should be scoped to correct service: '${options.service}'.`,
      );
    options.admit?.(region, call, accessKeyId);

    let input: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(body === '' ? '{}' : body);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      input = parsed as Record<string, unknown>;
    } catch {
      throw new AwsJsonError('SerializationException', 'The request body is not a JSON object');
    }
    return handler(input, call);
  };

  const server = createServer((req, res) => {
    const call = options.newCall();
    calls.push(call);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        if (size > MAX_BODY) throw new AwsJsonError('SerializationException', 'The request body is too large');
        send(res, 200, handle(req, Buffer.concat(chunks).toString('utf8'), call));
      } catch (error) {
        const e = error instanceof AwsJsonError ? error : new AwsJsonError('InternalFailure', String(error));
        call.status = e.type === 'InternalFailure' ? 500 : 400;
        call.error = e.type;
        options.failed?.(e, call);
        send(res, call.status, { __type: e.type, [e.messageKey]: e.message });
      }
    });
  });
  // Keep-alive sockets the SDK holds open must not keep close() waiting.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      });
    },
  };
}

/**
 * Per-region token buckets, as AWS throttles a call: a quiet region takes `burst` requests at once, then `rate` a
 * second. The function answers whether a request in `region` at `at` (performance.now()) is let through.
 */
export function regionRateLimit(rate: number, burst: number): (region: string, at: number) => boolean {
  const buckets = new Map<string, { tokens: number; last: number }>();
  return (region, at) => {
    const bucket = buckets.get(region) ?? { tokens: burst, last: at };
    bucket.tokens = Math.min(burst, bucket.tokens + ((at - bucket.last) / 1000) * rate);
    bucket.last = at;
    buckets.set(region, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  };
}

function headerOf(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}
