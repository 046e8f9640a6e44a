/**
 * STS AssumeRole on loopback, for tests and the benchmark that drive the real `@aws-sdk/client-sts` (endpoint = `url`,
 * or `AWS_ENDPOINT_URL_STS`: the SDK's variable for the service id "STS").
 *
 * It speaks awsQuery as the SDK sends it: `POST /`, `Content-Type: application/x-www-form-urlencoded`, a form body
 * `Action=AssumeRole&Version=2011-06-15&RoleArn=…&RoleSessionName=…&DurationSeconds=…[&ExternalId=…]`, SigV4 scoped
 * to `sts` (the signature itself is not checked); answers are `<AssumeRoleResponse>` XML, errors
 * `<ErrorResponse><Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error>…` with HTTP 400 or 403. And it
 * holds callers to STS's rules: a role ARN, a session name of 2–64 of `[\w+=,.@-]`, DurationSeconds from 900 to the
 * role's maximum (3600 unless set), an external id of 2–1224 characters, the one a role requires when it requires one.
 *
 * Credentials name their account: the AccessKeyId is `ASIA` + the role's 12-digit account id + 4 random characters,
 * which is how test/loopback/cloudtrail-server.ts (recordsByAccount) knows whose history a call reads. Every call is
 * recorded in `calls`; every credential issued in `issued`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const MAX_BODY = 64 * 1024;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

export interface StsServerOptions {
  /** Role ARNs whose trust policy does not let the caller in: AccessDenied. */
  denied?: readonly string[];
  /** The external id each role's trust policy requires (sts:ExternalId): AssumeRole without it is AccessDenied. */
  externalIds?: Readonly<Record<string, string>>;
  /** How long issued credentials live, in seconds (default the DurationSeconds asked): short for refresh tests. */
  lifetimeSeconds?: number;
  /** A role's MaxSessionDuration (default 3600): a longer DurationSeconds is a ValidationError, as in AWS. */
  maxSessionSeconds?: number;
  /** The caller AccessDenied names (default arn:aws:iam::999999999999:user/trailbot). */
  callerArn?: string;
  /** The clock for Expiration (default the system clock). */
  now?: () => Date;
}

export interface StsCall {
  /** performance.now() when the request arrived. */
  at: number;
  /** The SigV4 scope's region ('' when the request was not signed). */
  region: string;
  /** The caller's access key id, from the SigV4 credential. */
  accessKeyId: string;
  action: string;
  roleArn: string | null;
  /** The role's account (null when the ARN is not a role ARN). */
  account: string | null;
  sessionName: string | null;
  durationSeconds: number | null;
  externalId: string | null;
  status: number;
  /** The error Code of an error answer. */
  error: string | null;
  /** The AccessKeyId issued (null when none was). */
  issued: string | null;
}

export interface IssuedCredentials {
  account: string;
  roleArn: string;
  sessionName: string;
  expiration: Date;
}

export interface StsServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Every call, in arrival order. */
  readonly calls: readonly StsCall[];
  /** Every credential issued, by AccessKeyId. */
  readonly issued: ReadonlyMap<string, IssuedCredentials>;
  /** AssumeRole calls for one account's roles, answered or not. */
  assumeCalls(account: string): number;
  close(): Promise<void>;
}

class StsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export async function startStsServer(options: StsServerOptions = {}): Promise<StsServer> {
  const denied = new Set(options.denied ?? []);
  const externalIds = options.externalIds ?? {};
  const maxSession = options.maxSessionSeconds ?? 3600;
  const callerArn = options.callerArn ?? 'arn:aws:iam::999999999999:user/trailbot';
  const now = options.now ?? (() => new Date());
  const calls: StsCall[] = [];
  const issued = new Map<string, IssuedCredentials>();

  const assumeRole = (form: URLSearchParams, call: StsCall): string => {
    const roleArn = form.get('RoleArn');
    const sessionName = form.get('RoleSessionName');
    const duration = form.get('DurationSeconds');
    const externalId = form.get('ExternalId');
    call.roleArn = roleArn;
    call.sessionName = sessionName;
    call.externalId = externalId;
    const role = roleArn === null ? null : ROLE_ARN.exec(roleArn);
    call.account = role?.[1] ?? null;
    if (roleArn === null || role === null || roleArn.length > 2048)
      throw new StsError('ValidationError', `${roleArn === null ? 'RoleArn is required' : 'Invalid RoleArn'}`);
    if (sessionName === null || !SESSION_NAME.test(sessionName))
      throw new StsError(
        'ValidationError',
        "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
      );
    const seconds = duration === null ? 3600 : Number(duration);
    call.durationSeconds = seconds;
    if (!Number.isInteger(seconds) || seconds < 900 || seconds > 43200)
      throw new StsError(
        'ValidationError',
        "1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200",
      );
    if (seconds > maxSession)
      throw new StsError(
        'ValidationError',
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      );
    if (externalId !== null && !EXTERNAL_ID.test(externalId))
      throw new StsError(
        'ValidationError',
        "1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must have length between 2 and 1224",
      );
    const required = Object.hasOwn(externalIds, roleArn) ? externalIds[roleArn] : undefined;
    if (denied.has(roleArn) || (required !== undefined && externalId !== required))
      throw new StsError(
        'AccessDenied',
        `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
        403,
      );

    const account = role[1] ?? '';
    const roleName = role[2] ?? '';
    const accessKeyId = `ASIA${account}${randomBytes(3).toString('hex').toUpperCase().slice(0, 4)}`;
    const expiration = new Date(now().getTime() + (options.lifetimeSeconds ?? seconds) * 1000);
    issued.set(accessKeyId, { account, roleArn, sessionName, expiration });
    call.issued = accessKeyId;
    const roleId = `AROA${account}EXAMPLE`;
    return [
      `<AssumeRoleResponse xmlns="${NS}">`,
      '<AssumeRoleResult>',
      '<AssumedRoleUser>',
      `<Arn>arn:aws:sts::${account}:assumed-role/${xml(roleName)}/${xml(sessionName)}</Arn>`,
      `<AssumedRoleId>${roleId}:${xml(sessionName)}</AssumedRoleId>`,
      '</AssumedRoleUser>',
      '<Credentials>',
      `<AccessKeyId>${accessKeyId}</AccessKeyId>`,
      `<SecretAccessKey>${randomBytes(30).toString('base64')}</SecretAccessKey>`,
      `<SessionToken>${randomBytes(60).toString('base64')}</SessionToken>`,
      `<Expiration>${expiration.toISOString()}</Expiration>`,
      '</Credentials>',
      '</AssumeRoleResult>',
      `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>`,
      '</AssumeRoleResponse>',
    ].join('');
  };

  const handle = (req: IncomingMessage, body: string, call: StsCall): string => {
    if (req.method !== 'POST' || (req.url ?? '/').split('?')[0] !== '/')
      throw new StsError('InvalidAction', 'Only POST / is served here');
    if (!headerOf(req, 'content-type').startsWith('application/x-www-form-urlencoded'))
      throw new StsError('InvalidParameterValue', 'Content-Type must be application/x-www-form-urlencoded');
    const scope = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/.exec(
      headerOf(req, 'authorization'),
    );
    if (scope === null)
      throw new StsError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
    const [, accessKeyId = '', region = '', service = ''] = scope;
    call.accessKeyId = accessKeyId;
    call.region = region;
    if (service !== 'sts')
      throw new StsError('SignatureDoesNotMatch', "Credential should be scoped to correct service: 'sts'.", 403);
    const form = new URLSearchParams(body);
    call.action = form.get('Action') ?? '';
    if (form.get('Version') !== '2011-06-15') throw new StsError('InvalidParameterValue', 'Version must be 2011-06-15');
    if (call.action !== 'AssumeRole')
      throw new StsError(
        'InvalidAction',
        `Could not find operation ${call.action || '(no Action)'} for version 2011-06-15`,
      );
    return assumeRole(form, call);
  };

  const server = createServer((req, res) => {
    const call: StsCall = {
      at: performance.now(),
      region: '',
      accessKeyId: '',
      action: '',
      roleArn: null,
      account: null,
      sessionName: null,
      durationSeconds: null,
      externalId: null,
      status: 200,
      error: null,
      issued: null,
    };
    calls.push(call);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        if (size > MAX_BODY) throw new StsError('ValidationError', 'The request body is too large');
        send(res, 200, handle(req, Buffer.concat(chunks).toString('utf8'), call));
      } catch (error) {
        const e =
          error instanceof StsError ? error : new StsError('InternalFailure', 'The server encountered an error', 500);
        call.status = e.status;
        call.error = e.code;
        const type = e.status >= 500 ? 'Receiver' : 'Sender';
        send(
          res,
          e.status,
          `<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${e.code}</Code><Message>${xml(e.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    issued,
    assumeCalls: (account) => calls.filter((c) => c.action === 'AssumeRole' && c.account === account).length,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function headerOf(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(body);
}
