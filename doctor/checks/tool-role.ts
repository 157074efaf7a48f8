/**
 * 9. The tool role is read-only: iam:SimulatePrincipalPolicy on the stack's ToolRoleArn, a dry run that
 * changes nothing. Writes and the sensitive reads (which ReadOnlyAccess allows and the stack's Deny takes
 * back) must be denied; one plain read must be allowed, or the bot could answer nothing.
 */
import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { ACCESS_DENIED, errorText } from '../../common/aws-errors.ts';
import { clientConfig, describeError } from '../aws.ts';
import { type Check, fail, pass } from '../check.ts';

/** Changes the role must never make (a delete, a data write, a privilege escalation). */
export const WRITES = ['ec2:TerminateInstances', 's3:PutObject', 'iam:AttachRolePolicy'] as const;
/** Reads ReadOnlyAccess allows that the stack's explicit Deny (common/policy/) takes back. */
export const SENSITIVE_READS = ['s3:GetObject', 'secretsmanager:GetSecretValue'] as const;
/** A read the role must keep. */
export const PLAIN_READ = 'ec2:DescribeInstances';

export const toolRoleCheck: Check = {
  id: 'tool-role',
  title: 'Tool role is read-only',
  afterDeploy: true,
  async run(ctx, signal) {
    const outputs = await ctx.outputs('ToolRoleArn');
    if ('blocked' in outputs) return outputs.blocked;
    const role = outputs.ToolRoleArn;
    const aws = await ctx.aws();
    if ('blocked' in aws) return aws.blocked;
    const iam = new IAMClient(clientConfig(aws));
    let results: { action: string; decision: string; by: string[] }[];
    try {
      const out = await iam.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: role,
          ActionNames: [...WRITES, ...SENSITIVE_READS, PLAIN_READ],
        }),
        { abortSignal: signal },
      );
      results = (out.EvaluationResults ?? []).map((r) => ({
        action: r.EvalActionName ?? '?',
        decision: r.EvalDecision ?? '?',
        by: (r.MatchedStatements ?? []).map((s) => s.SourcePolicyId ?? '?'),
      }));
    } catch (e) {
      return fail(
        `Could not simulate the tool role's policies (${describeError(e)}).`,
        ACCESS_DENIED.test(errorText(e))
          ? `Run the doctor with credentials that may call iam:SimulatePrincipalPolicy on ${role} (an administrator).`
          : `Check that ${role} exists (the stack's ToolRoleArn output); redeploy with \`npm run deploy\`.`,
      );
    } finally {
      iam.destroy();
    }
    const decision = (action: string) => results.find((r) => r.action === action);
    const allowed = [...WRITES, ...SENSITIVE_READS]
      .map((a) => decision(a))
      .filter((r) => r === undefined || r.decision === 'allowed');
    if (allowed.length) {
      const named = allowed
        .map((r) => (r ? `${r.action}${r.by.length ? ` (allowed by ${r.by.join(', ')})` : ''}` : 'an action'))
        .join(', ');
      return fail(
        `The tool role allows ${named}: the bot would not be read-only.`,
        `Remove the policy that allows it from ${role}: the role should carry only ReadOnlyAccess and the stack's ` +
          'Deny (`npm run policy -- statements`). Then redeploy with `npm run deploy` and run the doctor again.',
      );
    }
    if (decision(PLAIN_READ)?.decision !== 'allowed')
      return fail(
        `The tool role cannot even read (${PLAIN_READ} is ${decision(PLAIN_READ)?.decision ?? 'not evaluated'}): ` +
          'the bot could answer nothing.',
        `Attach ReadOnlyAccess to ${role} again with \`npm run deploy\`, and check no permission boundary or ` +
          'service control policy denies reads.',
      );
    return pass(
      `Denies ${WRITES.join(', ')} and ${SENSITIVE_READS.join(', ')}; ` +
        `allows ${PLAIN_READ} (iam:SimulatePrincipalPolicy).`,
    );
  },
};
