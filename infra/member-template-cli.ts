/**
 * `npm run member-template [-- -c key=value …]`: writes dist/member-role.template.json, the member role
 * for StackSets (infra/member-template.ts), from cdk.json's context and the `-c` values given (the hub's
 * stackName or toolRoleName, denyActions, localPrincipalArns, and hubRuntimeRoleArn as the parameter's
 * default), and prints the StackSets commands that deploy it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../common/errors.ts';
import { assertDenyActionsKnown } from '../common/policy/index.ts';
import { repoRoot } from './bundle.ts';
import { memberPropsFromContext } from './context.ts';
import { MEMBER_TEMPLATE_STACK, memberTemplate, TEMPLATE_BODY_MAX_BYTES } from './member-template.ts';

/** cdk.json's context, then each `-c key=value` / `--context key=value` of the command line. */
function contextFrom(args: readonly string[]): Record<string, unknown> {
  const cdk = JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  const context: Record<string, unknown> = { ...cdk.context };
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== '-c' && args[i] !== '--context') throw new ConfigError([`unknown argument "${args[i]}"`]);
    const pair = args[++i] ?? '';
    const eq = pair.indexOf('=');
    if (eq < 1) throw new ConfigError([`-c takes key=value (got "${pair}")`]);
    context[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return context;
}

const BODY = 'dist/member-role.template.json';

try {
  const context = contextFrom(process.argv.slice(2));
  // HubRuntimeRoleArn is a parameter: a value given here is only its default
  const { props } = memberPropsFromContext((k) => context[k], { hubRequired: false });
  await assertDenyActionsKnown(props.denyActions, 'context denyActions');
  const { template } = memberTemplate(props);
  const body = JSON.stringify(template);
  const file = join(repoRoot, BODY);
  mkdirSync(join(repoRoot, 'dist'), { recursive: true });
  writeFileSync(file, body);
  const inline = Buffer.byteLength(body) <= TEMPLATE_BODY_MAX_BYTES;
  const hub = props.hubRuntimeRoleArn ?? '<the hub stack output RuntimeRoleArn>';
  process.stdout.write(
    `wrote ${file} (${Buffer.byteLength(body)} bytes; tool role ${props.toolRoleName})\n\n` +
      'From the organization management account (or a delegated StackSets administrator):\n\n' +
      `aws cloudformation create-stack-set --stack-set-name ${MEMBER_TEMPLATE_STACK} \\\n` +
      `  ${inline ? `--template-body file://${BODY}` : '--template-url <the file uploaded to S3>'} \\\n` +
      `  --parameters ParameterKey=HubRuntimeRoleArn,ParameterValue=${hub} \\\n` +
      '  --capabilities CAPABILITY_NAMED_IAM \\\n' +
      '  --permission-model SERVICE_MANAGED \\\n' +
      '  --auto-deployment Enabled=true,RetainStacksOnAccountRemoval=false\n\n' +
      `aws cloudformation create-stack-instances --stack-set-name ${MEMBER_TEMPLATE_STACK} \\\n` +
      '  --deployment-targets OrganizationalUnitIds=ou-abcd-11111111,ou-abcd-22222222 \\\n' +
      '  --regions us-east-1 \\\n' +
      '  --operation-preferences FailureTolerancePercentage=10,MaxConcurrentPercentage=25\n\n' +
      'IAM is global: one region is enough. Leave the hub account out (it has this role already):\n' +
      '  --deployment-targets OrganizationalUnitIds=…,Accounts=<hub account>,AccountFilterType=DIFFERENCE\n',
  );
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  process.stderr.write(`aws-ask: fix these settings:\n${e.problems.map((p) => `- ${p}`).join('\n')}\n`);
  process.exit(1);
}
