/**
 * The `use_aws` tool spec: the Strands Python tool's input spec, property for property, plus `regions`
 * (regions.ts) and `query` (query.ts). `region` is no longer required: `regions` may stand in its place,
 * and without either the call goes to the default region, as it always did.
 */
import type { ToolSpec } from '@strands-agents/sdk';

/**
 * `account` and `accounts`: the controlled tool's alone (controlled-use-aws.ts), for a deployment that
 * reads several accounts (AWS_ASK_ACCOUNTS; accounts.ts).
 */
export const ACCOUNT_PROPERTIES: Record<string, unknown> = {
  account: {
    type: 'string',
    description:
      'Optional: the AWS account to call in, by alias (e.g. prod) or 12-digit id, one of the accounts this ' +
      "deployment may read; without it, the bot's own account.",
  },
  accounts: {
    anyOf: [
      { type: 'array', items: { type: 'string' } },
      { type: 'string', enum: ['all'] },
    ],
    description:
      'Instead of account: a list of accounts (aliases or ids), or "all" (every account this deployment may ' +
      'read). Combines with region or regions. The call runs in each account (and region) in parallel; the ' +
      'result is keyed by account alias, then by region when regions is given; an account that fails is ' +
      'reported without failing the others.',
  },
};

/** The Python tool's spec, property for property, plus `regions` and `query`. */
export const USE_AWS_SPEC: ToolSpec = {
  name: 'use_aws',
  description:
    'Make an AWS API call with the specified service, operation, and parameters. ' +
    'Service names are boto3/CLI names (ec2, s3, logs, ce, elbv2, ...); operation names may be ' +
    'snake_case (describe_instances) or PascalCase (DescribeInstances).',
  inputSchema: {
    type: 'object',
    properties: {
      service_name: { type: 'string', description: 'The name of the AWS service' },
      operation_name: { type: 'string', description: 'The name of the operation to perform' },
      parameters: { type: 'object', description: 'The parameters for the operation' },
      region: { type: 'string', description: 'Region name for calling the operation on AWS' },
      regions: {
        anyOf: [
          { type: 'array', items: { type: 'string' } },
          { type: 'string', enum: ['all'] },
        ],
        description:
          'Instead of region: a list of regions, or "all" (every region this deployment may read that is ' +
          'enabled in the account). The call runs in each region in parallel; the result is keyed by region; ' +
          'a region that fails is reported without failing the others. Global services (IAM, Organizations, ' +
          'Route 53, CloudFront, Cost Explorer, Budgets, STS, ...) are called once whatever the region.',
      },
      query: {
        type: 'string',
        description:
          'Optional JMESPath expression, as the AWS CLI --query: applied to the whole result after every page ' +
          'is read (many more pages than without a query) and after redaction; with regions, in each region. ' +
          'Returns only what it selects, so counts and breakdowns over thousands of resources fit in one call. ' +
          'Extension: count_by(array, &expr) gives {value: count}. Examples: ' +
          "length(Reservations[].Instances[?State.Name=='running'][]), " +
          'count_by(Reservations[].Instances[], &InstanceType).',
      },
      label: {
        type: 'string',
        description:
          'Label of AWS API operations human readable explanation. This is useful for communicating with human.',
      },
      profile_name: {
        type: 'string',
        description:
          'Optional: AWS profile name to use from ~/.aws/credentials. Defaults to default profile if not specified.',
      },
    },
    required: ['service_name', 'operation_name', 'label'],
  },
};
