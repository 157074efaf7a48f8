/** The `use_aws` tool spec: the Strands Python tool's input spec, property for property. */
import type { ToolSpec } from '@strands-agents/sdk';

/** The Python tool's spec, property for property, with the same required set. */
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
    required: ['region', 'service_name', 'operation_name', 'label'],
  },
};
