/**
 * The sample alarms bundled with the package (`samples/alarms/*.json`, see samples/README.md): what local mode's
 * channel page offers under "send alarm". Each file is `{ title, description, subject?, message }`, `message` being
 * the SNS Message as an object (a CloudWatch alarm state change, or an EventBridge event) that is serialized here to
 * the string SNS would deliver. They are tied to events in the bundled sample trail, so alarm enrichment finds what
 * tripped them (test/local/sample-alarms.test.ts holds them to that).
 *
 * src/ and dist/ both sit at the package root, so the same relative path finds the folder from src/local/*.ts and
 * from dist/local/*.js (as samples-source.ts finds the sample trail).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** Absolute path of the bundled `samples/alarms/` folder. */
export const SAMPLE_ALARMS_PATH: string = fileURLToPath(new URL('../../samples/alarms', import.meta.url));

export interface SampleAlarm {
  /** The file name without `.json`, e.g. `security-group-changes`. */
  id: string;
  title: string;
  /** One line: what the alarm shows. */
  description: string;
  /** The SNS Subject; absent where the publisher sets none (EventBridge never does). */
  subject?: string;
  /** The SNS Message: the file's `message`, serialized as SNS delivers it. */
  message: string;
}

/** SNS caps a Subject at 100 characters, on one line. */
const MAX_SUBJECT = 100;
/** SNS caps a message at 256 KB. */
const MAX_MESSAGE_BYTES = 256 * 1024;

const oneLine = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((text) => !/[\r\n]/.test(text), 'must be one line');

const SampleAlarmFile = z.strictObject({
  title: oneLine(100),
  description: oneLine(300),
  subject: oneLine(MAX_SUBJECT).optional(),
  message: z.record(z.string(), z.unknown()),
});

/** A sample alarm file that cannot be used: names the file and says why. */
export class SampleAlarmError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SampleAlarmError';
  }
}

/** Every `*.json` in `folder` (default: the bundled one), validated, sorted by id. A malformed file throws. */
export async function loadSampleAlarms(folder: string = SAMPLE_ALARMS_PATH): Promise<SampleAlarm[]> {
  const names = (await readdir(folder)).filter((name) => name.endsWith('.json'));
  const alarms = await Promise.all(names.map((name) => loadSampleAlarm(join(folder, name), name)));
  return alarms.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

async function loadSampleAlarm(path: string, name: string): Promise<SampleAlarm> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new SampleAlarmError(`sample alarm ${path}: not JSON (${messageOf(error)})`, { cause: error });
  }
  const checked = SampleAlarmFile.safeParse(parsed);
  if (!checked.success)
    throw new SampleAlarmError(`sample alarm ${path}: ${z.prettifyError(checked.error).replace(/\n/g, '; ')}`);
  const { title, description, subject, message } = checked.data;
  const text = JSON.stringify(message);
  if (Buffer.byteLength(text, 'utf8') > MAX_MESSAGE_BYTES)
    throw new SampleAlarmError(`sample alarm ${path}: message is over SNS's ${MAX_MESSAGE_BYTES} bytes`);
  return {
    id: name.slice(0, -'.json'.length),
    title,
    description,
    ...(subject === undefined ? {} : { subject }),
    message: text,
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
