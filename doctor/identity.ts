/** Who the doctor runs as, and where: the region and sts:GetCallerIdentity, each failure said with what to do. */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { BAD_CREDENTIALS, errorText, NETWORK } from '../common/aws-errors.ts';
import { REGION } from '../common/settings.ts';
import { clientConfig, describeError, errorMessage, errorName } from './aws.ts';
import { fail, type Outcome } from './check.ts';

export interface Identity {
  readonly ok: true;
  readonly region: string;
  readonly account: string;
  /** The caller's ARN (a user, or an assumed role and session). */
  readonly arn: string;
}

export interface NoIdentity {
  readonly ok: false;
  /** The region, when it was found. */
  readonly region?: string;
  readonly problem: Outcome;
}

export interface IdentityOptions {
  readonly region?: string;
  readonly profile?: string;
  readonly timeoutMs: number;
}

const SIGN_IN =
  'Sign in and run the doctor again: `aws sso login --profile NAME` then `export AWS_PROFILE=NAME` ' +
  '(or pass --profile NAME), or `aws configure` for access keys.';

/** The region from the options, the environment, or the profile (as the SDK finds it). */
async function findRegion(o: IdentityOptions, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const named = o.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (named) return named;
  const probe = new STSClient(o.profile ? { profile: o.profile } : {});
  try {
    return await probe.config.region();
  } catch {
    return undefined;
  } finally {
    probe.destroy();
  }
}

/** What a failed GetCallerIdentity means, and what to do. */
export function explainIdentityError(e: unknown, region: string): Outcome {
  const text = errorText(e);
  if (/Profile .* (could not be found|not found)/i.test(text))
    return fail(`The AWS profile was not found (${errorMessage(e)}).`, `Use a profile from ~/.aws/config. ${SIGN_IN}`);
  if (BAD_CREDENTIALS.test(text)) {
    if (/expired/i.test(text)) return fail(`The AWS credentials have expired (${describeError(e)}).`, SIGN_IN);
    // the SDK's credential chain found nothing to sign with: no call was made
    if (errorName(e) === 'CredentialsProviderError')
      return fail(`No AWS credentials were found (${errorMessage(e)}).`, SIGN_IN);
    return fail(
      `AWS does not accept these credentials (${describeError(e)}).`,
      'Check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the profile); if the region is an opt-in region, ' +
        `enable ${region} for the account. ${SIGN_IN}`,
    );
  }
  if (NETWORK.test(text))
    return fail(
      `AWS STS in ${region} did not answer (${describeError(e)}).`,
      'Check the network or proxy (HTTPS_PROXY) and that the region name is right.',
    );
  return fail(`sts:GetCallerIdentity failed (${describeError(e)}).`, SIGN_IN);
}

export async function findIdentity(o: IdentityOptions, env: NodeJS.ProcessEnv): Promise<Identity | NoIdentity> {
  const region = await findRegion(o, env);
  if (region && !REGION.test(region))
    return {
      ok: false,
      problem: fail(`"${region}" is not an AWS region name.`, 'Give one like eu-west-1 (AWS_REGION or --region).'),
    };
  if (!region)
    return {
      ok: false,
      problem: fail(
        'No AWS region is set.',
        'Set AWS_REGION (e.g. `export AWS_REGION=eu-west-1`), add a region to your AWS profile, or pass --region.',
      ),
    };
  const sts = new STSClient(
    clientConfig({ region, ...(o.profile ? { profile: o.profile } : {}), timeoutMs: o.timeoutMs }),
  );
  try {
    const me = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: AbortSignal.timeout(o.timeoutMs) });
    return { ok: true, region, account: me.Account ?? '', arn: me.Arn ?? '' };
  } catch (e) {
    return { ok: false, region, problem: explainIdentityError(e, region) };
  } finally {
    sts.destroy();
  }
}
