/**
 * `--source SPEC` → an EventSource: `samples`, `files:PATH` or `lookup`. Wrong specs are usage errors that say what
 * to type.
 */
import { stat } from 'node:fs/promises';
import { looksLikeRegion } from '../../core/aws-regions.js';
import { TrailbotError } from '../../core/errors.js';
import type { EventSource } from '../../ports.js';
import { createFilesSource } from './files-source.js';
import { createLookupSource } from './lookup-source.js';
import { createSamplesSource } from './samples-source.js';

export interface OpenSourceOptions {
  /**
   * lookup: the regions a question reads when it has no `in` (`--regions`, else TRAILBOT_REGIONS, else AWS_REGION).
   * `in all` reads every commercial region whatever this says.
   */
  regions?: readonly string[];
}

const NO_REGION =
  '--source lookup needs a region: pass --regions eu-west-1,us-east-1, or set TRAILBOT_REGIONS or AWS_REGION';

export async function openSource(spec: string, options: OpenSourceOptions = {}): Promise<EventSource> {
  if (spec === 'samples') return createSamplesSource();
  if (spec.startsWith('files:')) {
    const path = spec.slice('files:'.length);
    if (path === '')
      throw new TrailbotError('source_invalid', '--source files: needs a path, e.g. files:./AWSLogs', 'user');
    try {
      await stat(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file or folder' : code === 'EACCES' ? 'permission denied' : String(code);
      throw new TrailbotError('source_invalid', `--source ${spec}: ${why}`, 'user', { cause: error });
    }
    return createFilesSource(path);
  }
  if (spec === 'lookup') {
    const regions = (options.regions ?? []).map((r) => r.trim().toLowerCase()).filter((r) => r !== '');
    if (regions.length === 0) throw new TrailbotError('source_invalid', NO_REGION, 'user');
    const odd = regions.find((r) => !looksLikeRegion(r));
    if (odd !== undefined)
      throw new TrailbotError(
        'source_invalid',
        `region "${odd.slice(0, 40)}" is not a region code such as eu-west-1: fix --regions, TRAILBOT_REGIONS or AWS_REGION`,
        'user',
      );
    return createLookupSource({ regions });
  }
  throw new TrailbotError(
    'source_invalid',
    `--source ${spec}: unknown source; use lookup, samples or files:PATH`,
    'user',
  );
}
