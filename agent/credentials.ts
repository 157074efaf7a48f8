/**
 * Credentials for the controlled tool, pinned by configuration and never taken from model input.
 *
 * - TOOL_ROLE_ARN: assume that role with session policies passed by ARN (TOOL_SESSION_POLICY_ARNS:
 *   the stack's read-only allow and deny policies, common/policy/documents.ts), the Slack asker as
 *   SourceIdentity and session name; credentials cached per asker and refreshed five minutes before
 *   they expire, so 200 calls cost one AssumeRole.
 *   With AGENT_TOOL_USE_AWS_PROFILE_NAME also set, that profile's credentials assume the role.
 *   In another account of AWS_ASK_ACCOUNTS (common/accounts.ts), the role of the same name there (or
 *   TOOL_ROLE_NAME), built from configuration alone, with the same session policies in that account (the
 *   member stacks create them under the same names) and the same SourceIdentity; cached per account and asker.
 * - else AGENT_TOOL_USE_AWS_PROFILE_NAME: that local profile (dev).
 * - neither: a ConfigError that names both variables.
 */
import { fromIni, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { parseRoleArn } from '../common/accounts.ts';
import { DEFAULT_REGION } from '../common/defaults.ts';
import { ConfigError } from '../common/errors.ts';
import { MAX_MANAGED_POLICIES } from '../common/policy/index.ts';
import type { Asker } from '../common/protocol.ts';
import { SettingsReader } from '../common/settings.ts';

export { ConfigError };

export type CredentialMode =
  | {
      readonly kind: 'role';
      readonly roleArn: string;
      /** The managed policies every session passes (STS `PolicyArns`): the stack's read-only allow and deny. */
      readonly sessionPolicyArns: readonly string[];
      readonly profile?: string;
    }
  | { readonly kind: 'profile'; readonly profile: string };

const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso[a-z-]*):iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const POLICY_ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso[a-z-]*):iam::\d{12}:policy\/[\w+=,.@/-]{1,512}$/;

/** TOOL_SESSION_POLICY_ARNS: the customer-managed policies (1 to 10) each session passes. */
function readSessionPolicyArns(read: SettingsReader): string[] {
  const arns = read.list('TOOL_SESSION_POLICY_ARNS');
  if (arns.length === 0) {
    read.problem(
      'TOOL_SESSION_POLICY_ARNS is not set: with TOOL_ROLE_ARN, give the read-only session policies too, ' +
        "comma-separated (the deploy's ToolSessionPolicyArns output), so every session is capped on its own.",
    );
  }
  const bad = arns.filter((a) => !POLICY_ARN.test(a));
  if (bad.length) {
    read.problem(
      `TOOL_SESSION_POLICY_ARNS must hold customer-managed policy ARNs like ` +
        `arn:aws:iam::123456789012:policy/aws-ask-read (got ${bad.map((b) => `"${b}"`).join(', ')}).`,
    );
  }
  if (arns.length > MAX_MANAGED_POLICIES)
    read.problem(`TOOL_SESSION_POLICY_ARNS has ${arns.length} ARNs; STS takes at most ${MAX_MANAGED_POLICIES}.`);
  return arns.filter((a) => POLICY_ARN.test(a));
}

/** How the tool gets credentials, from one process-wide reader (problems are collected, not thrown). */
export function readCredentialMode(read: SettingsReader): CredentialMode {
  const roleArn = read.str('TOOL_ROLE_ARN');
  const profile = read.str('AGENT_TOOL_USE_AWS_PROFILE_NAME');
  if (roleArn) {
    if (!ROLE_ARN.test(roleArn)) {
      read.problem(
        `TOOL_ROLE_ARN must be an IAM role ARN like arn:aws:iam::123456789012:role/aws-ask-tool (got "${roleArn}").`,
      );
    }
    const sessionPolicyArns = readSessionPolicyArns(read);
    return profile
      ? { kind: 'role', roleArn, sessionPolicyArns, profile }
      : { kind: 'role', roleArn, sessionPolicyArns };
  }
  if (profile) return { kind: 'profile', profile };
  read.problem(
    'The AWS tool has no credentials: set TOOL_ROLE_ARN to the read-only role to assume (deployed), ' +
      'or AGENT_TOOL_USE_AWS_PROFILE_NAME to a local AWS profile (dev).',
  );
  return { kind: 'profile', profile: 'default' };
}

/** The credential mode alone; ConfigError listing every problem. */
export function credentialModeFromEnv(env: NodeJS.ProcessEnv = process.env): CredentialMode {
  const read = new SettingsReader(env);
  return read.done(readCredentialMode(read));
}

/** 2–64 characters of [\w+=,.@-], as STS requires for SourceIdentity and RoleSessionName. */
export function stsName(parts: (string | undefined)[], fallback: string): string {
  const joined = parts
    .filter(Boolean)
    .join('.')
    .replace(/[^\w+=,.@-]/g, '-')
    .slice(0, 64);
  return joined.length >= 2 ? joined : fallback;
}

const REFRESH_BEFORE_MS = 5 * 60_000;

/** Caches a provider's credentials until five minutes before they expire; concurrent callers share one fetch. */
export function memoizeCredentials(provider: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
  let current: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  const fresh = () => current && (!current.expiration || current.expiration.getTime() - Date.now() > REFRESH_BEFORE_MS);
  return async () => {
    if (fresh()) return current as AwsCredentialIdentity;
    pending ??= provider().then(
      (c) => {
        current = c;
        pending = undefined;
        return c;
      },
      (e: unknown) => {
        pending = undefined;
        throw e;
      },
    );
    return pending;
  };
}

export interface PinnedCredentialsOptions {
  /** Region of the STS client. */
  readonly region?: string;
  /** Most askers whose credentials are kept (over every account). */
  readonly maxAskers?: number;
  /** The role read in other accounts (TOOL_ROLE_NAME, with its path); default: the tool role's own. */
  readonly memberRoleName?: string;
}

/** A policy or role ARN with its account field set to `account`. */
const inAccount = (arn: string, account: string): string =>
  arn.replace(/^(arn:[^:]+:iam::)\d{12}(:)/, `$1${account}$2`);

/** Hands out the pinned credentials for an asker; see the module comment. */
export class PinnedCredentials {
  private readonly byAsker = new Map<string, AwsCredentialIdentityProvider>();
  private readonly master?: AwsCredentialIdentityProvider;
  readonly mode: CredentialMode;
  private readonly options: PinnedCredentialsOptions;

  constructor(mode: CredentialMode, options: PinnedCredentialsOptions = {}) {
    this.mode = mode;
    this.options = options;
    if (mode.profile) this.master = memoizeCredentials(fromIni({ profile: mode.profile }));
  }

  /**
   * The role assumed in `account` (the tool role's own account when absent): the tool role there, else
   * the role of TOOL_ROLE_NAME (or the tool role's name) in that account. Configuration only.
   */
  roleArnFor(account?: string): string {
    if (this.mode.kind !== 'role') throw new Error('roleArnFor needs TOOL_ROLE_ARN');
    const hub = parseRoleArn(this.mode.roleArn);
    if (!hub || account === undefined || account === hub.account) {
      return this.mode.roleArn;
    }
    return `arn:${hub.partition}:iam::${account}:role/${this.options.memberRoleName ?? hub.role}`;
  }

  /** The STS AssumeRole parameters for an asker in an account (exported for tests and audits). */
  assumeRoleParams(asker?: Asker, account?: string) {
    if (this.mode.kind !== 'role') throw new Error('assumeRoleParams needs TOOL_ROLE_ARN');
    const who = asker?.userId ? stsName(['slack', asker.teamId, asker.userId], 'aws-ask') : undefined;
    const policies = this.mode.sessionPolicyArns;
    return {
      RoleArn: this.roleArnFor(account),
      RoleSessionName: who ?? 'aws-ask',
      PolicyArns: (account ? policies.map((arn) => inAccount(arn, account)) : policies).map((arn) => ({ arn })),
      DurationSeconds: 3600,
      ...(who ? { SourceIdentity: who } : {}),
    };
  }

  /**
   * Credentials for an asker in an account (its 12-digit id, from configuration; absent: the tool
   * role's account): a cache key (for SDK clients) and the provider.
   */
  forAsker(asker?: Asker, account?: string): { key: string; provider: AwsCredentialIdentityProvider } {
    if (this.mode.kind === 'profile') {
      if (account !== undefined) throw new Error('another account needs TOOL_ROLE_ARN');
      return { key: `profile:${this.mode.profile}`, provider: this.master as AwsCredentialIdentityProvider };
    }
    const params = this.assumeRoleParams(asker, account);
    // Names the credentials exactly: SDK clients are cached by this key (the role ARN names the account).
    const key = `role:${params.RoleArn}:${this.mode.profile ?? ''}:${params.SourceIdentity ?? '-'}`;
    let provider = this.byAsker.get(key);
    if (!provider) {
      const assume = fromTemporaryCredentials({
        params,
        ...(this.master ? { masterCredentials: this.master } : {}),
        clientConfig: { region: this.options.region ?? process.env.AWS_REGION ?? DEFAULT_REGION },
      });
      const roleArn = params.RoleArn;
      provider = memoizeCredentials(async () => {
        try {
          return await assume();
        } catch (e) {
          // say what failed: not the call the model asked for, but the bot's own credentials
          throw Object.assign(new Error(`could not assume the tool role ${roleArn}: ${(e as Error).message}`), {
            name: 'CredentialsProviderError',
            cause: e,
          });
        }
      });
      this.byAsker.set(key, provider);
      const max = this.options.maxAskers ?? 500;
      while (this.byAsker.size > max) this.byAsker.delete(this.byAsker.keys().next().value as string);
    }
    return { key, provider };
  }
}
