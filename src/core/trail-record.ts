/**
 * The normalized record (DESIGN.md, "The summary"): one per CloudTrail event, whatever the source.
 * Every string in it came from CloudTrail and is untrusted: escape it before it reaches Slack or a terminal.
 */

/** userIdentity.type as CloudTrail writes it, or `Unknown` where the record has none. */
export type IdentityType =
  | 'Root'
  | 'IAMUser'
  | 'AssumedRole'
  | 'Role'
  | 'FederatedUser'
  | 'Directory'
  | 'AWSAccount'
  | 'AWSService'
  | 'SAMLUser'
  | 'WebIdentityUser'
  | 'IdentityCenterUser'
  | 'Unknown';

export interface Actor {
  /** What a person reads: `alice`, `root`, `deploy-role/ci-run-42`, `ec2.amazonaws.com`. Never empty. */
  display: string;
  type: IdentityType;
  arn: string | null;
  /** Role session or federated session name, where there is one. */
  session: string | null;
  /** Through whom the call came: the AWS service that acted (`invokedBy`), the source identity, the identity provider. */
  via: string | null;
}

export type ClientKind =
  | 'console'
  | 'cli'
  | 'sdk'
  | 'terraform'
  | 'cloudformation'
  | 'lambda'
  | 'aws-service'
  | 'unknown';

export interface Client {
  kind: ClientKind;
  /** `AWS console`, `aws-cli 2.13.5`, `SDK boto3 1.28.1`, `Terraform 1.5.7`, `cloudformation.amazonaws.com`, `unknown`. */
  display: string;
}

export interface ResourceRef {
  /** `AWS::EC2::Instance`, `AWS::S3::Bucket`, … or null where the record does not say. */
  type: string | null;
  /** An id, name or ARN, verbatim from the record. */
  name: string;
}

export interface Transition {
  resource: string;
  /** Null where only the new state is known (RunInstances → pending). */
  from: string | null;
  to: string;
}

export interface TrailRecord {
  eventId: string;
  /** ISO 8601 UTC, `2023-07-10T11:45:02Z`; empty string where the record has no readable time. */
  eventTime: string;
  eventName: string;
  eventSource: string;
  region: string;
  accountId: string | null;
  actor: Actor;
  /** An IP address, an AWS service name, or `AWS Internal`. */
  sourceIp: string;
  userAgent: string | null;
  client: Client;
  /** userIdentity.accessKeyId, where the caller used one (answers `key AKIA…` over trail files). */
  accessKeyId: string | null;
  /** Null where neither the record nor the event name says. */
  readOnly: boolean | null;
  errorCode: string | null;
  errorMessage: string | null;
  /** MFA on the session or the console sign-in; null where the record does not say. */
  mfa: boolean | null;
  resources: ResourceRef[];
  transitions: Transition[];
  /** What the call changed, in words, where we know how to say it: `tcp 22 from 0.0.0.0/0 (the internet)`. */
  change: string | null;
}
