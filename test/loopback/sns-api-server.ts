/**
 * The SNS API on loopback, for the real `@aws-sdk/client-sns` (endpoint = `url`, or `AWS_ENDPOINT_URL_SNS`).
 * It speaks awsQuery as the SDK sends it: `POST /`, `Content-Type: application/x-www-form-urlencoded`, a body of
 * `Action=ConfirmSubscription&Version=2010-03-31&TopicArn=…&Token=…[&AuthenticateOnUnsubscribe=true]`, a SigV4
 * `Authorization` scoped to service `sns` (the signature itself is not checked), answered with
 * `<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>…` or an `<ErrorResponse>`.
 * Every call is recorded; `failNext` makes the next calls fail (default AuthorizationError 403, which the SDK
 * does not retry).
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

export interface SnsApiCall {
  action: string;
  /** The SigV4 scope's region ('' when unsigned). */
  region: string;
  topicArn: string | null;
  token: string | null;
  /** As sent: 'true', 'false' or null when absent. */
  authenticateOnUnsubscribe: string | null;
  status: number;
}

export interface SnsApiFailure {
  status: number;
  code: string;
  message: string;
}

export interface SnsApiServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  readonly calls: readonly SnsApiCall[];
  /** The next `n` calls answer `failure` (default: 403 AuthorizationError). */
  failNext(n: number, failure?: SnsApiFailure): void;
  close(): Promise<void>;
}

class QueryError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startSnsApiServer(): Promise<SnsApiServer> {
  const calls: SnsApiCall[] = [];
  const failures: SnsApiFailure[] = [];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const scope = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/.exec(
        String(req.headers.authorization ?? ''),
      );
      const call: SnsApiCall = {
        action: params.get('Action') ?? '',
        region: scope?.[1] ?? '',
        topicArn: params.get('TopicArn'),
        token: params.get('Token'),
        authenticateOnUnsubscribe: params.get('AuthenticateOnUnsubscribe'),
        status: 200,
      };
      calls.push(call);
      const requestId = randomUUID();
      try {
        if (req.method !== 'POST' || (req.url ?? '/').split('?')[0] !== '/')
          throw new QueryError(400, 'InvalidAction', 'Only POST / is served here');
        if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
          throw new QueryError(400, 'MalformedQueryString', 'Content-Type must be application/x-www-form-urlencoded');
        if (scope === null)
          throw new QueryError(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
        if (scope[2] !== 'sns')
          throw new QueryError(403, 'SignatureDoesNotMatch', "Credential should be scoped to 'sns'");
        if (call.action !== 'ConfirmSubscription')
          throw new QueryError(
            400,
            'InvalidAction',
            `The action ${call.action || '(none)'} is not valid for this endpoint.`,
          );
        if (params.get('Version') !== '2010-03-31')
          throw new QueryError(400, 'InvalidParameterValue', 'Version must be 2010-03-31');
        if (!call.topicArn) throw new QueryError(400, 'InvalidParameter', 'Invalid parameter: TopicArn');
        if (!call.token) throw new QueryError(400, 'InvalidParameter', 'Invalid parameter: Token');
        const failure = failures.shift();
        if (failure !== undefined) throw new QueryError(failure.status, failure.code, failure.message);
        const body =
          `<ConfirmSubscriptionResponse xmlns="${XMLNS}">\n` +
          '  <ConfirmSubscriptionResult>\n' +
          `    <SubscriptionArn>${escapeXml(`${call.topicArn}:${randomUUID()}`)}</SubscriptionArn>\n` +
          '  </ConfirmSubscriptionResult>\n' +
          `  <ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>\n` +
          '</ConfirmSubscriptionResponse>\n';
        res.writeHead(200, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': requestId });
        res.end(body);
      } catch (error) {
        const e = error instanceof QueryError ? error : new QueryError(500, 'InternalError', String(error));
        call.status = e.status;
        const body =
          `<ErrorResponse xmlns="${XMLNS}">\n` +
          `  <Error><Type>${e.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${e.code}</Code>` +
          `<Message>${escapeXml(e.message)}</Message></Error>\n` +
          `  <RequestId>${requestId}</RequestId>\n` +
          '</ErrorResponse>\n';
        res.writeHead(e.status, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': requestId });
        res.end(body);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    failNext(n, failure = { status: 403, code: 'AuthorizationError', message: 'User is not authorized' }) {
      for (let i = 0; i < n; i++) failures.push(failure);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
