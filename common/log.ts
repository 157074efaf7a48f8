/**
 * Structured JSON logs: one object a line on stdout, with level, time and message first. Values
 * are whatever the caller passes; callers never pass secrets, prompts or answers unless configured.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';

const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  readonly level?: Level;
  readonly write?: (line: string) => void;
  readonly base?: Record<string, unknown>;
}

/** What an AWS SDK error adds to the name and message: the service's error code, HTTP status, request id. */
interface AwsErrorLike {
  readonly Code?: unknown;
  readonly code?: unknown;
  readonly $fault?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number; readonly requestId?: string };
}

/**
 * An error as a log field: name and message, for AWS errors the code, status and request id, and the
 * same for what caused it (libraries wrap SDK errors: Strands' SessionError carries the S3 error as
 * its `cause`), a few levels deep.
 */
function errorFields(v: unknown, depth = 0): unknown {
  if (!(v instanceof Error)) return v;
  const aws = v as Error & AwsErrorLike;
  const code = typeof aws.Code === 'string' ? aws.Code : typeof aws.code === 'string' ? aws.code : undefined;
  return {
    name: v.name,
    message: v.message,
    ...(code ? { code } : {}),
    ...(typeof aws.$fault === 'string' ? { fault: aws.$fault } : {}),
    ...(aws.$metadata?.httpStatusCode ? { httpStatus: aws.$metadata.httpStatusCode } : {}),
    ...(aws.$metadata?.requestId ? { requestId: aws.$metadata.requestId } : {}),
    ...(v.cause instanceof Error && depth < 3 ? { cause: errorFields(v.cause, depth + 1) } : {}),
  };
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const envLevel = process.env.LOG_LEVEL?.toLowerCase();
  const level: Level = options.level ?? (envLevel && envLevel in ORDER ? (envLevel as Level) : 'info');
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const base = options.base ?? {};
  const emit = (lvl: Level, msg: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[lvl] < ORDER[level]) return;
    const rec: Record<string, unknown> = { level: lvl, time: new Date().toISOString(), msg, ...base };
    for (const [k, v] of Object.entries(fields)) rec[k] = errorFields(v);
    write(JSON.stringify(rec));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ level, write, base: { ...base, ...fields } }),
  };
}

/** A logger that drops everything (tests, the CLI's quiet mode). */
export const silentLogger: Logger = createLogger({ write: () => {} });
