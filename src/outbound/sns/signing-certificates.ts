/**
 * SNS signing certificates, fetched once per URL and cached (aws-slack-facts §3.4). The caller has already checked
 * the URL against the allow rule; this fetches it without following redirects (a redirect could leave the allowed
 * host), refuses non-2xx answers and bodies over `maxBytes`, gives up after `timeoutMs`, and keeps only what parses
 * as an X.509 certificate with an RSA key that is valid now. Concurrent requests for one URL share one fetch;
 * failures are not cached (the next message tries again). Entries expire after `ttlMs` and the least recently used
 * goes first past `maxEntries`, so a flood of distinct (allowed) URLs cannot grow memory without bound.
 */
import { X509Certificate } from 'node:crypto';

export interface CertificateCacheOptions {
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  /** Default 100 (SNS uses one certificate per region at a time, rotated rarely). */
  maxEntries?: number;
  /** Default 24 hours. */
  ttlMs?: number;
  /** Default 5 s, for the whole fetch including the body. */
  timeoutMs?: number;
  /** Default 16 KiB (an SNS certificate PEM is under 2 KiB). */
  maxBytes?: number;
  /** Milliseconds since the epoch, for expiry and the certificate's validity. Default Date.now. */
  now?: () => number;
}

export interface CertificateCache {
  get(url: string): Promise<X509Certificate>;
}

/** A certificate that could not be had: a network failure, a timeout, a refusal or not a certificate. */
export class CertificateFetchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CertificateFetchError';
  }
}

interface Entry {
  promise: Promise<X509Certificate>;
  expiresAt: number;
}

export function createCertificateCache(options: CertificateCacheOptions = {}): CertificateCache {
  const fetchFn = options.fetch ?? globalThis.fetch;
  const maxEntries = Math.max(1, options.maxEntries ?? 100);
  const ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxBytes = options.maxBytes ?? 16 * 1024;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();

  const load = async (url: string): Promise<X509Certificate> => {
    let response: Response;
    try {
      response = await fetchFn(url, { redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new CertificateFetchError(`signing certificate ${url} could not be fetched: ${messageOf(error)}`, {
        cause: error,
      });
    }
    if (response.status < 200 || response.status > 299) {
      await response.body?.cancel().catch(() => undefined);
      throw new CertificateFetchError(`signing certificate ${url} answered HTTP ${response.status}`);
    }
    const pem = await readCapped(response, maxBytes, url);
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(pem);
    } catch (error) {
      throw new CertificateFetchError(`signing certificate ${url} is not an X.509 certificate`, { cause: error });
    }
    if (certificate.publicKey.asymmetricKeyType !== 'rsa')
      throw new CertificateFetchError(`signing certificate ${url} does not hold an RSA key`);
    const at = now();
    const from = Date.parse(certificate.validFrom);
    const to = Date.parse(certificate.validTo);
    if (!(from <= at && at <= to))
      throw new CertificateFetchError(
        `signing certificate ${url} is not valid now (valid ${certificate.validFrom} to ${certificate.validTo})`,
      );
    return certificate;
  };

  return {
    get(url: string): Promise<X509Certificate> {
      const at = now();
      const hit = entries.get(url);
      if (hit !== undefined) {
        entries.delete(url);
        if (hit.expiresAt > at) {
          entries.set(url, hit); // most recently used goes last
          return hit.promise;
        }
      }
      const entry: Entry = { promise: load(url), expiresAt: at + ttlMs };
      entries.set(url, entry);
      entry.promise.catch(() => {
        if (entries.get(url) === entry) entries.delete(url);
      });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done === true) break;
        entries.delete(oldest.value);
      }
      return entry.promise;
    },
  };
}

async function readCapped(response: Response, maxBytes: number, url: string): Promise<string> {
  const tooBig = (): CertificateFetchError =>
    new CertificateFetchError(`signing certificate ${url} is over ${maxBytes} bytes`);
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooBig();
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooBig();
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof CertificateFetchError) throw error;
    throw new CertificateFetchError(`signing certificate ${url} could not be read: ${messageOf(error)}`, {
      cause: error,
    });
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Duck-typed: a fetch's DOMException or TypeError may come from another realm (not `instanceof Error`). */
function messageOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const { name, message, cause } = error as { name?: unknown; message?: unknown; cause?: unknown };
  if (name === 'TimeoutError') return 'timed out';
  const causeText =
    typeof cause === 'object' && cause !== null && typeof (cause as { message?: unknown }).message === 'string'
      ? ` (${(cause as { message: string }).message})`
      : '';
  return `${typeof message === 'string' ? message : String(error)}${causeText}`;
}
