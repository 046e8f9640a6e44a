/**
 * The sample trail bundled with the package (`samples/` at the package root; see samples/README.md): the embedded
 * default source that works offline. src/ and dist/ both sit at the package root, so the same relative path finds
 * it from src/outbound/event-sources/*.ts and from dist/outbound/event-sources/*.js. Only `samples/AWSLogs/` is
 * read: the folder also holds local mode's sample alarms (`samples/alarms/*.json`), which are not trail data.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventSource } from '../../ports.js';
import { createFilesSource } from './files-source.js';

/** Absolute path of the bundled `samples/` folder. */
export const SAMPLES_PATH: string = fileURLToPath(new URL('../../../samples', import.meta.url));

export function createSamplesSource(): EventSource {
  const files = createFilesSource(join(SAMPLES_PATH, 'AWSLogs'));
  return {
    kind: 'files',
    label: 'samples',
    scan: (request) => files.scan(request),
  };
}
