/** The doctor's command line: what it checks, where, and how it prints. */
import { SettingsReader } from '../common/settings.ts';
import { readReceiverReservedConcurrency } from '../infra/context.ts';

/**
 * `auto`: the checks after `npm run deploy` run when the stack is found, and are skipped when it is
 * not. `before`: they are skipped. `after`: a missing stack is a failure.
 */
export type DoctorMode = 'auto' | 'before' | 'after';

export interface DoctorOptions {
  readonly mode: DoctorMode;
  readonly json: boolean;
  /** The CloudFormation stack (default: cdk.json's context stackName, else aws-ask). */
  readonly stackName?: string;
  /** Where `npm run deploy` wrote the outputs (default: cdk-outputs.json). */
  readonly outputsFile: string;
  readonly region?: string;
  readonly profile?: string;
  /**
   * Bedrock model or inference profile to try (default: after the deploy the deployed runtime's MODEL_ID,
   * before it cdk.json's context modelId, else the project default).
   */
  readonly modelId?: string;
  /**
   * The receiver's reserved concurrency the deploy will use, as `-c receiverReservedConcurrency=…` gives it
   * (default: cdk.json's, else the stack's default); false: `none`, nothing reserved.
   */
  readonly receiverConcurrency?: number | false;
  /** Longest wait for one check. */
  readonly timeoutMs: number;
}

export const DEFAULT_TIMEOUT_MS = 20_000;

export const USAGE = `Usage: npm run doctor -- [--before | --after] [--json] [--stack NAME] [--region REGION]
                         [--profile NAME] [--model ID] [--receiver-concurrency N|none]
                         [--outputs FILE] [--timeout SECONDS]

Checks what aws-ask needs, one line per check, with what to do when one fails:
  before deploying   AWS credentials, CDK bootstrap, AgentCore Runtime in the region, the Bedrock model,
                     Lambda concurrency to spare for the receiver's reservation
  after deploying    the stack, the Slack secret and bot token, the runtime (READY, MMDSv2 required),
                     the Slack request URL (a signed url_verification), the tool role denying writes
The deployed values come from the stack's CloudFormation outputs (cdk-outputs.json when CloudFormation
cannot be read). Without --before or --after, the after-deploy checks run when the stack is found and
are skipped ("not deployed yet") when it is not; --after makes a missing stack a failure.
  --json            one JSON object on stdout
  --stack NAME      the stack's name (default: cdk.json's stackName, else aws-ask)
  --region REGION   the region to check (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's)
  --profile NAME    the AWS profile (default: AWS_PROFILE)
  --model ID        the model to try (default: the deployed runtime's MODEL_ID and BEDROCK_REGION;
                    before the deploy cdk.json's modelId, else the project default, in the stack's region)
  --receiver-concurrency N|none
                    the receiver's reserved concurrency the deploy will use, as with
                    -c receiverReservedConcurrency=… (default: cdk.json's, else 10)
  --outputs FILE    the outputs file npm run deploy wrote (default: cdk-outputs.json)
  --timeout SECONDS longest wait for one check (default: ${DEFAULT_TIMEOUT_MS / 1000})
Exit status: 0 when every check that applies passes, 1 when one fails, 2 on a usage error.`;

const VALUED = [
  '--stack',
  '--region',
  '--profile',
  '--model',
  '--receiver-concurrency',
  '--outputs',
  '--timeout',
] as const;
type Valued = (typeof VALUED)[number];

/** The options, or a sentence saying what is wrong with the command line. */
export function parseOptions(args: readonly string[]): DoctorOptions | { readonly usage: string } {
  let mode: DoctorMode = 'auto';
  let json = false;
  const values: Partial<Record<Valued, string>> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--json') json = true;
    else if (a === '--before' || a === '--after') {
      const wanted = a === '--before' ? 'before' : 'after';
      if (mode !== 'auto' && mode !== wanted) return { usage: 'Give --before or --after, not both.' };
      mode = wanted;
    } else if ((VALUED as readonly string[]).includes(a)) {
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) return { usage: `${a} needs a value.` };
      values[a as Valued] = v;
    } else if (a === '--help' || a === '-h') return { usage: '' };
    else return { usage: `Unknown option "${a}".` };
  }
  const seconds = values['--timeout'] === undefined ? DEFAULT_TIMEOUT_MS / 1000 : Number(values['--timeout']);
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > 600)
    return { usage: `--timeout must be a number of seconds from 1 to 600 (got "${values['--timeout']}").` };
  const concurrency = values['--receiver-concurrency'];
  let receiverConcurrency: number | false | undefined;
  if (concurrency !== undefined) {
    const read = new SettingsReader((key) => (key === 'receiverReservedConcurrency' ? concurrency : undefined));
    receiverConcurrency = readReceiverReservedConcurrency(read);
    if (receiverConcurrency === undefined || read.problems.length)
      return { usage: `--receiver-concurrency must be none or a whole number from 1 to 1000 (got "${concurrency}").` };
  }
  return {
    mode,
    json,
    outputsFile: values['--outputs'] ?? 'cdk-outputs.json',
    timeoutMs: Math.round(seconds * 1000),
    ...(values['--stack'] ? { stackName: values['--stack'] } : {}),
    ...(values['--region'] ? { region: values['--region'] } : {}),
    ...(values['--profile'] ? { profile: values['--profile'] } : {}),
    ...(values['--model'] ? { modelId: values['--model'] } : {}),
    ...(receiverConcurrency !== undefined ? { receiverConcurrency } : {}),
  };
}
