/** `--source SPEC` → an EventSource: `samples`, or `files:PATH`. Wrong specs are usage errors that say what to type. */
import { stat } from 'node:fs/promises';
import { TrailbotError } from '../../core/errors.js';
import type { EventSource } from '../../ports.js';
import { createFilesSource } from './files-source.js';
import { createSamplesSource } from './samples-source.js';

export async function openSource(spec: string): Promise<EventSource> {
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
    throw new TrailbotError(
      'source_invalid',
      '--source lookup: live LookupEvents is not in this version yet; use --source files:PATH or --source samples',
      'user',
    );
  }
  throw new TrailbotError('source_invalid', `--source ${spec}: unknown source; use samples or files:PATH`, 'user');
}
