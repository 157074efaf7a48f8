/**
 * What the checks share, each found once however many checks need it: who and where (credentials,
 * region), what the deploy would use (stack, model, Slack API base, the receiver's reserved concurrency,
 * the bootstrap qualifier: flags, else cdk.json, as `npm run deploy` takes them), the deployed stack's
 * outputs, its runtime (and the model it runs), and the Slack secret. Each has its own deadline, so a check
 * waiting on one never waits longer than that.
 */
import { DEFAULT_MODEL_ID, DEFAULT_RECEIVER_RESERVED_CONCURRENCY } from '../common/defaults.ts';
import { type DeployedRuntime, parseRuntimeArn, readRuntime } from './agent-runtime.ts';
import { type ClientSettings, describeError } from './aws.ts';
import { fail, type Outcome } from './check.ts';
import { byDeadline } from './deadline.ts';
import { type Deployment, findDeployment, type OutputKey } from './deployment.ts';
import { findIdentity, type Identity, type NoIdentity } from './identity.ts';
import type { DoctorOptions } from './options.ts';
import { readProjectContext } from './project.ts';
import { type NoSlackSecret, readSlackSecret, type SlackSecret } from './slack-secret.ts';

/**
 * The receiver's reserved concurrency the deploy would use (false: none) and where that comes from, or
 * why the deploy would refuse cdk.json's value.
 */
export type ReceiverConcurrency =
  | { readonly reserved: number | false; readonly from: string }
  | { readonly problem: string };

/** The model the model check calls, where, and why that one. */
export interface ModelChoice {
  readonly modelId: string;
  /** Bedrock's region for it, when that is not the region being checked (the deployed BEDROCK_REGION). */
  readonly region?: string;
  /** Where it comes from, e.g. "the deployed runtime's MODEL_ID" or "cdk.json's modelId". */
  readonly from: string;
}

/** The Slack Web API base the deployed functions call (undefined: Slack's own) and where that comes from. */
export interface SlackApi {
  readonly url?: string;
  readonly from: string;
}

/** A check that cannot run says why, as this outcome (a skip, usually). */
export interface Blocked {
  readonly blocked: Outcome;
}

const memo = <T>(make: () => Promise<T>): (() => Promise<T>) => {
  let p: Promise<T> | undefined;
  return () => {
    p ??= make();
    return p;
  };
};

export class DoctorContext {
  readonly options: DoctorOptions;
  readonly env: NodeJS.ProcessEnv;
  readonly stackName: string;
  readonly receiverConcurrency: ReceiverConcurrency;
  /** cdk.json's @aws-cdk/core:bootstrapQualifier, when it names one. */
  readonly bootstrapQualifier?: string;
  readonly slackApi: SlackApi;
  readonly identity: () => Promise<Identity | NoIdentity>;
  readonly deployment: () => Promise<Deployment | Blocked>;
  /** The deployed runtime (GetAgentRuntime on the stack's RuntimeArn). */
  readonly runtime: () => Promise<DeployedRuntime | Blocked>;
  /**
   * Before the deploy (or while the stack is not there): --model, else cdk.json's modelId, else the default,
   * as `npm run deploy` takes it. After: --model, else the deployed runtime's MODEL_ID and BEDROCK_REGION.
   */
  readonly model: () => Promise<ModelChoice>;
  readonly slackSecret: () => Promise<SlackSecret | NoSlackSecret | Blocked>;

  constructor(options: DoctorOptions, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()) {
    this.options = options;
    this.env = env;
    const project = readProjectContext(cwd);
    this.stackName = options.stackName ?? project.stackName ?? 'aws-ask';
    if (project.bootstrapQualifier) this.bootstrapQualifier = project.bootstrapQualifier;
    // as the stack gives the functions SLACK_API_URL: cdk.json's slackApiUrl (GovSlack); the environment's for
    // a bot run locally (and the tests' fake Slack)
    const slackApiUrl = env.SLACK_API_URL?.trim();
    this.slackApi = project.slackApiUrl
      ? { url: project.slackApiUrl, from: "cdk.json's slackApiUrl" }
      : slackApiUrl
        ? { url: slackApiUrl, from: 'SLACK_API_URL' }
        : { from: 'Slack' };
    const inProject = project.receiverReservedConcurrency;
    this.receiverConcurrency =
      options.receiverConcurrency !== undefined
        ? { reserved: options.receiverConcurrency, from: '--receiver-concurrency' }
        : inProject === undefined
          ? { reserved: DEFAULT_RECEIVER_RESERVED_CONCURRENCY, from: 'the default' }
          : typeof inProject === 'object'
            ? inProject
            : { reserved: inProject, from: 'cdk.json' };
    const ms = options.timeoutMs;
    const late = (what: string) =>
      fail(`${what} did not answer within ${Math.round(ms / 1000)} s.`, 'Check the network or proxy, then run again.');
    this.identity = memo(() =>
      byDeadline(
        findIdentity(
          {
            timeoutMs: ms,
            ...(options.region ? { region: options.region } : {}),
            ...(options.profile ? { profile: options.profile } : {}),
          },
          env,
        ),
        ms,
        (): NoIdentity => ({ ok: false, problem: late('AWS (sts:GetCallerIdentity)') }),
      ),
    );
    this.deployment = memo(async () => {
      const aws = await this.aws();
      if ('blocked' in aws) return aws;
      const found = findDeployment(this.stackName, options.outputsFile, aws, AbortSignal.timeout(ms), cwd);
      return byDeadline(found, ms, (): Deployment => ({ state: 'unknown', detail: late('CloudFormation').detail }));
    });
    this.runtime = memo(async (): Promise<DeployedRuntime | Blocked> => {
      const outputs = await this.outputs('RuntimeArn');
      if ('blocked' in outputs) return outputs;
      const named = parseRuntimeArn(outputs.RuntimeArn);
      if (!named)
        return {
          blocked: fail(
            `The stack's RuntimeArn "${outputs.RuntimeArn}" is not an AgentCore runtime ARN.`,
            'Redeploy with `npm run deploy`.',
          ),
        };
      const aws = await this.aws(named.region);
      if ('blocked' in aws) return aws;
      const read = readRuntime(named.id, aws, AbortSignal.timeout(ms));
      return byDeadline(read, ms, (): DeployedRuntime => ({ ...named, error: new Error(late('AgentCore').detail) }));
    });
    const planned: ModelChoice = options.modelId
      ? { modelId: options.modelId, from: '--model' }
      : project.modelId
        ? { modelId: project.modelId, from: "cdk.json's modelId" }
        : { modelId: DEFAULT_MODEL_ID, from: "the default (cdk.json's context names no modelId)" };
    this.model = memo(async (): Promise<ModelChoice> => {
      if (options.modelId || options.mode === 'before') return planned;
      const rt = await this.runtime();
      // not deployed, or the stack cannot be used: the deploy would use the planned one
      if ('blocked' in rt) return planned;
      if ('error' in rt)
        return {
          ...planned,
          from: `${planned.from}; the deployed runtime could not be read: ${describeError(rt.error)}`,
        };
      const deployedEnv = rt.runtime.environmentVariables ?? {};
      const modelId = deployedEnv.MODEL_ID?.trim();
      if (!modelId) return { ...planned, from: `${planned.from}; the deployed runtime has no MODEL_ID` };
      const bedrockRegion = deployedEnv.BEDROCK_REGION?.trim();
      const next =
        planned.modelId !== modelId ? `; npm run deploy would change it to ${planned.modelId} (${planned.from})` : '';
      return {
        modelId,
        region: bedrockRegion || deployedEnv.AWS_REGION?.trim() || rt.region,
        from: `the deployed runtime's MODEL_ID${bedrockRegion ? ' and BEDROCK_REGION' : ''}${next}`,
      };
    });
    this.slackSecret = memo(async () => {
      const outputs = await this.outputs('SlackSecretArn');
      if ('blocked' in outputs) return outputs;
      const aws = await this.aws();
      if ('blocked' in aws) return aws;
      const read = readSlackSecret(outputs.SlackSecretArn, aws, AbortSignal.timeout(ms));
      return byDeadline(read, ms, (): NoSlackSecret => ({ ok: false, problem: late('Secrets Manager') }));
    });
  }

  /** Client settings for the region being checked, once the credentials work. */
  async aws(region?: string): Promise<ClientSettings | Blocked> {
    const me = await this.identity();
    if (!me.ok) return { blocked: { status: 'skip', detail: 'Needs working AWS credentials (see above).' } };
    return {
      region: region ?? me.region,
      timeoutMs: this.options.timeoutMs,
      ...(this.options.profile ? { profile: this.options.profile } : {}),
    };
  }

  /**
   * The deployed stack's outputs, with `keys` present; else why a check after the deploy does not run
   * (before the deploy it is skipped; the "Deployed stack" line says what is wrong with the stack).
   */
  async outputs<K extends OutputKey>(...keys: K[]): Promise<Record<K, string> | Blocked> {
    if (this.options.mode === 'before')
      return { blocked: { status: 'skip', detail: 'Runs after the deploy (--before).' } };
    const d = await this.deployment();
    if ('blocked' in d) return d;
    if (d.state === 'absent') return { blocked: { status: 'skip', detail: 'Not deployed yet.' } };
    if (d.state !== 'deployed')
      return { blocked: { status: 'skip', detail: 'The stack cannot be checked (see "Deployed stack").' } };
    const missing = keys.filter((k) => !d.outputs[k]);
    if (missing.length)
      return {
        blocked: {
          status: 'fail',
          detail: `The stack ${this.stackName} has no output ${missing.join(', ')} (from ${d.source}).`,
          fix: 'Deploy this version of aws-ask with `npm run deploy`: its stack has every output the doctor reads.',
        },
      };
    return d.outputs as Record<K, string>;
  }
}
