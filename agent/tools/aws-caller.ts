/**
 * AwsCaller: one AWS call on behalf of a tool, start to finish. Resolves the service and operation
 * names, checks the query and the region, asks the caller's `gate` (controlled_use_aws passes the
 * policy module's), checks parameters against the operation's input, fetches bounded pages with a
 * cached client, redacts them (`regionResult`: the service model's sensitive members first, then names
 * and patterns), applies the query to the redacted result, and hands back the model's text and a
 * record. With `regions` it does that in each region at once, bounded (regions.ts), and writes one
 * text keyed by region (regions-text.ts); a global service is called once (global-services.ts).
 * With several accounts (`callAccounts`), each account's credentials are fetched first (a role that
 * cannot be assumed fails that account alone), then every account × region runs at once, bounded, and
 * the text is keyed by account, then region. Never throws.
 */

import { findService, type SdkModule, type ServiceInfo, unsupportedServiceText } from '../../common/aws-services.ts';
import { createLogger, type Logger } from '../../common/log.ts';
import { type Decision, iamActionFor } from '../../common/policy/index.ts';
import type { ToolCallSummary } from '../../common/protocol.ts';
import {
  type InputShape,
  inputShape,
  listOperations,
  nearestNames,
  outputSchema,
  resolveOperation,
} from '../aws/operations.ts';
import { accountSummary } from './accounts.ts';
import { type ArnRegionRefusal, checkArnRegions } from './arn-regions.ts';
import { type CallCredentials, ClientCache } from './client-cache.ts';
import { expectedParameters, explainError } from './explain-error.ts';
import { globalRegionFor } from './global-services.ts';
import { countItems, toPlain } from './output.ts';
import { fetchPages, type MoreResults, mergePages } from './paginate.ts';
import { jsonBytesOver, QUERY_EXAMPLES, QueryError, queryProblem, runQuery } from './query.ts';
import { redact } from './redact.ts';
import { type EnvPolicy, envPolicy } from './redact-env.ts';
import { newTally } from './redact-marks.ts';
import {
  allRegions,
  describeEnabledRegions,
  type EnabledRegions,
  EnabledRegionsCache,
  mapBounded,
  type RegionsChoice,
  type ResolvedRegions,
  regionSummary,
} from './regions.ts';
import { type RegionFailure, regionsText } from './regions-text.ts';
import { type RegionResult, resultText } from './result-text.ts';
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
  /** The region, or the default; with `regions`, unused. */
  readonly region: string;
  /** Several regions, or every allowed and enabled one, instead of `region` (regions.ts). */
  readonly regions?: RegionsChoice;
  /** A JMESPath expression applied to the merged, redacted result (query.ts). */
  readonly query?: string;
  readonly label: string;
  /** The account the call runs in (its alias), named in the record and the text; set by the tool. */
  readonly account?: string;
  /** As the model named them: `callAccounts` runs in several accounts (accounts.ts). */
  readonly accounts?: readonly string[] | 'all';
}

/** One account of a call in several: its alias and id, and the credentials of the role there. */
export interface AccountTarget {
  readonly alias: string;
  readonly id: string;
  readonly creds: CallCredentials;
}

export interface AwsCallOutcome {
  readonly ok: boolean;
  /** What the model reads. */
  readonly text: string;
  readonly record: AwsCallRecord;
}

/**
 * The policy's decision for a call: by its operation, and, when given, by the parameters that change
 * what it reads (common/policy/parameters.ts).
 */
export type Gate = (
  service: ServiceInfo,
  operation: string,
  parameters?: Readonly<Record<string, unknown>>,
) => Promise<Decision>;

type FailExtra = Partial<AwsCallRecord> & { service: string; operation: string };

type Where = Pick<AwsCallRecord, 'region' | 'regions' | 'account' | 'accounts'>;

/** Where the record says a call runs before it is known: the region(s) and account(s) as asked. */
function askedWhere(req: AwsRequest): Where {
  const accounts =
    req.accounts === undefined
      ? req.account !== undefined
        ? { account: req.account }
        : {}
      : req.accounts === 'all'
        ? { account: 'all accounts' }
        : { account: accountSummary(req.accounts), accounts: req.accounts };
  if (req.regions === undefined) return { region: req.region, ...accounts };
  if (req.regions === 'all') return { region: 'all regions', ...accounts };
  return { region: regionSummary(req.regions), regions: req.regions, ...accounts };
}

/** A call resolved, gated and checked, ready to be made in one region or several. */
interface RegionCall {
  readonly service: ServiceInfo;
  readonly mod: SdkModule;
  readonly operation: string;
  readonly action: string;
  readonly shape?: InputShape;
  readonly parameters: Record<string, unknown>;
  readonly creds: CallCredentials;
  /** A global service: the allowlist does not apply to its one region. */
  readonly global: boolean;
  readonly query?: string;
}

type RegionOutcome = { readonly ok: true; readonly result: RegionResult } | ({ readonly ok: false } & RegionFailure);

/** One account's part of a call in several, before its regions run: its regions, or why it failed. */
type AccountPlan =
  | { readonly target: AccountTarget; readonly regions: readonly string[]; readonly note?: string }
  | { readonly target: AccountTarget; readonly failure: RegionFailure };

/**
 * The totals of a call made in several regions or accounts: it answered if any part did, was refused
 * if every part that failed was, and what it read and handed the model.
 */
function fanOutTotals(
  results: readonly { readonly pages: number; readonly items: number }[],
  failures: readonly { readonly refused: boolean }[],
  text: string,
  started: number,
) {
  const ok = results.length > 0;
  return {
    ok,
    refused: !ok && failures.every((f) => f.refused),
    pages: results.reduce((n, r) => n + r.pages, 0),
    items: results.reduce((n, r) => n + r.items, 0),
    bytes: Buffer.byteLength(text),
    ms: Math.round(performance.now() - started),
  };
}

/** Calls AWS on behalf of a tool: resolves names, gates, paginates, shapes output. Never throws. */
export class AwsCaller {
  private readonly clients: ClientCache;
  private readonly env: EnvPolicy;
  private readonly enabledRegions = new EnabledRegionsCache();
  readonly settings: AwsCallSettings;

  constructor(settings: AwsCallSettings = DEFAULT_SETTINGS, maxClients = 64) {
    this.settings = settings;
    this.clients = new ClientCache(maxClients);
    this.env = envPolicy(settings.showEnvValues ?? []);
  }

  /** The call in one account (`req.account` names it in the record and text), with these credentials. */
  call(req: AwsRequest, creds: CallCredentials, gate?: Gate): Promise<AwsCallOutcome> {
    return this.run(req, creds, gate);
  }

  /** The call in each of several accounts (and regions), in parallel, bounded; keyed by account alias. */
  callAccounts(req: AwsRequest, targets: readonly AccountTarget[], gate?: Gate): Promise<AwsCallOutcome> {
    return this.run(req, targets, gate);
  }

  /** A call refused before anything was resolved or sent (an account not allowed, say). */
  refuse(req: AwsRequest, text: string, errorCode: string): AwsCallOutcome {
    return {
      ok: false,
      text,
      record: {
        ...askedWhere(req),
        service: req.service,
        operation: req.operation,
        label: req.label,
        ok: false,
        refused: true,
        pages: 0,
        items: 0,
        bytes: 0,
        ms: 0,
        errorCode,
      },
    };
  }

  private async run(
    req: AwsRequest,
    target: CallCredentials | readonly AccountTarget[],
    gate?: Gate,
  ): Promise<AwsCallOutcome> {
    const started = performance.now();
    const targets = Array.isArray(target) ? (target as readonly AccountTarget[]) : undefined;
    const creds = targets ? (targets[0]?.creds ?? { key: 'none' }) : (target as CallCredentials);
    // where the record says the call ran: as asked until it is known
    let where: Where = askedWhere(req);
    const fail = (text: string, extra: FailExtra): AwsCallOutcome => ({
      ok: false,
      text,
      record: {
        ...where,
        label: req.label,
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
      return fail(unsupportedServiceText(req.service), {
        service: req.service,
        operation: req.operation,
        errorCode: 'UnsupportedService',
        refused: true,
      });
    }
    if (req.query !== undefined) {
      const problem = queryProblem(req.query);
      if (problem) return fail(problem, { service: service.name, operation: req.operation, errorCode: 'InvalidQuery' });
    }
    if (!req.regions && !REGION.test(req.region)) {
      return fail(`"${req.region}" is not an AWS region name (e.g. us-east-1, eu-west-1).`, {
        service: service.name,
        operation: req.operation,
        errorCode: 'InvalidRegion',
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
    // a global service is called once, in its partition's global region, whatever the model asked
    const global = globalRegionFor(service.name, operation, req.regions ? this.settings.defaultRegion : req.region);
    const single = global ?? (req.regions ? undefined : req.region);
    if (single) {
      where = { ...where, region: single };
      delete (where as { regions?: unknown }).regions;
      const refusal = this.regionRefusal(service.name, single, req.parameters, global !== undefined);
      if (refusal) return fail(refusal.text, { ...named, errorCode: refusal.code, refused: true });
    }

    if (gate) {
      const decision = await gate(service, operation, req.parameters);
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

    const call: RegionCall = {
      service,
      mod,
      operation,
      action,
      ...(shape ? { shape } : {}),
      parameters: req.parameters,
      creds,
      global: global !== undefined,
      ...(req.query !== undefined ? { query: req.query } : {}),
    };
    const base = { label: req.label, ...named };
    if (targets) {
      const choice = single ? undefined : (req.regions as RegionsChoice);
      return this.inAccounts(call, targets, choice, single, gate, base, started, global !== undefined);
    }
    if (single) {
      const part = await this.inRegion(call, single);
      if (!part.ok) return fail(part.text, { ...named, errorCode: part.code, refused: part.refused });
      // said when the model asked for another region, or for several
      const moved = global !== undefined && (req.regions !== undefined || req.region !== global);
      const account = req.account !== undefined ? { account: req.account } : {};
      const text = resultText(
        { ...part.result, ...(moved ? { global: true } : {}), ...account },
        this.settings.maxBytes,
      );
      return {
        ok: true,
        text,
        record: {
          ...where,
          label: req.label,
          ...named,
          ok: true,
          refused: false,
          pages: part.result.pages,
          items: part.result.items,
          bytes: Buffer.byteLength(text),
          ms: Math.round(performance.now() - started),
        },
      };
    }
    const account = req.account !== undefined ? { account: req.account } : {};
    return this.inRegions(call, req.regions as RegionsChoice, gate, { ...base, ...account }, started);
  }

  /**
   * The call in several accounts: first each account's credentials (a role that cannot be assumed
   * fails its account alone) and regions, then every account × region at once, bounded by the region
   * concurrency; one text keyed by account alias (then region), one record.
   */
  private async inAccounts(
    call: RegionCall,
    targets: readonly AccountTarget[],
    choice: RegionsChoice | undefined,
    single: string | undefined,
    gate: Gate | undefined,
    base: Pick<AwsCallRecord, 'service' | 'operation' | 'iamAction' | 'label'>,
    started: number,
    global: boolean,
  ): Promise<AwsCallOutcome> {
    const limit = this.settings.regionConcurrency;
    const plans = await mapBounded(targets, limit, async (target): Promise<AccountPlan> => {
      try {
        await target.creds.provider?.();
      } catch (e) {
        const text =
          `Account ${target.alias} (${target.id}) could not be read: ${(e as Error).message.slice(0, 300)}. ` +
          "The bot's role may be missing there (its stack not deployed in that account) or not trust the bot.";
        return { target, failure: { account: target.alias, code: 'AssumeRoleFailed', text, refused: false } };
      }
      if (single) return { target, regions: [single] };
      const { regions, note } = await this.targetRegions(choice as RegionsChoice, target.creds, gate);
      return { target, regions, ...(note ? { note: `${target.alias}: ${note}` } : {}) };
    });
    const pairs = plans.flatMap((p) => ('regions' in p ? p.regions.map((region) => ({ t: p.target, region })) : []));
    const parts = await mapBounded(pairs, limit, async ({ t, region }) => {
      const part = await this.inRegion({ ...call, creds: t.creds }, region);
      return part.ok ? { ...part, result: { ...part.result, account: t.alias } } : { ...part, account: t.alias };
    });
    const results = parts.flatMap((p) => (p.ok ? [p.result] : []));
    const failures = [
      ...plans.flatMap((p) => ('failure' in p ? [p.failure] : [])),
      ...parts.flatMap((p) => (p.ok ? [] : [p])),
    ];
    const aliases = targets.map((t) => t.alias);
    const regions = [...new Set(pairs.map((p) => p.region))];
    const notes = [...new Set(plans.flatMap((p) => ('note' in p && p.note ? [p.note] : [])))];
    const text = regionsText({
      service: call.service.name,
      operation: call.operation,
      regions,
      accounts: aliases,
      byRegion: choice !== undefined && !global,
      results,
      failures,
      maxBytes: this.settings.maxBytes,
      ...(call.query !== undefined ? { query: call.query } : {}),
      ...(notes.length ? { note: notes.join(' ') } : {}),
    });
    const ok = results.length > 0;
    const codes = [...new Set(failures.map((f) => f.code))];
    const whole = failures.filter((f) => f.region === undefined);
    const inRegion = failures.filter((f) => f.region !== undefined);
    return {
      ok,
      text,
      record: {
        ...base,
        region: single ?? regionSummary(regions),
        ...(single ? {} : { regions }),
        account: accountSummary(aliases),
        accounts: aliases,
        ...fanOutTotals(results, failures, text, started),
        ...(whole.length ? { accountErrors: Object.fromEntries(whole.map((f) => [f.account, f.code])) } : {}),
        ...(inRegion.length
          ? { regionErrors: Object.fromEntries(inRegion.map((f) => [`${f.account}/${f.region}`, f.code])) }
          : {}),
        ...(ok ? {} : { errorCode: codes.length === 1 ? (codes[0] as string) : 'AccountsFailed' }),
      },
    };
  }

  /** The call in several regions at once, bounded; one region's failure is reported for it alone. */
  private async inRegions(
    call: RegionCall,
    choice: RegionsChoice,
    gate: Gate | undefined,
    base: Pick<AwsCallRecord, 'service' | 'operation' | 'iamAction' | 'label' | 'account'>,
    started: number,
  ): Promise<AwsCallOutcome> {
    const { regions, note } = await this.targetRegions(choice, call.creds, gate);
    const where = { region: regionSummary(regions), regions, ...(base.account ? { account: base.account } : {}) };
    const record = { ...base, ...where, refused: false, pages: 0, items: 0, bytes: 0 };
    if (!regions.length) {
      const text =
        `None of the regions this bot may look at (${this.settings.allowedRegions?.join(', ')}) is enabled in the ` +
        'account; nothing was called.';
      const ms = Math.round(performance.now() - started);
      return { ok: false, text, record: { ...record, ok: false, refused: true, errorCode: 'NoRegions', ms } };
    }
    const parts = await mapBounded(regions, this.settings.regionConcurrency, (r) => this.inRegion(call, r));
    const results = parts.flatMap((p) => (p.ok ? [p.result] : []));
    const failures = parts.flatMap((p) => (p.ok ? [] : [p]));
    const text = regionsText({
      service: call.service.name,
      operation: call.operation,
      regions,
      results,
      failures,
      maxBytes: this.settings.maxBytes,
      ...(call.query !== undefined ? { query: call.query } : {}),
      ...(note ? { note } : {}),
      ...(base.account ? { account: base.account } : {}),
    });
    const ok = results.length > 0;
    const codes = [...new Set(failures.map((f) => f.code))];
    return {
      ok,
      text,
      record: {
        ...record,
        ...fanOutTotals(results, failures, text, started),
        ...(failures.length ? { regionErrors: Object.fromEntries(failures.map((f) => [f.region ?? '', f.code])) } : {}),
        ...(ok ? {} : { errorCode: codes.length === 1 ? (codes[0] as string) : 'RegionsFailed' }),
      },
    };
  }

  /** A list as given; `"all"`: the allowed regions enabled in the account (regions.ts). */
  private async targetRegions(choice: RegionsChoice, creds: CallCredentials, gate?: Gate): Promise<ResolvedRegions> {
    if (choice !== 'all') return { regions: choice };
    const enabled = await this.enabledRegions.get(creds.key, () => this.readEnabledRegions(creds, gate));
    return allRegions(enabled, this.settings.allowedRegions, this.settings.defaultRegion);
  }

  /** EC2 DescribeRegions with the call's credentials, in the default region (or the first allowed one). */
  private async readEnabledRegions(creds: CallCredentials, gate?: Gate): Promise<EnabledRegions> {
    const ec2 = findService('ec2');
    if (!ec2) return { ok: false, why: 'the ec2 client is not available' };
    if (gate && !(await gate(ec2, 'DescribeRegions')).allowed) {
      return { ok: false, why: 'ec2:DescribeRegions is refused by this deployment' };
    }
    const allowed = this.settings.allowedRegions;
    const region = !allowed || allowed.includes(this.settings.defaultRegion) ? this.settings.defaultRegion : allowed[0];
    try {
      const mod = await ec2.load();
      return await describeEnabledRegions(mod, this.clients.get(ec2, mod, region as string, creds));
    } catch (e) {
      return { ok: false, why: `the ec2 client could not be loaded: ${(e as Error).message}` };
    }
  }

  /**
   * Why a call may not go to `region` (the allowlist, unless the service is global; ARNs in the
   * parameters, always: arn-regions.ts), or undefined.
   */
  private regionRefusal(
    service: string,
    region: string,
    parameters: Record<string, unknown>,
    global: boolean,
  ): ArnRegionRefusal | undefined {
    const allowed = this.settings.allowedRegions;
    if (!global && allowed && !allowed.includes(region)) {
      return {
        code: 'RegionNotAllowed',
        text: `Region ${region} is not one this bot may look at. Allowed regions: ${allowed.join(', ')}.`,
      };
    }
    return checkArnRegions(service, region, parameters, allowed);
  }

  /** The call in one region: checked, fetched (bounded), redacted and queried; never throws. */
  private async inRegion(call: RegionCall, region: string): Promise<RegionOutcome> {
    const refusal = this.regionRefusal(call.service.name, region, call.parameters, call.global);
    if (refusal) return { ok: false, region, code: refusal.code, text: refusal.text, refused: true };
    const limits =
      call.query === undefined
        ? this.settings
        : { maxPages: this.settings.queryMaxPages, maxItems: this.settings.queryMaxItems };
    const client = this.clients.get(call.service, call.mod, region, call.creds);
    try {
      const { pages, more } = await fetchPages(call.mod, call.operation, client, call.parameters, limits);
      const result = regionResult({
        mod: call.mod,
        service: call.service.name,
        operation: call.operation,
        region,
        pages,
        ...(more ? { more } : {}),
        maxBytes: this.settings.maxBytes,
        env: this.env,
        ...(call.query !== undefined ? { query: call.query } : {}),
      });
      return { ok: true, result };
    } catch (e) {
      if (e instanceof QueryError) {
        const text =
          `The query failed on the ${call.service.name}:${call.operation} result in ${region}: ${e.message}. ` +
          "To see the result's shape, call once without a query and with a small page size. " +
          `Example: ${QUERY_EXAMPLES}.`;
        return { ok: false, region, code: 'QueryFailed', text, refused: false };
      }
      const { code, text } = explainError(e, call.service, call.operation, call.action, region, call.shape);
      return { ok: false, region, code, text, refused: false };
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
  /** A JMESPath expression applied to the redacted result (already checked with `queryProblem`). */
  readonly query?: string;
  /** Where an unreadable output schema is reported (default: the process log, once per operation). */
  readonly logger?: Pick<Logger, 'warn'>;
}

const defaultLogger = createLogger({ base: { component: 'aws-caller' } });
const warnedUnreadable = new Set<string>();

/**
 * Raw SDK pages → one region's result, the way every call goes: first the schema pass on each raw
 * page (every member the service model marks sensitive redacted, environment values hidden), then
 * plain JSON, merged, the name and pattern net; only then the query, so it sees what the model may
 * see and nothing more (its output goes through the net again). Where the output schema cannot be
 * read, the net alone redacts that part and a warning is logged once per operation. QueryError when
 * the query fails on the data or selects too much to hand back.
 */
export function regionResult(o: RawOutput): RegionResult {
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
  let { value } = redact(mergePages(plainPages), o.env, tally);
  if (o.query !== undefined) {
    const out = runQuery(o.query, value);
    const most = Math.max(QUERY_RESULT_MAX_BYTES, 4 * o.maxBytes);
    if (jsonBytesOver(out, most)) {
      throw new QueryError(
        `its result is more than ${most} bytes, far beyond the ${o.maxBytes}-byte budget; select fewer fields, ` +
          'filter, or count (length(), count_by())',
      );
    }
    value = redact(out, o.env).value;
  }
  return {
    service: o.service,
    operation: o.operation,
    region: o.region,
    pages: o.pages.length,
    items,
    value,
    ...(o.more ? { more: o.more } : {}),
    tally,
    ...(o.query !== undefined ? { query: o.query } : {}),
  };
}

/** Largest query output written for the model at all (it is then cut to the byte budget). */
const QUERY_RESULT_MAX_BYTES = 1_048_576;

/** Raw SDK pages → the model's text for a call in one region (`regionResult`, then `resultText`). */
export function shapeOutput(o: RawOutput): { text: string; items: number } {
  const r = regionResult(o);
  return { text: resultText(r, o.maxBytes), items: r.items };
}
