/**
 * use_aws in TypeScript: the Strands Python tool's input spec, served by the AWS SDK v3.
 *
 * Unlike the Python tool it paginates with the SDK paginators (bounded), returns compact JSON cut to
 * a byte budget with a note, redacts secret-looking values, and turns SDK errors into short text
 * that tells the model what to do next. The read-only decision is not made here: a caller passes a
 * `gate` (controlled_use_aws passes the policy module's).
 */
import { fromIni } from '@aws-sdk/credential-providers';
import { FunctionTool, type ToolSpec } from '@strands-agents/sdk';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import {
  commandClass,
  inputShape,
  listOperations,
  nearestNames,
  paginatorFor,
  resolveOperation,
} from '../aws/operations.ts';
import { findService, SUPPORTED_SERVICE_NAMES, type SdkModule, type ServiceInfo } from '../../common/aws-services.ts';
import { DEFAULT_REGION } from '../../common/defaults.ts';
import { envInt, envRegions, REGION } from '../../common/settings.ts';
import { iamActionFor, type Decision } from '../../common/policy.ts';
import type { ToolCallSummary } from '../../common/protocol.ts';
import { countItems, fitToBudget, redact, toPlain, type Plain } from './output.ts';

/** The Python tool's spec, property for property, with the same required set. */
export const USE_AWS_SPEC: ToolSpec = {
  name: 'use_aws',
  description:
    'Make an AWS API call with the specified service, operation, and parameters. ' +
    'Service names are boto3/CLI names (ec2, s3, logs, ce, elbv2, ...); operation names may be ' +
    'snake_case (describe_instances) or PascalCase (DescribeInstances).',
  inputSchema: {
    type: 'object',
    properties: {
      service_name: { type: 'string', description: 'The name of the AWS service' },
      operation_name: { type: 'string', description: 'The name of the operation to perform' },
      parameters: { type: 'object', description: 'The parameters for the operation' },
      region: { type: 'string', description: 'Region name for calling the operation on AWS' },
      label: {
        type: 'string',
        description: 'Label of AWS API operations human readable explanation. This is useful for communicating with human.',
      },
      profile_name: {
        type: 'string',
        description: 'Optional: AWS profile name to use from ~/.aws/credentials. Defaults to default profile if not specified.',
      },
    },
    required: ['region', 'service_name', 'operation_name', 'label'],
  },
};

export interface AwsCallSettings {
  /** Largest result handed to the model, in bytes of JSON. */
  readonly maxBytes: number;
  /** Most pages fetched for one call. */
  readonly maxPages: number;
  /** Stop fetching pages once this many items were listed. */
  readonly maxItems: number;
  /** Region used when the model gives none. */
  readonly defaultRegion: string;
  /** When set, calls to other regions are refused. */
  readonly allowedRegions?: readonly string[];
}

export const DEFAULT_SETTINGS: AwsCallSettings = {
  maxBytes: 16_384,
  maxPages: 10,
  maxItems: 1_000,
  defaultRegion: DEFAULT_REGION,
};

/** Settings from USE_AWS_MAX_BYTES, USE_AWS_MAX_PAGES, USE_AWS_MAX_ITEMS, AWS_REGION and AWS_ASK_REGIONS. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): AwsCallSettings {
  const regions = envRegions(env);
  return {
    maxBytes: envInt(env, 'USE_AWS_MAX_BYTES', DEFAULT_SETTINGS.maxBytes, 1_024, 1_048_576),
    maxPages: envInt(env, 'USE_AWS_MAX_PAGES', DEFAULT_SETTINGS.maxPages, 1, 100),
    maxItems: envInt(env, 'USE_AWS_MAX_ITEMS', DEFAULT_SETTINGS.maxItems, 1, 100_000),
    defaultRegion: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? regions[0] ?? DEFAULT_SETTINGS.defaultRegion,
    ...(regions.length ? { allowedRegions: regions } : {}),
  };
}

export { REGION };

/**
 * One AWS call as the caller records it: the protocol's summary (less the model's toolUseId, which
 * the tool adds) plus what it handed the model.
 */
export interface AwsCallRecord extends Omit<ToolCallSummary, 'id'> {
  /** Bytes of result handed to the model. */
  readonly bytes: number;
}

export interface AwsRequest {
  readonly service: string;
  readonly operation: string;
  readonly parameters: Record<string, unknown>;
  readonly region: string;
  readonly label: string;
}

export interface CallCredentials {
  /** Cache key: calls with the same key share SDK clients. */
  readonly key: string;
  /** undefined: the SDK's default chain. */
  readonly provider?: AwsCredentialIdentityProvider;
}

export interface AwsCallOutcome {
  readonly ok: boolean;
  /** What the model reads. */
  readonly text: string;
  readonly record: AwsCallRecord;
}

export type Gate = (service: ServiceInfo, operation: string) => Promise<Decision>;

interface SdkClient {
  send(command: unknown): Promise<Record<string, unknown>>;
  destroy(): void;
}

const TOKEN_KEY = /(token|marker|continuation|exclusivestart|lastevaluated)/i;
const ACCESS_DENIED = /AccessDenied|UnauthorizedOperation|NotAuthorized|Forbidden|AuthorizationError|UnauthorizedAccess/i;
const BAD_CREDENTIALS = /InvalidClientTokenId|UnrecognizedClient|ExpiredToken|AuthFailure|SignatureDoesNotMatch|InvalidAccessKeyId|InvalidToken|CredentialsProviderError/i;
const INVALID_INPUT = /Validation|InvalidParameter|MissingParameter|InvalidInput|Serialization|InvalidRequest|InvalidArgument|MalformedQueryString|InvalidAction|InvalidFilter|InvalidQuery|BadRequest/i;
const THROTTLED = /Throttl|TooManyRequests|RequestLimitExceeded|SlowDown|RateExceeded/i;

export class ToolInputError extends Error {
  override name = 'ToolInputError';
}

/** Calls AWS on behalf of a tool: resolves names, gates, paginates, shapes output. Never throws. */
export class AwsCaller {
  private readonly clients = new Map<string, SdkClient>();
  readonly settings: AwsCallSettings;
  private readonly maxClients: number;

  constructor(settings: AwsCallSettings = DEFAULT_SETTINGS, maxClients = 64) {
    this.settings = settings;
    this.maxClients = maxClients;
  }

  async call(req: AwsRequest, creds: CallCredentials, gate?: Gate): Promise<AwsCallOutcome> {
    const started = performance.now();
    const base = { region: req.region, label: req.label };
    const fail = (text: string, extra: Partial<AwsCallRecord> & { service: string; operation: string }): AwsCallOutcome => ({
      ok: false,
      text,
      record: { ...base, refused: false, pages: 0, items: 0, bytes: 0, ms: Math.round(performance.now() - started), ok: false, ...extra },
    });

    const service = findService(req.service);
    if (!service) {
      return fail(
        `Unsupported service "${req.service}". Supported services: ${SUPPORTED_SERVICE_NAMES.join(', ')}.`,
        { service: req.service, operation: req.operation, errorCode: 'UnsupportedService' },
      );
    }
    if (!REGION.test(req.region)) {
      return fail(`"${req.region}" is not an AWS region name (e.g. us-east-1, eu-west-1).`, {
        service: service.name, operation: req.operation, errorCode: 'InvalidRegion',
      });
    }
    if (this.settings.allowedRegions && !this.settings.allowedRegions.includes(req.region)) {
      return fail(
        `Region ${req.region} is not one this bot may look at. Allowed regions: ${this.settings.allowedRegions.join(', ')}.`,
        { service: service.name, operation: req.operation, errorCode: 'RegionNotAllowed', refused: true },
      );
    }
    let mod: SdkModule;
    try {
      mod = await service.load();
    } catch (e) {
      return fail(`The SDK client for ${service.name} could not be loaded: ${(e as Error).message}`, {
        service: service.name, operation: req.operation, errorCode: 'ClientLoadFailed',
      });
    }
    const operation = resolveOperation(mod, req.operation);
    if (!operation) {
      const near = nearestNames(req.operation, listOperations(mod));
      return fail(
        `${service.name} has no operation "${req.operation}". Nearest valid names: ${near.join(', ')}.`,
        { service: service.name, operation: req.operation, errorCode: 'UnknownOperation' },
      );
    }
    const action = iamActionFor(service, operation);
    const named = { service: service.name, operation, iamAction: action };

    if (gate) {
      const decision = await gate(service, operation);
      if (!decision.allowed) {
        return fail(`Refused: ${decision.reason} No AWS call was made.`, { ...named, iamAction: decision.action, errorCode: 'Refused', refused: true });
      }
    }

    const shape = inputShape(mod, operation);
    if (shape) {
      const unknown = Object.keys(req.parameters).filter((k) => !shape.members.includes(k));
      const missing = shape.required.filter((k) => req.parameters[k] === undefined || req.parameters[k] === null);
      if (unknown.length || missing.length) {
        const parts = [
          unknown.length ? `unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}` : '',
          missing.length ? `missing required ${missing.join(', ')}` : '',
        ].filter(Boolean);
        return fail(`${service.name}:${operation} was not called: ${parts.join('; ')}. ${expects(shape)}`, {
          ...named, errorCode: 'InvalidParameters',
        });
      }
    }

    const client = this.client(service, mod, req.region, creds);
    try {
      const { pages, more } = await this.fetch(mod, operation, client, req.parameters);
      const plainPages = pages.map((p) => toPlain(p) ?? {});
      const merged = mergePages(plainPages);
      const items = plainPages.reduce<number>((n, p) => n + countItems(p), 0);
      const { value: clean, redactions } = redact(merged);
      const notes: string[] = [];
      if (more) {
        notes.push(
          more.param
            ? `More results exist beyond the ${pages.length} page(s) fetched. For the next page call again with parameters.${more.param} = ${JSON.stringify(more.value)}, or narrow the request.`
            : `More results exist beyond the ${pages.length} page(s) fetched (${more.field} = ${JSON.stringify(more.value)}); narrow the request with filters.`,
        );
      }
      const reserve = 700;
      const fitted = fitToBudget(clean, Math.max(512, this.settings.maxBytes - reserve));
      if (fitted.cuts.length) {
        const what = fitted.cuts.map((c) => `${c.path} kept ${c.kept} of ${c.total} ${c.unit}`).join('; ');
        notes.push(
          `Output cut to fit the ${this.settings.maxBytes}-byte budget: ${what}. Your answer covers only what is shown; narrow the request (filters, ids, a smaller page size) to see the rest.`,
        );
      }
      if (redactions) notes.push(`${redactions} secret-looking value(s) were redacted.`);
      const head = `${service.name}:${operation} in ${req.region}: ${pages.length} page(s), ${items} item(s).`;
      const text = [head, JSON.stringify(fitted.value), ...notes.map((n) => `Note: ${n}`)].join('\n');
      return {
        ok: true,
        text,
        record: {
          ...base, ...named, ok: true, refused: false, pages: pages.length, items,
          bytes: Buffer.byteLength(text), ms: Math.round(performance.now() - started),
        },
      };
    } catch (e) {
      const { code, text } = explainError(e, service, operation, action, req.region, shape);
      return fail(text, { ...named, errorCode: code });
    }
  }

  private client(service: ServiceInfo, mod: SdkModule, region: string, creds: CallCredentials): SdkClient {
    const key = `${service.name}|${region}|${creds.key}`;
    const cached = this.clients.get(key);
    if (cached) {
      // keep most recently used last
      this.clients.delete(key);
      this.clients.set(key, cached);
      return cached;
    }
    const Client = mod[service.clientClass] as new (config: Record<string, unknown>) => SdkClient;
    const client = new Client({
      region,
      ...(creds.provider ? { credentials: creds.provider } : {}),
      maxAttempts: 3,
      customUserAgent: 'aws-ask',
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
      ...(service.name === 's3' ? { followRegionRedirects: true } : {}),
    });
    this.clients.set(key, client);
    while (this.clients.size > this.maxClients) {
      const [oldestKey, oldest] = this.clients.entries().next().value as [string, SdkClient];
      this.clients.delete(oldestKey);
      oldest.destroy();
    }
    return client;
  }

  private async fetch(
    mod: SdkModule,
    operation: string,
    client: SdkClient,
    parameters: Record<string, unknown>,
  ): Promise<{ pages: Record<string, unknown>[]; more?: { param?: string; field: string; value: unknown } }> {
    const paginate = paginatorFor(mod, operation);
    const Cmd = commandClass(mod, operation);
    if (!paginate) return { pages: [await client.send(new Cmd({ ...parameters }))] };

    const input: Record<string, unknown> = { ...parameters };
    const given = new Set(Object.keys(parameters));
    const pages: Record<string, unknown>[] = [];
    let items = 0;
    let stoppedEarly = false;
    for await (const page of paginate({ client }, input)) {
      pages.push(page);
      items += countItems(toPlain(page) ?? {});
      if (pages.length >= this.settings.maxPages || items >= this.settings.maxItems) {
        stoppedEarly = true;
        break;
      }
    }
    if (!stoppedEarly) return { pages };
    const last = pages[pages.length - 1] ?? {};
    if (last.IsTruncated === false || last.Truncated === false) return { pages };
    const field = Object.keys(last).find((k) => TOKEN_KEY.test(k) && last[k] !== undefined && last[k] !== null && last[k] !== '');
    if (!field) return { pages };
    // The paginator writes its input token into `input`; pick the token-like key it added or set.
    const param = Object.keys(input).find((k) => TOKEN_KEY.test(k) && (!given.has(k) || input[k] !== parameters[k]))
      ?? Object.keys(input).find((k) => TOKEN_KEY.test(k));
    return { pages, more: { ...(param ? { param } : {}), field, value: toPlain(last[field]) } };
  }

  /** Releases every cached client's sockets. */
  close(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
  }
}

function expects(shape: { members: readonly string[]; required: readonly string[] }): string {
  if (!shape.members.length) return 'The operation takes no parameters.';
  const req = shape.required.length ? ` (required: ${shape.required.join(', ')})` : ' (none required)';
  return `It accepts: ${shape.members.join(', ')}${req}.`;
}

function mergePages(pages: Plain[]): Plain {
  const [first, ...rest] = pages;
  if (first === undefined) return {};
  if (first === null || typeof first !== 'object' || Array.isArray(first)) return first;
  const out: Record<string, Plain> = { ...first };
  for (const page of rest) {
    if (page === null || typeof page !== 'object' || Array.isArray(page)) continue;
    for (const [k, v] of Object.entries(page)) {
      const cur = out[k];
      if (Array.isArray(v) && Array.isArray(cur)) out[k] = [...cur, ...v];
      else if (!(k in out)) out[k] = v;
    }
  }
  if (rest.length) {
    for (const k of Object.keys(out)) if (TOKEN_KEY.test(k) && !Array.isArray(out[k])) delete out[k];
  }
  return out;
}

interface SdkErrorLike {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

/** Short, useful text for an SDK or network error. */
export function explainError(
  e: unknown,
  service: ServiceInfo,
  operation: string,
  action: string,
  region: string,
  shape?: { members: readonly string[]; required: readonly string[] },
): { code: string; text: string } {
  const err = (e ?? {}) as SdkErrorLike;
  const name = err.name && err.name !== 'Error' ? err.name : (err.code ?? 'Error');
  const message = (err.message ?? String(e)).split('\n')[0]?.slice(0, 400) ?? '';
  const call = `${service.name}:${operation} in ${region}`;
  if (ACCESS_DENIED.test(name) || ACCESS_DENIED.test(message) || err.$metadata?.httpStatusCode === 403 && !BAD_CREDENTIALS.test(name)) {
    return {
      code: 'AccessDenied',
      text: `AccessDenied: the read-only role may not call ${action} (${call}): ${message}. Tell the user this permission is missing; do not retry.`,
    };
  }
  if (BAD_CREDENTIALS.test(name)) {
    return { code: name, text: `${name}: the bot could not get its AWS credentials accepted for ${call}: ${message}. This is a deployment problem, not the question's; say so rather than retry.` };
  }
  if (INVALID_INPUT.test(name) || (!err.$metadata && e instanceof TypeError)) {
    const hint = shape ? ` ${expects(shape)}` : '';
    return { code: INVALID_INPUT.test(name) ? name : 'InvalidParameters', text: `${name}: ${call} rejected the parameters: ${message}.${hint}` };
  }
  if (THROTTLED.test(name)) {
    return { code: name, text: `${name}: AWS throttled ${call} after retries. Try fewer or narrower calls.` };
  }
  if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|EAI_AGAIN|socket hang up|TimeoutError|RequestTimeout/i.test(`${name} ${message} ${err.code ?? ''}`)) {
    return { code: 'NetworkError', text: `NetworkError: could not reach AWS for ${call}: ${message}.` };
  }
  return { code: name, text: `${name}: ${call} failed: ${message}` };
}

/** Parses the `parameters` input: an object, a JSON-encoded object, or absent. */
export function parseParameters(raw: unknown): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  let value = raw;
  if (typeof raw === 'string') {
    if (!raw.trim()) return {};
    try {
      value = JSON.parse(raw);
    } catch (e) {
      throw new ToolInputError(`"parameters" is a string that is not valid JSON (${(e as Error).message}); pass an object.`);
    }
    if (value === null) return {};
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ToolInputError(`"parameters" must be an object of the operation's parameters, not ${Array.isArray(value) ? 'an array' : typeof value}.`);
  }
  return value as Record<string, unknown>;
}

export interface UseAwsToolOptions {
  readonly caller?: AwsCaller;
  readonly onCall?: (record: AwsCallRecord) => void;
}

/**
 * The stock `use_aws` tool: whatever credentials `profile_name` (or the default chain) gives, and no
 * read-only gate of its own. Offered for parity and for the pinned-profile hook; the bot itself
 * uses controlled_use_aws.
 */
export function createUseAwsTool(options: UseAwsToolOptions = {}): FunctionTool {
  const caller = options.caller ?? new AwsCaller(settingsFromEnv());
  return new FunctionTool({
    name: USE_AWS_SPEC.name,
    description: USE_AWS_SPEC.description,
    inputSchema: USE_AWS_SPEC.inputSchema,
    callback: async (raw: unknown) => {
      const input = (raw ?? {}) as Record<string, unknown>;
      const str = (k: string) => (typeof input[k] === 'string' ? (input[k] as string) : undefined);
      const service = str('service_name');
      const operation = str('operation_name');
      if (!service || !operation) throw new ToolInputError('service_name and operation_name are required strings.');
      const profile = str('profile_name');
      const outcome = await caller.call(
        {
          service,
          operation,
          parameters: parseParameters(input.parameters),
          region: str('region') ?? caller.settings.defaultRegion,
          label: str('label') ?? `${service}:${operation}`,
        },
        profile ? { key: `profile:${profile}`, provider: fromIni({ profile }) } : { key: 'default' },
      );
      options.onCall?.(outcome.record);
      if (!outcome.ok) throw new Error(outcome.text);
      return outcome.text;
    },
  });
}
