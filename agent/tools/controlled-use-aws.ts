/**
 * controlled_use_aws: use_aws cloned for a server with no human to confirm anything.
 *
 * The spec is a deep copy of use_aws's, renamed, with `profile_name` deleted and unknown properties
 * disallowed; input is validated strictly; credentials are pinned by configuration
 * (agent/credentials.ts); every call passes the read-only policy (common/policy/) before any
 * network call.
 */
import { type Agent, BeforeToolCallEvent, FunctionTool, type ToolContext, type ToolSpec } from '@strands-agents/sdk';
import { decideOperation, readDenyActions } from '../../common/policy/index.ts';
import type { Asker } from '../../common/protocol.ts';
import { SettingsReader } from '../../common/settings.ts';
import { credentialModeFromEnv, PinnedCredentials } from '../credentials.ts';
import { AwsCaller, type AwsCallRecord, type AwsRequest } from './aws-caller.ts';
import { parseParameters, parseQuery, parseRegions, ToolInputError } from './input.ts';
import { type AwsCallSettings, REGION, settingsFromEnv } from './settings.ts';
import { USE_AWS_SPEC } from './spec.ts';

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
  return {
    service,
    operation,
    parameters,
    region,
    label,
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
}

export function createControlledUseAws(options: ControlledUseAwsOptions): FunctionTool {
  const caller = options.caller ?? new AwsCaller(settingsFromEnv());
  const denyActions = options.denyActions ?? [];
  const gate = (service: Parameters<typeof decideOperation>[0], operation: string) =>
    decideOperation(service, operation, denyActions);
  return new FunctionTool({
    name: CONTROLLED_USE_AWS_SPEC.name,
    description: CONTROLLED_USE_AWS_SPEC.description,
    inputSchema: CONTROLLED_USE_AWS_SPEC.inputSchema,
    callback: async (raw: unknown, context: ToolContext) => {
      const req = validateInput(raw, caller.settings);
      const asker = askerFrom(context);
      const outcome = await caller.call(req, options.credentials.forAsker(asker), gate);
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
  const settings = settingsFromEnv(env);
  const credentials = new PinnedCredentials(credentialModeFromEnv(env), { region: settings.defaultRegion });
  const read = new SettingsReader(env);
  const denyActions = read.done(readDenyActions(read));
  const caller = new AwsCaller(settings);
  return { tool: createControlledUseAws({ credentials, caller, denyActions, ...extra }), credentials, caller };
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
