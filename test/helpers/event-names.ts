/**
 * The six security-group changes CIS CloudWatch.10 (3.10 / 4.10) alarms on, written out here so the tests keep an
 * oracle of their own rather than reading the pack they test.
 */
export const SECURITY_GROUP_CHANGES: readonly string[] = [
  'AuthorizeSecurityGroupIngress',
  'AuthorizeSecurityGroupEgress',
  'RevokeSecurityGroupIngress',
  'RevokeSecurityGroupEgress',
  'CreateSecurityGroup',
  'DeleteSecurityGroup',
];
