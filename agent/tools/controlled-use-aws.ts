/**
 * controlled_use_aws: use_aws cloned for a server with no human to confirm anything.
 *
 * The spec is a deep copy of use_aws's, renamed, with `profile_name` deleted and unknown properties
 * disallowed; input is validated strictly; credentials are pinned by configuration
 * (agent/credentials.ts); every call passes the read-only policy (common/policy/) before any
 * network call. With several accounts configured (AWS_ASK_ACCOUNTS), `account` and `accounts` choose
 * among the allowed ones (accounts.ts); a name outside them is refused before any AWS call.
 */
import { type Agent, BeforeToolCallEvent, FunctionTool, type ToolContext, type ToolSpec } from '@strands-agents/sdk';
import { namesText, readAccountsConfig } from '../../common/accounts.ts';
import { decideOperation, decideParameters, readDenyActions } from '../../common/policy/index.ts';
import type { Asker } from '../../common/protocol.ts';
import { SettingsReader } from '../../common/settings.ts';
import { AccountDirectory, AccountsUnavailableError, organizationLister } from '../accounts.ts';
import { type credentialModeFromEnv, PinnedCredentials, readCredentialMode } from '../credentials.ts';
import { allowedAccountsFor, type CallScope, pickAccounts, type ScopeFor, scopeSubject } from './accounts.ts';
import { AwsCaller, type AwsCallOutcome, type AwsCallRecord, type AwsRequest, type Gate } from './aws-caller.ts';
import { parseAccounts, parseParameters, parseQuery, parseRegions, ToolInputError } from './input.ts';
import { type AwsCallSettings, REGION, readToolSettings, settingsFromEnv } from './settings.ts';
import { ACCOUNT_PROPERTIES, USE_AWS_SPEC } from './spec.ts';

export const CONTROLLED_USE_AWS_NAME = 'controlled_use_aws';

function cloneSpec(): ToolSpec {
  const spec = structuredClone(USE_AWS_SPEC);
  spec.name = CONTROLLED_USE_AWS_NAME;
  spec.description =
    `${USE_AWS_SPEC.description} Read-only: only List and Read operations are allowed; calls that ` +
    'change anything or return secrets or data contents are refused. ' +
    'Credentials are fixed; there is no profile choice.';
  const schema = spec.inputSchema as {
    properties: Record<string, unknown>;
    required?: string[];
    additionalProperties?: boolean;
  };
  delete schema.properties.profile_name;
  Object.assign(schema.properties, structuredClone(ACCOUNT_PROPERTIES));
  schema.required = (schema.required ?? []).filter((r) => r !== 'profile_name');
  schema.additionalProperties = false;
  return spec;
}

export const CONTROLLED_USE_AWS_SPEC: ToolSpec = cloneSpec();

const ALLOWED_KEYS: readonly string[] = Object.keys(
  (CONTROLLED_USE_AWS_SPEC.inputSchema as { properties: Record<string, unknown> }).properties,
);

/** Parameter names that would choose credentials or endpoints, refused unless the operation really has them. */
const CREDENTIAL_PARAMS =
  /^(profile(_?name)?|endpoint(_?url)?|credentials?|access_?key(_?id)?|secret_?access_?key|session_?token|aws_.*)$/i;

/** Validates raw model input strictly; throws ToolInputError (nothing is called). */
export function validateInput(raw: unknown, settings: Pick<AwsCallSettings, 'defaultRegion'>): AwsRequest {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ToolInputError(
      'Input must be an object with service_name, operation_name, parameters, region (or regions), query and label.',
    );
  }
  const input = raw as Record<string, unknown>;
  const extra = Object.keys(input).filter((k) => !ALLOWED_KEYS.includes(k));
  if (extra.length) {
    const why = extra.some((k) => CREDENTIAL_PARAMS.test(k))
      ? ' Credentials, profiles and endpoints are fixed by the deployment and cannot be chosen.'
      : '';
    throw new ToolInputError(
      `Unknown input ${extra.length > 1 ? 'properties' : 'property'} ${extra.join(', ')}; ` +
        `allowed: ${ALLOWED_KEYS.join(', ')}.${why}`,
    );
  }
  const str = (k: string, max: number, required: boolean): string | undefined => {
    const v = input[k];
    if (v === undefined || v === null) {
      if (required) throw new ToolInputError(`${k} is required.`);
      return undefined;
    }
    if (typeof v !== 'string')
      throw new ToolInputError(`${k} must be a string, not ${Array.isArray(v) ? 'an array' : typeof v}.`);
    const t = v.trim();
    if (required && !t) throw new ToolInputError(`${k} must not be empty.`);
    if (t.length > max) throw new ToolInputError(`${k} is longer than ${max} characters.`);
    return t;
  };
  const service = str('service_name', 64, true) as string;
  const operation = str('operation_name', 128, true) as string;
  const given = str('region', 32, false);
  const region = given || settings.defaultRegion;
  const label = str('label', 300, false) || `${service}:${operation}`;
  if (!REGION.test(region)) throw new ToolInputError(`region "${region}" is not an AWS region name (e.g. us-east-1).`);
  const regions = parseRegions(input.regions, Boolean(given));
  const query = parseQuery(input.query);
  const parameters = parseParameters(input.parameters);
  const accounts = parseAccounts(input.account, input.accounts);
  return {
    service,
    operation,
    parameters,
    region,
    label,
    ...accounts,
    ...(regions ? { regions } : {}),
    ...(query !== undefined ? { query } : {}),
  };
}

/** Reads the asker from the agent's invocation state, where the server puts it. */
export function askerFrom(context: ToolContext | undefined): Asker | undefined {
  const a = context?.invocationState?.asker as Asker | undefined;
  return a && typeof a === 'object' ? a : undefined;
}

export interface ControlledUseAwsOptions {
  readonly credentials: PinnedCredentials;
  readonly caller?: AwsCaller;
  /** The operator's extra denies (AWS_ASK_DENY_ACTIONS), refused like the sensitive list. */
  readonly denyActions?: readonly string[];
  /** Told of every call, refused or made, with the model's toolUseId as `id`. */
  readonly onCall?: (record: AwsCallRecord & { readonly id: string }, asker?: Asker) => void;
  /** The accounts the bot may read (AWS_ASK_ACCOUNTS); absent: the tool role's account alone. */
  readonly accounts?: AccountDirectory;
  /** What an asker may ask about (a Slack channel's or user's scope); applied to every call when given. */
  readonly scopeFor?: ScopeFor;
}

/**
 * A scope's regions applied to the call as asked: a region or a listed region outside them is refused
 * (undefined when all is well); `"all"` becomes the scope's regions.
 */
function scopeRegions(req: AwsRequest, scope: CallScope | undefined, asker?: Asker): AwsRequest | string {
  const allowed = scope?.regions;
  if (!allowed) return req;
  if (req.regions === 'all') return { ...req, regions: [...allowed] };
  const asked = req.regions ?? [req.region];
  const outside = asked.filter((r) => !allowed.includes(r));
  if (!outside.length) return req;
  const who = scopeSubject(asker);
  return (
    `Refused: ${outside.join(', ')} ${outside.length > 1 ? 'are' : 'is'} outside what ${who} may ask about. ` +
    `${who[0]?.toUpperCase()}${who.slice(1)} may ask about ${namesText([...allowed])}. No AWS call was made.`
  );
}

export function createControlledUseAws(options: ControlledUseAwsOptions): FunctionTool {
  const caller = options.caller ?? new AwsCaller(settingsFromEnv());
  const denyActions = options.denyActions ?? [];
  // the operation, then the parameters that change what it reads (logs unmask, Cloud Control secret types)
  const gate: Gate = async (service, operation, parameters) => {
    const decision = await decideOperation(service, operation, denyActions);
    if (!decision.allowed || !parameters) return decision;
    return (await decideParameters(service.name, operation, parameters, denyActions)) ?? decision;
  };
  const { credentials, accounts: directory } = options;
  const run = async (asked: AwsRequest, asker?: Asker): Promise<AwsCallOutcome> => {
    const scope = options.scopeFor?.(asker);
    const req = scopeRegions(asked, scope, asker);
    if (typeof req === 'string') return caller.refuse(asked, req, 'RegionNotInScope');
    if (!directory) {
      if (req.account !== undefined || req.accounts !== undefined) {
        const text =
          'This deployment reads one AWS account (its own); account and accounts cannot be used. ' +
          'An operator can list more with AWS_ASK_ACCOUNTS. No AWS call was made.';
        return caller.refuse(req, text, 'AccountNotAllowed');
      }
      return caller.call(req, credentials.forAsker(asker), gate);
    }
    let picked: ReturnType<typeof pickAccounts>;
    try {
      picked = pickAccounts(req, await allowedAccountsFor(directory, asker, scope));
    } catch (e) {
      if (!(e instanceof AccountsUnavailableError)) throw e;
      return caller.refuse(req, `${e.message} No AWS call was made for the question.`, 'AccountsUnavailable');
    }
    if (!picked.ok) return caller.refuse(req, picked.text, 'AccountNotAllowed');
    const targets = picked.accounts.map((a) => ({ ...a, creds: credentials.forAsker(asker, a.id) }));
    if (req.accounts === undefined) {
      const [one] = targets as [(typeof targets)[0]];
      return caller.call({ ...req, account: one.alias }, one.creds, gate);
    }
    return caller.callAccounts(req, targets, gate);
  };
  return new FunctionTool({
    name: CONTROLLED_USE_AWS_SPEC.name,
    description: CONTROLLED_USE_AWS_SPEC.description,
    inputSchema: CONTROLLED_USE_AWS_SPEC.inputSchema,
    callback: async (raw: unknown, context: ToolContext) => {
      const asked = validateInput(raw, caller.settings);
      const asker = askerFrom(context);
      const outcome = await run(asked, asker);
      options.onCall?.({ ...outcome.record, id: context.toolUse.toolUseId }, asker);
      if (!outcome.ok) throw new Error(outcome.text);
      return outcome.text;
    },
  });
}

/** The tool with credentials and settings from the environment; throws ConfigError naming what to set. */
export function controlledUseAwsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  extra: Omit<ControlledUseAwsOptions, 'credentials' | 'caller'> = {},
): { tool: FunctionTool; credentials: PinnedCredentials; caller: AwsCaller } {
  const read = new SettingsReader(env);
  const settings = readToolSettings(read);
  const mode = readCredentialMode(read);
  const accountsConfig = readAccountsConfig(read, mode.kind === 'role' ? mode.roleArn : undefined);
  const denyActions = readDenyActions(read);
  read.done(undefined);
  const { credentials, accounts } = accountsFor(mode, accountsConfig, settings.defaultRegion);
  const caller = new AwsCaller(settings);
  const tool = createControlledUseAws({
    credentials,
    caller,
    denyActions,
    ...(accounts ? { accounts } : {}),
    ...extra,
  });
  return { tool, credentials, caller };
}

/**
 * The pinned credentials and, with AWS_ASK_ACCOUNTS, the account directory (an organization listed
 * through the tool role's own credentials), from settings already read and checked.
 */
export function accountsFor(
  mode: ReturnType<typeof credentialModeFromEnv>,
  config: ReturnType<typeof readAccountsConfig>,
  region: string,
): { credentials: PinnedCredentials; accounts?: AccountDirectory } {
  const credentials = new PinnedCredentials(mode, {
    region,
    ...(config?.roleName ? { memberRoleName: config.roleName } : {}),
  });
  if (!config) return { credentials };
  const source = config.source;
  const listOrganization =
    source.kind === 'organization'
      ? organizationLister(credentials.forAsker().provider, region, source.parents)
      : undefined;
  return { credentials, accounts: new AccountDirectory(config, listOrganization ? { listOrganization } : {}) };
}

/**
 * Option 1 of the seed: keep the stock use_aws but pin its profile. A BeforeToolCallEvent hook
 * overwrites `profile_name` on every use_aws call. Returns the hook's cleanup function.
 */
export function pinUseAwsProfile(agent: Agent, profile: string): () => void {
  return agent.addHook(BeforeToolCallEvent, (event) => {
    if (event.toolUse.name !== USE_AWS_SPEC.name) return;
    const input = (event.toolUse.input ?? {}) as Record<string, unknown>;
    event.toolUse = { ...event.toolUse, input: { ...input, profile_name: profile } };
  });
}
