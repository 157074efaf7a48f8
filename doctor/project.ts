/**
 * What the project's cdk.json says about the deploy (the stack's name, the model, the Slack API base, the
 * receiver's reserved concurrency, the bootstrap qualifier), so the doctor checks what `npm run deploy`
 * would deploy without being told twice.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SettingsReader } from '../common/settings.ts';
import { readReceiverReservedConcurrency } from '../infra/context.ts';

/** The context key DefaultStackSynthesizer takes its qualifier from (aws-cdk-lib's BOOTSTRAP_QUALIFIER_CONTEXT). */
export const BOOTSTRAP_QUALIFIER_CONTEXT = '@aws-cdk/core:bootstrapQualifier';

export interface ProjectContext {
  readonly stackName?: string;
  readonly modelId?: string;
  /** Another Slack API base (GovSlack), which the stack gives the functions as SLACK_API_URL. */
  readonly slackApiUrl?: string;
  /**
   * The bootstrap qualifier the stack is synthesized for: DefaultStackSynthesizer reads it from this
   * context key (default hnb659fds).
   */
  readonly bootstrapQualifier?: string;
  /**
   * Context receiverReservedConcurrency as the stack reads it (false: `none`); what the deploy would say
   * about it when it would refuse the value.
   */
  readonly receiverReservedConcurrency?: number | false | { readonly problem: string };
}

/** cdk.json's context in `dir`; empty when there is none or it cannot be read. */
export function readProjectContext(dir: string): ProjectContext {
  let context: Record<string, unknown>;
  try {
    const parsed = JSON.parse(readFileSync(join(dir, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
    context = parsed.context ?? {};
  } catch {
    return {};
  }
  const text = (key: string) =>
    typeof context[key] === 'string' && context[key] ? (context[key] as string) : undefined;
  const stackName = text('stackName');
  const modelId = text('modelId');
  const slackApiUrl = text('slackApiUrl');
  const bootstrapQualifier = text(BOOTSTRAP_QUALIFIER_CONTEXT);
  const read = new SettingsReader((key) => context[key], { describe: (key) => `context ${key}` });
  const concurrency = readReceiverReservedConcurrency(read);
  const receiverReservedConcurrency = read.problems[0] ? { problem: read.problems[0] } : concurrency;
  return {
    ...(stackName ? { stackName } : {}),
    ...(modelId ? { modelId } : {}),
    ...(slackApiUrl ? { slackApiUrl } : {}),
    ...(bootstrapQualifier ? { bootstrapQualifier } : {}),
    ...(receiverReservedConcurrency !== undefined ? { receiverReservedConcurrency } : {}),
  };
}
