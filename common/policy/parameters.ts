/**
 * Parameters that change what a call reads. IAM decides some calls by a parameter as well as by the
 * action, and Cloud Control reads any resource type through that type's own service, so the decision
 * for an operation alone (decide.ts) is not enough for these:
 *
 * - CloudWatch Logs' `unmask: true` (GetLogEvents, FilterLogEvents, GetLogRecord, StartLiveTail) needs
 *   `logs:Unmask` as well, which undoes data protection and is on the sensitive list
 *   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/mask-sensitive-log-data-start.html);
 * - Cloud Control's GetResource and ListResources of a type whose read handler returns secret values
 *   (an SSM parameter's value, a Glue connection's password, an API key's value) are refused by type:
 *   the role and session deny what those handlers call, but the tool layer must hold alone too.
 */
import { type Decision, decideIamAction } from './decide.ts';

/** Resource types whose Cloud Control read returns secrets, and the sensitive read it amounts to. */
export const CLOUD_CONTROL_SECRET_TYPES: Readonly<Record<string, string>> = {
  'AWS::SSM::Parameter': 'ssm:GetParameters',
  'AWS::SecretsManager::Secret': 'secretsmanager:GetSecretValue',
  'AWS::Glue::Connection': 'glue:GetConnection',
  'AWS::AppSync::ApiKey': 'appsync:ListApiKeys',
  'AWS::ApiGateway::ApiKey': 'apigateway:GetApiKey',
  'AWS::IAM::AccessKey': 'iam:CreateAccessKey',
  'AWS::Lightsail::BucketAccessKey': 'lightsail:GetBucketAccessKeys',
  'AWS::Cognito::UserPoolClient': 'cognito-idp:ListUserPoolClientSecrets',
};

const UNMASK_OPERATIONS = new Set(['GetLogEvents', 'FilterLogEvents', 'GetLogRecord', 'StartLiveTail']);

/**
 * A refusal when a parameter makes an allowed operation read what the policy refuses; undefined when
 * the parameters change nothing. `service` is the tool's service name, `operation` the SDK's.
 */
export async function decideParameters(
  service: string,
  operation: string,
  parameters: Readonly<Record<string, unknown>>,
  denyActions: readonly string[] = [],
): Promise<Decision | undefined> {
  if (service === 'logs' && UNMASK_OPERATIONS.has(operation) && parameters.unmask === true) {
    const d = await decideIamAction('logs:Unmask', denyActions);
    if (!d.allowed) {
      return { ...d, reason: `unmask: true needs ${d.action} as well. ${d.reason} Call again without unmask.` };
    }
  }
  if (service === 'cloudcontrol' && /^(GetResource|ListResources)$/.test(operation)) {
    const type = typeof parameters.TypeName === 'string' ? parameters.TypeName.trim() : '';
    const known = Object.keys(CLOUD_CONTROL_SECRET_TYPES).find((t) => t.toLowerCase() === type.toLowerCase());
    if (known) {
      const action = CLOUD_CONTROL_SECRET_TYPES[known] ?? '';
      return {
        allowed: false,
        kind: 'sensitive',
        action,
        reason:
          `Reading ${known} through Cloud Control returns what ${action} does (secret values), which is on ` +
          'the sensitive list. aws-ask never reads it; describe-style calls of that service give the metadata.',
      };
    }
  }
  return undefined;
}
