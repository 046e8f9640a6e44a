/**
 * `--source SPEC` → an EventSource: `samples`, `files:PATH`, `lookup` or `athena:DATABASE.TABLE[?SETTINGS]`. Wrong
 * specs are usage errors that say what to type.
 */
import { stat } from 'node:fs/promises';
import type { AccountSettings } from '../../core/accounts.js';
import { looksLikeRegion } from '../../core/aws-regions.js';
import { TrailbotError } from '../../core/errors.js';
import type { EventSource } from '../../ports.js';
import { createAccountsSource } from './accounts-source.js';
import { type AthenaSettings, createAthenaSource } from './athena-source.js';
import { createFilesSource } from './files-source.js';
import { createLookupSource } from './lookup-source.js';
import { createSamplesSource } from './samples-source.js';

export interface OpenSourceOptions {
  /**
   * lookup: the regions a question reads when it has no `in` (`--regions`, else TRAILBOT_REGIONS, else AWS_REGION).
   * `in all` reads every commercial region whatever this says.
   */
  regions?: readonly string[];
  /** lookup: the accounts map (TRAILBOT_CONFIG `accounts:`); non-empty: every account through its role. */
  accounts?: readonly AccountSettings[];
  /**
   * athena: settings the spec does not give (a configuration's defaults); the spec's own `?workgroup=…&output=…`
   * win over these.
   */
  athena?: Omit<AthenaSettings, 'database' | 'table'>;
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
  if (spec.startsWith('athena:')) return createAthenaSource(parseAthenaSpec(spec, options.athena ?? {}));
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
    const accounts = options.accounts ?? [];
    return accounts.length > 0 ? createAccountsSource({ regions, accounts }) : createLookupSource({ regions });
  }
  throw new TrailbotError(
    'source_invalid',
    `--source ${spec}: unknown source; use lookup, samples, files:PATH or athena:DATABASE.TABLE`,
    'user',
  );
}

const ATHENA_EXAMPLE = 'athena:cloudtrail.org_trail?workgroup=trailbot&output=s3://my-athena-results/trailbot/';
/** The spec's settings and the AthenaSettings they fill. */
const ATHENA_KEYS = { workgroup: 'workgroup', output: 'outputLocation', catalog: 'catalog', region: 'region' } as const;

/**
 * `athena:DATABASE.TABLE[?workgroup=NAME&output=s3://BUCKET/PREFIX/&catalog=NAME&region=CODE]` → the settings, over
 * `defaults`. Values are URL-decoded (`%2F`); every mistake is a usage error naming the part at fault.
 */
export function parseAthenaSpec(
  spec: string,
  defaults: Omit<AthenaSettings, 'database' | 'table'> = {},
): AthenaSettings {
  const body = spec.slice('athena:'.length);
  const question = body.indexOf('?');
  const name = question === -1 ? body : body.slice(0, question);
  const match = /^([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(name);
  if (match === null)
    throw new TrailbotError(
      'source_invalid',
      `--source athena: needs DATABASE.TABLE (letters, digits and _), e.g. ${ATHENA_EXAMPLE}`,
      'user',
    );
  const settings: AthenaSettings = { ...defaults, database: match[1] ?? '', table: match[2] ?? '' };
  if (question === -1) return settings;
  for (const [key, value] of new URLSearchParams(body.slice(question + 1))) {
    if (!Object.hasOwn(ATHENA_KEYS, key))
      throw new TrailbotError(
        'source_invalid',
        `--source athena: unknown setting "${key.slice(0, 40)}"; use workgroup, output, catalog or region, e.g. ${ATHENA_EXAMPLE}`,
        'user',
      );
    const field = ATHENA_KEYS[key as keyof typeof ATHENA_KEYS];
    if (value === '' || value.length > 1024)
      throw new TrailbotError('source_invalid', `--source athena: ${key}= needs a value`, 'user');
    if (field === 'outputLocation' && !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/|$)/.test(value))
      throw new TrailbotError(
        'source_invalid',
        `--source athena: output= must be an S3 location such as s3://my-athena-results/trailbot/`,
        'user',
      );
    if (field === 'region' && !looksLikeRegion(value))
      throw new TrailbotError(
        'source_invalid',
        `--source athena: region "${value.slice(0, 40)}" is not a region code such as eu-west-1`,
        'user',
      );
    settings[field] = value;
  }
  return settings;
}
