/**
 * The AWS commercial partition's region codes: what `in all` reads. Pure data, copied from the partitions table
 * of the installed AWS SDK (@aws-sdk/core util-endpoints, `aws` partition, without the `aws-global` pseudo-region).
 * GovCloud (`us-gov-*`) and China (`cn-*`) are other partitions with other credentials; they are never in `all`,
 * though a configured list may still name them.
 */

/** Regions every account has enabled (launched before March 2019). */
const DEFAULT_ENABLED: readonly string[] = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
];

/**
 * Opt-in regions: an account reaches them only after enabling them. Calls to one that is not enabled fail with
 * `UnrecognizedClientException` ("The security token included in the request is invalid").
 */
const OPT_IN: readonly string[] = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'me-west-1',
  'mx-central-1',
  'sa-west-1',
];

/** Every commercial region, the default-enabled ones first. */
export const COMMERCIAL_REGIONS: readonly string[] = Object.freeze([...DEFAULT_ENABLED, ...OPT_IN]);

/** Where CloudTrail records IAM, STS, CloudFront and console sign-in events (global services). */
export const GLOBAL_EVENTS_REGION = 'us-east-1';

const KNOWN: ReadonlySet<string> = new Set(COMMERCIAL_REGIONS);
const OPT_IN_SET: ReadonlySet<string> = new Set(OPT_IN);

/**
 * The shape of every region code in every partition: `eu-west-1`, `us-gov-west-1`, `cn-north-1`, `eusc-de-east-1`,
 * `us-isob-east-1`: a 2–4 letter area, an optional 2–4 letter part, a direction, a number. The direction word is
 * what lets a typo (`us-eest-1`) or a city (`tokyo`) be told from a region AWS opened after this list.
 */
export const REGION_SHAPE =
  /^[a-z]{2,4}(-[a-z]{2,4})?-(central|north|south|east|west|northeast|northwest|southeast|southwest)-\d{1,2}$/;

/** Codes a typo is compared with: the commercial regions, GovCloud and China. */
export const SUGGESTED_REGIONS: readonly string[] = Object.freeze([
  ...COMMERCIAL_REGIONS,
  'us-gov-east-1',
  'us-gov-west-1',
  'cn-north-1',
  'cn-northwest-1',
]);

/** A commercial region this version knows by name. */
export function isKnownRegion(region: string): boolean {
  return KNOWN.has(region);
}

/** A commercial region an account must enable before it can call it. */
export function isOptInRegion(region: string): boolean {
  return OPT_IN_SET.has(region);
}

/** Shaped like a region code (known or not: AWS opens new regions, other partitions have their own). */
export function looksLikeRegion(region: string): boolean {
  return REGION_SHAPE.test(region);
}
