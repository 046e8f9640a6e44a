/**
 * The CIS AWS Foundations Benchmark monitoring pack, as data: the CloudTrail metric filters of Security Hub controls
 * CloudWatch.1–14 (CIS v1.2.0 3.x / v1.4.0 4.x) and CIS 1.4's 4.15, with the patterns exactly as AWS publishes them
 * (aws-slack-facts §5.2). `/trail scan` runs them over an event source; alarm enrichment falls back on them when an
 * alarm's metric carries one of the names templates give these filters.
 *
 * Severity is Trailbot's triage order for a hit, not Security Hub's (which rates every one of these controls Low,
 * because it grades whether the alarm exists, not what an event means): an action that blinds monitoring, or uses
 * root, or can lock data away, is high; a change to who may do what, or to the network's edges, is medium; noise
 * that matters in bulk (failed sign-ins, denied calls) is low.
 *
 * Two choices where the sources differ:
 * - CloudWatch.2 uses Security Hub's two-term pattern. The later CIS edition adds `&& sourceIPAddress != …
 *   && eventName != HeadBucket` without parentheses, so by precedence the exclusions bind only to AccessDenied*;
 *   that variant is kept as `unauthorizedLaterCis` for anyone who wants it, not in the pack.
 * - CloudWatch.3 uses Security Hub's version (IAM users, successful sign-ins only): the original CIS 1.2 pattern also
 *   counts SSO and failed sign-ins, which is noise.
 */

export type RuleSeverity = 'high' | 'medium' | 'low';

export interface PackRule {
  /** `CloudWatch.10`, `CIS.4.15`: stable, typed in `scan` answers and in TRAILBOT_CONFIG as `cis:CloudWatch.10`. */
  id: string;
  /** The CIS recommendation numbers (v1.2.0 / v1.4.0). */
  cis: string;
  title: string;
  severity: RuleSeverity;
  /** Why an on-call engineer should care, one sentence. */
  description: string;
  /** The CloudWatch Logs filter pattern, verbatim. */
  pattern: string;
  /**
   * Metric names that widely used templates (the CloudTrail User Guide's samples, public Terraform modules) give this
   * pattern in namespace CloudTrailMetrics. An alarm on one of them is assumed to use this pattern when neither
   * TRAILBOT_CONFIG nor DescribeMetricFilters says which filter it has, and the reply says it assumed.
   */
  metricNames: readonly string[];
}

const names = (...eventNames: string[]): string => eventNames.map((name) => `($.eventName=${name})`).join(' || ');

export const CIS_PACK: readonly PackRule[] = [
  {
    id: 'CloudWatch.1',
    cis: '3.3 / 4.3',
    title: 'Root user activity',
    severity: 'high',
    description: 'The root user can do anything and bypasses IAM; any use outside break-glass needs an owner.',
    pattern: '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}',
    metricNames: ['RootAccountUsageCount'],
  },
  {
    id: 'CloudWatch.2',
    cis: '3.1 / 4.1',
    title: 'Unauthorized API calls',
    severity: 'low',
    description:
      'Denied calls in bulk are reconnaissance or a broken deployment; a burst from one actor is worth a look.',
    pattern: '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}',
    metricNames: ['AuthorizationFailureCount', 'UnauthorizedAttemptCount'],
  },
  {
    id: 'CloudWatch.3',
    cis: '3.2 / 4.2',
    title: 'Console sign-in without MFA',
    severity: 'high',
    description: 'An IAM user signed in to the console with a password alone.',
    pattern:
      '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    metricNames: ['ConsoleSignInWithoutMfaCount'],
  },
  {
    id: 'CloudWatch.4',
    cis: '3.4 / 4.4',
    title: 'IAM policy changes',
    severity: 'medium',
    description: 'Someone changed who may do what.',
    pattern: `{${names(
      'DeleteGroupPolicy',
      'DeleteRolePolicy',
      'DeleteUserPolicy',
      'PutGroupPolicy',
      'PutRolePolicy',
      'PutUserPolicy',
      'CreatePolicy',
      'DeletePolicy',
      'CreatePolicyVersion',
      'DeletePolicyVersion',
      'AttachRolePolicy',
      'DetachRolePolicy',
      'AttachUserPolicy',
      'DetachUserPolicy',
      'AttachGroupPolicy',
      'DetachGroupPolicy',
    )}}`,
    metricNames: ['IAMPolicyEventCount', 'IAMPolicyChangeCount'],
  },
  {
    id: 'CloudWatch.5',
    cis: '3.5 / 4.5',
    title: 'CloudTrail configuration changes',
    severity: 'high',
    description: 'A trail was created, changed, deleted, stopped or started: the audit log itself was touched.',
    pattern: `{${names('CreateTrail', 'UpdateTrail', 'DeleteTrail', 'StartLogging', 'StopLogging')}}`,
    metricNames: ['CloudTrailEventCount'],
  },
  {
    id: 'CloudWatch.6',
    cis: '3.6 / 4.6',
    title: 'Console authentication failures',
    severity: 'low',
    description: 'Failed console sign-ins: a forgotten password, or someone guessing one.',
    pattern: '{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}',
    metricNames: ['ConsoleSignInFailureCount'],
  },
  {
    id: 'CloudWatch.7',
    cis: '3.7 / 4.7',
    title: 'Customer managed key disabled or scheduled for deletion',
    severity: 'high',
    description: 'Data encrypted under a disabled or deleted key becomes unreadable.',
    pattern: '{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}',
    metricNames: ['KMSKeyPendingDeletionErrorCount', 'KmsDeletionCount', 'KMSKeyDeletionCount'],
  },
  {
    id: 'CloudWatch.8',
    cis: '3.8 / 4.8',
    title: 'S3 bucket policy changes',
    severity: 'medium',
    description: "A bucket's policy, ACL, CORS, lifecycle or replication changed: who can read it, or where it goes.",
    pattern: `{($.eventSource=s3.amazonaws.com) && (${names(
      'PutBucketAcl',
      'PutBucketPolicy',
      'PutBucketCors',
      'PutBucketLifecycle',
      'PutBucketReplication',
      'DeleteBucketPolicy',
      'DeleteBucketCors',
      'DeleteBucketLifecycle',
      'DeleteBucketReplication',
    )})}`,
    metricNames: ['S3BucketEventCount', 'S3BucketActivityEventCount'],
  },
  {
    id: 'CloudWatch.9',
    cis: '3.9 / 4.9',
    title: 'AWS Config configuration changes',
    severity: 'high',
    description: 'The configuration recorder or its delivery channel changed: resource history may stop.',
    pattern: `{($.eventSource=config.amazonaws.com) && (${names(
      'StopConfigurationRecorder',
      'DeleteDeliveryChannel',
      'PutDeliveryChannel',
      'PutConfigurationRecorder',
    )})}`,
    metricNames: ['AWSConfigChangeCount', 'AWSConfigChanges'],
  },
  {
    id: 'CloudWatch.10',
    cis: '3.10 / 4.10',
    title: 'Security group changes',
    severity: 'medium',
    description: 'A firewall rule was opened, closed, or a security group created or deleted.',
    pattern: `{${names(
      'AuthorizeSecurityGroupIngress',
      'AuthorizeSecurityGroupEgress',
      'RevokeSecurityGroupIngress',
      'RevokeSecurityGroupEgress',
      'CreateSecurityGroup',
      'DeleteSecurityGroup',
    )}}`,
    metricNames: ['SecurityGroupEventCount', 'SecurityGroupChangeCount'],
  },
  {
    id: 'CloudWatch.11',
    cis: '3.11 / 4.11',
    title: 'Network ACL changes',
    severity: 'medium',
    description: "A subnet's network ACL or its entries changed.",
    pattern: `{${names(
      'CreateNetworkAcl',
      'CreateNetworkAclEntry',
      'DeleteNetworkAcl',
      'DeleteNetworkAclEntry',
      'ReplaceNetworkAclEntry',
      'ReplaceNetworkAclAssociation',
    )}}`,
    metricNames: ['NetworkAclEventCount'],
  },
  {
    id: 'CloudWatch.12',
    cis: '3.12 / 4.12',
    title: 'Network gateway changes',
    severity: 'medium',
    description: 'An internet or customer gateway was created, attached, detached or deleted: the network edge moved.',
    pattern: `{${names(
      'CreateCustomerGateway',
      'DeleteCustomerGateway',
      'AttachInternetGateway',
      'CreateInternetGateway',
      'DeleteInternetGateway',
      'DetachInternetGateway',
    )}}`,
    metricNames: ['GatewayEventCount'],
  },
  {
    id: 'CloudWatch.13',
    cis: '3.13 / 4.13',
    title: 'Route table changes',
    severity: 'medium',
    description: 'Routes changed: traffic may now leave by another way.',
    pattern: `{${names(
      'CreateRoute',
      'CreateRouteTable',
      'ReplaceRoute',
      'ReplaceRouteTableAssociation',
      'DeleteRouteTable',
      'DeleteRoute',
      'DisassociateRouteTable',
    )}}`,
    metricNames: ['RouteTableEventCount', 'RouteTableChangesCount'],
  },
  {
    id: 'CloudWatch.14',
    cis: '3.14 / 4.14',
    title: 'VPC changes',
    severity: 'medium',
    description: 'A VPC, its attributes or its peering changed.',
    pattern: `{${names(
      'CreateVpc',
      'DeleteVpc',
      'ModifyVpcAttribute',
      'AcceptVpcPeeringConnection',
      'CreateVpcPeeringConnection',
      'DeleteVpcPeeringConnection',
      'RejectVpcPeeringConnection',
      'AttachClassicLinkVpc',
      'DetachClassicLinkVpc',
      'DisableVpcClassicLink',
      'EnableVpcClassicLink',
    )}}`,
    metricNames: ['VpcEventCount'],
  },
  {
    id: 'CIS.4.15',
    cis: '— / 4.15',
    title: 'AWS Organizations changes',
    severity: 'high',
    description: 'The organization, its accounts, units or policies changed.',
    pattern:
      '{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }',
    metricNames: [],
  },
];

/** The later CIS edition's unauthorized-calls pattern (see the header): not in the pack, kept for reference. */
export const unauthorizedLaterCis =
  '{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }';

/** A pack rule by id, case-insensitively (`cloudwatch.10`); undefined when there is none. */
export function packRule(id: string): PackRule | undefined {
  const wanted = id.toLowerCase();
  return CIS_PACK.find((rule) => rule.id.toLowerCase() === wanted);
}

/**
 * The pack rule an alarm's metric name suggests. Case-insensitive although CloudWatch's names are not: templates
 * spell the same metric `ConsoleSigninFailureCount` and `ConsoleSignInFailureCount`.
 */
export function packRuleForMetric(metricName: string): PackRule | undefined {
  const wanted = metricName.toLowerCase();
  return CIS_PACK.find((rule) => rule.metricNames.some((name) => name.toLowerCase() === wanted));
}
