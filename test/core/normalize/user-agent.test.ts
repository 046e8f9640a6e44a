import { describe, expect, test } from '@jest/globals';
import { clientOf, MAX_CLIENT_DISPLAY } from '../../../src/core/normalize/user-agent.js';
import type { ClientKind } from '../../../src/core/trail-record.js';

/** One row per client kind and form, taken from the corpora's user agents and AWS's documented examples. */
const rows: [userAgent: string | null, kind: ClientKind, display: string][] = [
  // console
  ['console.amazonaws.com', 'console', 'AWS console'],
  ['console.ec2.amazonaws.com', 'console', 'AWS console (ec2)'],
  ['signin.amazonaws.com', 'console', 'AWS console (sign-in)'],
  [
    '[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488 Linux/5.10.184-153.731.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.372-b08 java/1.8.0_372 vendor/Oracle_Corporation cfg/retry-mode/standard]',
    'console',
    'AWS console (S3Console)',
  ],
  [
    'RDS Console, aws-internal/3 aws-sdk-java/1.11.975 Linux/5.10.184-153.731.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.242-b08 java/1.8.0_242 vendor/Oracle_Corporation cfg/retry-mode/legacy',
    'console',
    'AWS console (RDS Console)',
  ],
  ['EC2 Spot Console', 'console', 'AWS console (EC2 Spot Console)'],
  [
    'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:102.0) Gecko/20100101 Firefox/102.0',
    'console',
    'AWS console (Firefox)',
  ],
  [
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36',
    'console',
    'AWS console (Chrome)',
  ],
  ['Mozilla', 'console', 'AWS console (browser)'],
  // CLI
  ['aws-cli/2.13.5 Python/3.11.4 Linux/5.10.0-1234-aws exe/x86_64.ubuntu.22', 'cli', 'aws-cli 2.13.5'],
  ['[aws-cli/1.18.136 Python/3.8.5 Darwin/19.5.0 botocore/1.17.59]', 'cli', 'aws-cli 1.18.136'],
  [
    'aws-cli/2.15.59 md/awscrt#0.19.19 ua/2.0 os/macos#22.6.0 md/arch#arm64 lang/python#3.11.11 md/command#sts.get-caller-identity',
    'cli',
    'aws-cli 2.15.59',
  ],
  [
    'aws-cli/2.13.5 Python/3.11.4 Linux/4.14.255-314-253.539.amzn2.x86_64 exec-env/CloudShell exe/x86_64.amzn.2 prompt/off command/ec2.stop-instances',
    'cli',
    'aws-cli 2.13.5 (CloudShell)',
  ],
  // SDKs, by language
  ['Boto3/1.28.1 Python/3.10.6 Linux/5.19.0-46-generic Botocore/1.31.1', 'sdk', 'SDK boto3 1.28.1'],
  ['Botocore/1.31.1 Python/3.10.6', 'sdk', 'SDK botocore 1.31.1'],
  ['aws-sdk-go/1.44.157 (go1.19.3; linux; amd64)', 'sdk', 'SDK go 1.44.157'],
  [
    'aws-sdk-go-v2/1.17.0 os/linux lang/go/1.18.10 md/GOOS/linux md/GOARCH/amd64 api/sts/1.16.19',
    'sdk',
    'SDK go-v2 1.17.0',
  ],
  ['aws-sdk-java/2.20.0 Linux/5.10 OpenJDK_64-Bit_Server_VM/17.0.6+10-LTS Java/17.0.6', 'sdk', 'SDK java 2.20.0'],
  [
    'AmazonEventBridgeScheduler aws-sdk-java/2.28.29 md/io#async md/http#NettyNio ua/2.0 exec-env/AWS_ECS_FARGATE',
    'sdk',
    'SDK java 2.28.29',
  ],
  ['aws-sdk-js/3.400.0 ua/2.0 os/linux#5.10 lang/js md/nodejs#18.17.1 api/s3#3.400.0', 'sdk', 'SDK js 3.400.0'],
  ['aws-sdk-nodejs/2.1450.0 linux/v18.17.1 exec-env/AWS_ECS_EC2', 'sdk', 'SDK nodejs 2.1450.0'],
  ['aws-sdk-ruby3/3.181.0 ruby/3.2.2 x86_64-linux aws-sdk-s3/1.132.1', 'sdk', 'SDK ruby 3.181.0'],
  ['aws-sdk-dotnet-coreclr/3.7.200.1 aws-sdk-dotnet-core/3.7.200.1 .NET_Core/6.0.21', 'sdk', 'SDK dotnet 3.7.200.1'],
  ['aws-sdk-php/3.279.0 OS/Linux/5.10 lang/php/8.2.8', 'sdk', 'SDK php 3.279.0'],
  ['aws-sdk-rust/0.56.1 os/linux lang/rust/1.71.0', 'sdk', 'SDK rust 0.56.1'],
  ['aws-sdk-cpp/1.11.100 Linux/5.10 x86_64 GCC/11.3.0', 'sdk', 'SDK cpp 1.11.100'],
  ['aws-sdk-python/1.26.0', 'sdk', 'SDK python 1.26.0'],
  ['stratus-red-team_54d79918-8729-4201-83e6-6a600173b8e3', 'sdk', 'SDK go (Stratus Red Team)'],
  // Terraform, also when it carries Stratus Red Team's suffix
  [
    'APN/1.0 HashiCorp/1.0 Terraform/1.5.7 (+https://www.terraform.io) terraform-provider-aws/5.16.1 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.45.6 (go1.20.7; linux; amd64)',
    'terraform',
    'Terraform 1.5.7',
  ],
  [
    'APN/1.0 HashiCorp/1.0 Terraform/1.1.2 (+https://www.terraform.io) terraform-provider-aws/3.76.1 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.44.157 (go1.19.3; linux; amd64) stratus-red-team_11a6ef34-e130-4579-a1d3-79c915cee6ec HashiCorp-terraform-exec/0.17.3',
    'terraform',
    'Terraform 1.1.2',
  ],
  [
    'aws-sdk-go/1.29.7 (go1.13.7; darwin; amd64) APN/1.0 HashiCorp/1.0 Terraform/0.12.24 (+https://www.terraform.io)',
    'terraform',
    'Terraform 0.12.24',
  ],
  // CloudFormation
  ['cloudformation.amazonaws.com', 'cloudformation', 'cloudformation.amazonaws.com'],
  // Lambda
  ['AWS_Lambda_python3.11', 'lambda', 'Lambda python3.11'],
  [
    'Boto3/1.26.90 Python/3.11.2 Linux/5.10.186 exec-env/AWS_Lambda_python3.11 Botocore/1.29.90',
    'lambda',
    'Lambda python3.11',
  ],
  ['aws-sdk-go/1.40.21 (go1.17; linux; amd64) exec-env/AWS_Lambda_go1.x', 'lambda', 'Lambda go1.x'],
  // an AWS service
  ['AWS Internal', 'aws-service', 'AWS Internal'],
  ['AWS Internal/3', 'aws-service', 'AWS Internal'],
  ['aws-internal/3 aws-sdk-java/1.11.1030 Linux/5.4.116-64.217.amzn2int.x86_64', 'aws-service', 'AWS Internal'],
  ['Coral/Jakarta', 'aws-service', 'AWS Internal'],
  ['secretsmanager.amazonaws.com', 'aws-service', 'secretsmanager.amazonaws.com'],
  ['lambda.amazonaws.com', 'aws-service', 'lambda.amazonaws.com'],
  ['aws-sdk-go/1.41.4 (go1.18.3; linux; amd64) amazon-ssm-agent/', 'aws-service', 'SSM agent'],
  ['amazon-ssm-agent/3.2.0', 'aws-service', 'SSM agent 3.2.0'],
  ['awslambda-worker/1.0 rusoto/0.47.0 rust/1.55.0 linux', 'aws-service', 'Lambda service'],
  // unknown: shown as written, so a reader still sees what it was
  ['python-requests/2.28.0', 'unknown', 'python-requests/2.28.0'],
  ['TruffleHog', 'unknown', 'TruffleHog'],
  ['', 'unknown', 'unknown'],
  ['   ', 'unknown', 'unknown'],
  [null, 'unknown', 'unknown'],
];

describe('clientOf', () => {
  test.each(rows)('%p → %s, %p', (userAgent, kind, display) => {
    expect(clientOf(userAgent)).toEqual({ kind, display });
  });

  test('`AWS Internal` in a console session is the console', () => {
    expect(clientOf('AWS Internal', true)).toEqual({ kind: 'console', display: 'AWS console' });
    expect(clientOf('aws-internal/3 aws-sdk-java/1.12.124', true)).toEqual({ kind: 'console', display: 'AWS console' });
    // …and only those: a console session does not turn an SDK into the console.
    expect(clientOf('aws-cli/2.13.5', true)).toEqual({ kind: 'cli', display: 'aws-cli 2.13.5' });
  });

  test('the display is capped', () => {
    const client = clientOf(`weird-tool/${'x'.repeat(500)}`);
    expect(client.kind).toBe('unknown');
    expect(client.display.length).toBe(MAX_CLIENT_DISPLAY);
    expect(client.display.endsWith('…')).toBe(true);
  });

  test('the same agent gives the same (cached) answer, and many distinct agents stay correct', () => {
    expect(clientOf('aws-cli/2.0.1')).toBe(clientOf('aws-cli/2.0.1'));
    for (let i = 0; i < 5000; i++) expect(clientOf(`aws-cli/2.${i}.0`).display).toBe(`aws-cli 2.${i}.0`);
    expect(clientOf('aws-cli/2.0.1').display).toBe('aws-cli 2.0.1');
  });
});
