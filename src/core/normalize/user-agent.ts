/**
 * What made the call, from the userAgent (DESIGN.md "The summary"): the console, the CLI, an SDK (with its
 * language), Terraform, CloudFormation, Lambda, an AWS service, or unknown. User agents repeat a great deal
 * (one tool makes thousands of calls), so each distinct string is parsed once and kept in a bounded cache.
 * Matching is plain substring search on the lower-cased agent: no regular expressions on the hot path.
 */
import type { Client, ClientKind } from '../trail-record.js';
import { cap, MAX_USER_AGENT } from './accessors.js';

/** The longest `display`: a short human string, not the raw agent. */
export const MAX_CLIENT_DISPLAY = 80;
/** Distinct user agents remembered; past this the oldest is forgotten. */
const CACHE_SIZE = 2048;

interface Parsed {
  client: Client;
  /** `AWS Internal` and bare `aws-internal/…`: the console when the session came from the console. */
  internal: boolean;
}

const UNKNOWN_CLIENT: Client = Object.freeze({ kind: 'unknown', display: 'unknown' });
const CONSOLE_CLIENT: Client = Object.freeze({ kind: 'console', display: 'AWS console' });
const AWS_INTERNAL_CLIENT: Client = Object.freeze({ kind: 'aws-service', display: 'AWS Internal' });
const cache = new Map<string, Parsed>();

/**
 * The client behind `userAgent`. `consoleSession` (the record's `sessionCredentialFromConsole`) turns the
 * opaque `AWS Internal` agents into the console, which is what made those calls. The returned object is
 * shared between records, and frozen.
 */
export function clientOf(userAgent: string | null, consoleSession = false): Client {
  if (userAgent === null) return UNKNOWN_CLIENT;
  const key = cap(userAgent, MAX_USER_AGENT);
  let parsed = cache.get(key);
  if (parsed === undefined) {
    parsed = parseUserAgent(key);
    if (cache.size >= CACHE_SIZE) {
      const oldest = cache.keys().next();
      if (oldest.done !== true) cache.delete(oldest.value);
    }
    cache.set(key, parsed);
  }
  return consoleSession && parsed.internal ? CONSOLE_CLIENT : parsed.client;
}

/** SDK product tokens, most specific first; the label is the language or library shown after `SDK`. */
const SDKS: readonly (readonly [token: string, label: string])[] = [
  ['boto3/', 'boto3'],
  ['aws-sdk-go-v2/', 'go-v2'],
  ['aws-sdk-go/', 'go'],
  ['aws-sdk-java/', 'java'],
  ['aws-sdk-js/', 'js'],
  ['aws-sdk-nodejs/', 'nodejs'],
  ['aws-sdk-ruby3/', 'ruby'],
  ['aws-sdk-ruby2/', 'ruby'],
  ['aws-sdk-ruby/', 'ruby'],
  ['aws-sdk-dotnet-coreclr/', 'dotnet'],
  ['aws-sdk-dotnet-45/', 'dotnet'],
  ['aws-sdk-dotnet/', 'dotnet'],
  ['aws-sdk-php/', 'php'],
  ['aws-sdk-rust/', 'rust'],
  ['aws-sdk-cpp/', 'cpp'],
  ['aws-sdk-swift/', 'swift'],
  ['aws-sdk-kotlin/', 'kotlin'],
  ['botocore/', 'botocore'],
];

function parseUserAgent(userAgent: string): Parsed {
  const ua = stripBrackets(userAgent.trim());
  if (ua.length === 0) return external(UNKNOWN_CLIENT);
  const lower = ua.toLowerCase();

  // The console: its own service names, its front-ends (`S3Console/0.4, aws-internal/3 …`), browsers.
  if (lower === 'console.amazonaws.com') return external(CONSOLE_CLIENT);
  if (lower === 'signin.amazonaws.com') return found('console', 'AWS console (sign-in)');
  if (lower.startsWith('console.') && lower.endsWith('.amazonaws.com') && lower.indexOf(' ') < 0) {
    return found('console', `AWS console (${ua.slice('console.'.length, -'.amazonaws.com'.length)})`);
  }
  const frontEnd = lower.indexOf(', aws-internal/');
  if (frontEnd > 0) return found('console', `AWS console (${productName(ua.slice(0, frontEnd))})`);
  if (lower.startsWith('mozilla/') || lower === 'mozilla') return found('console', `AWS console (${browserOf(lower)})`);
  if (lower.endsWith(' console')) return found('console', `AWS console (${ua})`);

  // AWS itself: `AWS Internal`, `aws-internal/3 …`, Coral, a service's DNS name.
  if (lower.startsWith('aws internal') || lower.startsWith('aws-internal/')) {
    return { client: AWS_INTERNAL_CLIENT, internal: true };
  }
  if (lower.startsWith('coral/')) return found('aws-service', 'AWS Internal');
  if (lower.indexOf(' ') < 0 && lower.endsWith('.amazonaws.com')) {
    return found(lower === 'cloudformation.amazonaws.com' ? 'cloudformation' : 'aws-service', ua);
  }

  // Tools, most specific first: Terraform wraps the Go SDK, the CLI wraps botocore.
  if (lower.indexOf('terraform/') >= 0) return found('terraform', withVersion('Terraform', lower, 'terraform/'));
  if (lower.indexOf('terraform-provider-aws/') >= 0) return found('terraform', 'Terraform');
  if (lower.indexOf('aws-cli/') >= 0) {
    const cli = withVersion('aws-cli', lower, 'aws-cli/');
    return found('cli', lower.indexOf('exec-env/cloudshell') >= 0 ? `${cli} (CloudShell)` : cli);
  }
  const lambda = lambdaRuntime(lower);
  if (lambda !== null) return found('lambda', lambda);
  if (lower.indexOf('amazon-ssm-agent/') >= 0)
    return found('aws-service', withVersion('SSM agent', lower, 'amazon-ssm-agent/'));
  if (lower.startsWith('awslambda-worker/')) return found('aws-service', 'Lambda service');
  // Stratus Red Team replaces the Go SDK's agent with `stratus-red-team_<uuid>`.
  if (lower.startsWith('stratus-red-team_')) return found('sdk', 'SDK go (Stratus Red Team)');

  for (const [token, label] of SDKS) {
    if (lower.indexOf(token) >= 0) return found('sdk', withVersion(`SDK ${label}`, lower, token));
  }
  const other = lower.indexOf('aws-sdk-');
  if (other >= 0) {
    const slash = lower.indexOf('/', other);
    if (slash > other + 'aws-sdk-'.length) {
      const label = lower.slice(other + 'aws-sdk-'.length, slash);
      return found('sdk', withVersion(`SDK ${label}`, lower, lower.slice(other, slash + 1)));
    }
  }
  return found('unknown', ua);
}

function found(kind: ClientKind, display: string): Parsed {
  return external(Object.freeze({ kind, display: shorten(display) }));
}

function external(client: Client): Parsed {
  return { client, internal: false };
}

/** `[aws-cli/1.18 …]`: some pipelines keep the agent inside brackets. */
function stripBrackets(ua: string): string {
  return ua.startsWith('[') && ua.endsWith(']') ? ua.slice(1, -1).trim() : ua;
}

/** `S3Console/0.4` → `S3Console`; `RDS Console` stays. */
function productName(product: string): string {
  const slash = product.indexOf('/');
  return (slash > 0 ? product.slice(0, slash) : product).trim();
}

function browserOf(lower: string): string {
  if (lower.indexOf('firefox/') >= 0) return 'Firefox';
  if (lower.indexOf('edg/') >= 0) return 'Edge';
  if (lower.indexOf('chrome/') >= 0) return 'Chrome';
  if (lower.indexOf('safari/') >= 0) return 'Safari';
  return 'browser';
}

/** `AWS_Lambda_python3.11` (alone or as `exec-env/AWS_Lambda_…`) → `Lambda python3.11`. */
function lambdaRuntime(lower: string): string | null {
  const at = lower.indexOf('aws_lambda_');
  if (at < 0 || (at > 0 && lower.charCodeAt(at - 1) !== 0x2f /* / */ && lower.charCodeAt(at - 1) !== 0x20)) return null;
  const runtime = versionAt(lower, at + 'aws_lambda_'.length);
  return runtime.length > 0 ? `Lambda ${runtime}` : 'Lambda';
}

/** `name 1.2.3` with the version that follows `token` in `lower`, or `name` alone. */
function withVersion(name: string, lower: string, token: string): string {
  const version = versionAt(lower, lower.indexOf(token) + token.length);
  return version.length > 0 ? `${name} ${version}` : name;
}

/** The run of characters at `start` up to a separator, at most 32 long. */
function versionAt(lower: string, start: number): string {
  let end = start;
  const limit = Math.min(lower.length, start + 32);
  while (end < limit) {
    const c = lower.charCodeAt(end);
    // space ; ( ) , [ ] and a double quote end a version
    if (c === 0x20 || c === 0x3b || c === 0x28 || c === 0x29 || c === 0x2c || c === 0x5b || c === 0x5d || c === 0x22)
      break;
    end++;
  }
  return lower.slice(start, end);
}

function shorten(display: string): string {
  return display.length <= MAX_CLIENT_DISPLAY ? display : `${cap(display, MAX_CLIENT_DISPLAY - 1)}…`;
}
