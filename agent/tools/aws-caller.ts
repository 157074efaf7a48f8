/**
 * AwsCaller: one AWS call on behalf of a tool, start to finish. Resolves the service and operation
 * names, checks the region, asks the caller's `gate` (controlled_use_aws passes the policy module's),
 * checks parameters against the operation's input, fetches bounded pages with a cached client,
 * redacts them (`shapeOutput`: the service model's sensitive members first, then names and patterns),
 * and hands back the model's text and a record. Never throws.
 */

import { findService, type SdkModule, type ServiceInfo, SUPPORTED_SERVICE_NAMES } from '../../common/aws-services.ts';
import { createLogger, type Logger } from '../../common/log.ts';
import { type Decision, iamActionFor } from '../../common/policy/index.ts';
import type { ToolCallSummary } from '../../common/protocol.ts';
import { inputShape, listOperations, nearestNames, outputSchema, resolveOperation } from '../aws/operations.ts';
import { checkArnRegions } from './arn-regions.ts';
import { type CallCredentials, ClientCache } from './client-cache.ts';
import { expectedParameters, explainError } from './explain-error.ts';
import { countItems, toPlain } from './output.ts';
import { fetchPages, type MoreResults, mergePages } from './paginate.ts';
import { type EnvPolicy, envPolicy } from './redact-env.ts';
import { newTally } from './redact-marks.ts';
import { resultText } from './result-text.ts';
import { redactSensitive } from './sensitive-members.ts';
import { type AwsCallSettings, DEFAULT_SETTINGS, REGION } from './settings.ts';

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

export interface AwsCallOutcome {
  readonly ok: boolean;
  /** What the model reads. */
  readonly text: string;
  readonly record: AwsCallRecord;
}

export type Gate = (service: ServiceInfo, operation: string) => Promise<Decision>;

type FailExtra = Partial<AwsCallRecord> & { service: string; operation: string };

/** Calls AWS on behalf of a tool: resolves names, gates, paginates, shapes output. Never throws. */
export class AwsCaller {
  private readonly clients: ClientCache;
  private readonly env: EnvPolicy;
  readonly settings: AwsCallSettings;

  constructor(settings: AwsCallSettings = DEFAULT_SETTINGS, maxClients = 64) {
    this.settings = settings;
    this.clients = new ClientCache(maxClients);
    this.env = envPolicy(settings.showEnvValues ?? []);
  }

  async call(req: AwsRequest, creds: CallCredentials, gate?: Gate): Promise<AwsCallOutcome> {
    const started = performance.now();
    const base = { region: req.region, label: req.label };
    const fail = (text: string, extra: FailExtra): AwsCallOutcome => ({
      ok: false,
      text,
      record: {
        ...base,
        refused: false,
        pages: 0,
        items: 0,
        bytes: 0,
        ms: Math.round(performance.now() - started),
        ok: false,
        ...extra,
      },
    });

    const service = findService(req.service);
    if (!service) {
      return fail(`Unsupported service "${req.service}". Supported services: ${SUPPORTED_SERVICE_NAMES.join(', ')}.`, {
        service: req.service,
        operation: req.operation,
        errorCode: 'UnsupportedService',
      });
    }
    if (!REGION.test(req.region)) {
      return fail(`"${req.region}" is not an AWS region name (e.g. us-east-1, eu-west-1).`, {
        service: service.name,
        operation: req.operation,
        errorCode: 'InvalidRegion',
      });
    }
    const allowed = this.settings.allowedRegions;
    if (allowed && !allowed.includes(req.region)) {
      return fail(`Region ${req.region} is not one this bot may look at. Allowed regions: ${allowed.join(', ')}.`, {
        service: service.name,
        operation: req.operation,
        errorCode: 'RegionNotAllowed',
        refused: true,
      });
    }
    const arnRefusal = checkArnRegions(service.name, req.region, req.parameters, allowed);
    if (arnRefusal) {
      return fail(arnRefusal.text, {
        service: service.name,
        operation: req.operation,
        errorCode: arnRefusal.code,
        refused: true,
      });
    }
    let mod: SdkModule;
    try {
      mod = await service.load();
    } catch (e) {
      return fail(`The SDK client for ${service.name} could not be loaded: ${(e as Error).message}`, {
        service: service.name,
        operation: req.operation,
        errorCode: 'ClientLoadFailed',
      });
    }
    const operation = resolveOperation(mod, req.operation);
    if (!operation) {
      const near = nearestNames(req.operation, listOperations(mod));
      return fail(`${service.name} has no operation "${req.operation}". Nearest valid names: ${near.join(', ')}.`, {
        service: service.name,
        operation: req.operation,
        errorCode: 'UnknownOperation',
      });
    }
    const action = iamActionFor(service, operation);
    const named = { service: service.name, operation, iamAction: action };

    if (gate) {
      const decision = await gate(service, operation);
      if (!decision.allowed) {
        return fail(`Refused: ${decision.reason} No AWS call was made.`, {
          ...named,
          iamAction: decision.action,
          errorCode: 'Refused',
          refused: true,
        });
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
        return fail(`${service.name}:${operation} was not called: ${parts.join('; ')}. ${expectedParameters(shape)}`, {
          ...named,
          errorCode: 'InvalidParameters',
        });
      }
    }

    const client = this.clients.get(service, mod, req.region, creds);
    try {
      const { pages, more } = await fetchPages(mod, operation, client, req.parameters, this.settings);
      const { text, items } = shapeOutput({
        mod,
        service: service.name,
        operation,
        region: req.region,
        pages,
        more,
        maxBytes: this.settings.maxBytes,
        env: this.env,
      });
      return {
        ok: true,
        text,
        record: {
          ...base,
          ...named,
          ok: true,
          refused: false,
          pages: pages.length,
          items,
          bytes: Buffer.byteLength(text),
          ms: Math.round(performance.now() - started),
        },
      };
    } catch (e) {
      const { code, text } = explainError(e, service, operation, action, req.region, shape);
      return fail(text, { ...named, errorCode: code });
    }
  }

  /** Releases every cached client's sockets. */
  close(): void {
    this.clients.close();
  }
}

/** Raw pages of one call and what the model is told about them. */
export interface RawOutput {
  readonly mod: SdkModule;
  readonly service: string;
  readonly operation: string;
  readonly region: string;
  readonly pages: readonly Record<string, unknown>[];
  readonly more?: MoreResults;
  readonly maxBytes: number;
  /** Which environment variable values may be shown (none by default). */
  readonly env?: EnvPolicy;
  /** Where an unreadable output schema is reported (default: the process log, once per operation). */
  readonly logger?: Pick<Logger, 'warn'>;
}

const defaultLogger = createLogger({ base: { component: 'aws-caller' } });
const warnedUnreadable = new Set<string>();

/**
 * Raw SDK pages → the model's text, the way every call goes: first the schema pass on each raw page
 * (every member the service model marks sensitive redacted, environment values hidden), then plain
 * JSON, merged, the name and pattern net, the byte budget and the notes. Where the output schema
 * cannot be read, the net alone redacts that part and a warning is logged once per operation.
 */
export function shapeOutput(o: RawOutput): { text: string; items: number } {
  const schema = outputSchema(o.mod, o.operation);
  const tally = newTally();
  const unreadable = new Set<string>(schema ? [] : ['the command carries no output schema']);
  const pages = o.pages.map((page) => {
    if (!schema) return page;
    const pass = redactSensitive(page, schema, tally, o.env);
    for (const why of pass.unreadable) unreadable.add(why);
    return pass.value;
  });
  const name = `${o.service}:${o.operation}`;
  if (unreadable.size && (o.logger || !warnedUnreadable.has(name))) {
    if (!o.logger) warnedUnreadable.add(name);
    (o.logger ?? defaultLogger).warn(
      'output schema not fully readable; sensitive members there are redacted by name and pattern only',
      {
        operation: name,
        why: [...unreadable],
      },
    );
  }
  const plainPages = pages.map((p) => toPlain(p) ?? {});
  const items = plainPages.reduce<number>((n, p) => n + countItems(p), 0);
  const text = resultText({
    service: o.service,
    operation: o.operation,
    region: o.region,
    pages: o.pages.length,
    items,
    value: mergePages(plainPages),
    ...(o.more ? { more: o.more } : {}),
    maxBytes: o.maxBytes,
    redacted: tally,
    ...(o.env ? { env: o.env } : {}),
  });
  return { text, items };
}
