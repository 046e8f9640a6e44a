/**
 * POST /sns as a Bolt custom route: Bolt hands custom routes the raw Node request, body unread and unverified.
 * This reads the body whatever its content type (SNS sends JSON as `text/plain; charset=UTF-8`) up to a cap
 * (413 past it, without reading the rest into memory), hands headers + body to the SNS handler, and writes its
 * status and body. All decisions are the handler's.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import { MAX_SNS_BODY_BYTES } from '../../core/sns/sns-message.js';
import type { Logger } from '../../ports.js';
import type { SnsHandler } from './sns-handler.js';

export const SNS_PATH = '/sns';

export interface SnsRouteOptions {
  handler: SnsHandler;
  logger: Logger;
  /** Default MAX_SNS_BODY_BYTES (300 KiB). */
  maxBodyBytes?: number;
}

export function createSnsRoute(options: SnsRouteOptions): CustomRoute {
  return {
    path: SNS_PATH,
    method: ['POST'],
    handler: (req, res) => {
      void serveSns(req, res, options);
    },
  };
}

type BodyResult = { kind: 'body'; text: string } | { kind: 'too_large' } | { kind: 'failed'; reason: string };

export async function serveSns(req: IncomingMessage, res: ServerResponse, options: SnsRouteOptions): Promise<void> {
  const maxBytes = options.maxBodyBytes ?? MAX_SNS_BODY_BYTES;
  try {
    const body = await readBody(req, maxBytes);
    if (body.kind === 'too_large') {
      options.logger.warn({ status: 413, code: 'too_large' }, 'sns message refused');
      reply(res, 413, '{"ok":false,"error":"too_large"}', true);
      return;
    }
    if (body.kind === 'failed') {
      options.logger.warn({ code: 'read_failed', reason: body.reason }, 'sns request body could not be read');
      if (!res.headersSent && !res.destroyed) reply(res, 400, '{"ok":false,"error":"read_failed"}', true);
      return;
    }
    const response = await options.handler({ headers: req.headers, rawBody: body.text });
    reply(res, response.status, response.body, false);
  } catch (error) {
    options.logger.error(
      { code: 'internal', reason: error instanceof Error ? error.message : String(error) },
      'sns route failed',
    );
    if (!res.headersSent && !res.destroyed) reply(res, 500, '{"ok":false,"error":"internal"}', true);
  }
}

function reply(res: ServerResponse, status: number, body: string, close: boolean): void {
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...(close ? { Connection: 'close' } : {}),
  });
  res.end(body);
}

/** The body as UTF-8, or `too_large` as soon as the declared length or the bytes read pass `maxBytes`. */
function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    if (declared > maxBytes) {
      req.resume(); // discard what is sent; the 413 goes out at once
      resolve({ kind: 'too_large' });
      return;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const settle = (result: BodyResult): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      total += chunk.length;
      if (total > maxBytes) {
        chunks.length = 0;
        settle({ kind: 'too_large' });
        return; // keep draining (data events discarded) so the client can read the 413
      }
      chunks.push(chunk);
    });
    req.on('end', () => settle({ kind: 'body', text: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', (error) => settle({ kind: 'failed', reason: error.message }));
    req.on('aborted', () => settle({ kind: 'failed', reason: 'client aborted the request' }));
  });
}
