/**
 * Failures as the user is told about them, on the wire: a model endpoint that drops the connection
 * is a model failure (not "cancelled"); only the caller going away is a cancellation. Logged errors
 * carry the AWS error code. Conversations are stored under `sessions/<id>/`, with one slash.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { BedrockModel, ConstantBackoff, DefaultModelRetryStrategy } from '@strands-agents/sdk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PinnedCredentials } from '../../agent/credentials.ts';
import { AgentService } from '../../agent/service/agent-service.ts';
import { describeFailure } from '../../agent/service/failures.ts';
import { AwsCaller } from '../../agent/tools/aws-caller.ts';
import { DEFAULT_SETTINGS } from '../../agent/tools/settings.ts';
import { NETWORK } from '../../common/aws-errors.ts';
import { createLogger } from '../../common/log.ts';
import type { AgentEvent } from '../../common/protocol.ts';
import { sessionId } from '../helpers/agent-harness.ts';
import { ScriptedModel } from '../services/scripted-model.ts';

const REGION = 'us-east-1';
let dropper: Server;
let dropperUrl: string;

beforeAll(async () => {
  // accepts each connection and drops it at once: the network failing under a model call
  dropper = createServer((socket) => socket.destroy());
  await new Promise<void>((ok) => dropper.listen(0, '127.0.0.1', ok));
  const address = dropper.address();
  dropperUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(() => new Promise<void>((ok) => dropper.close(() => ok())));

function service(createModel: () => BedrockModel | ScriptedModel, extra: Record<string, unknown> = {}) {
  const logs: Record<string, unknown>[] = [];
  const svc = new AgentService({
    settings: { defaultRegion: REGION, regions: [], maxTurns: 4 },
    createModel,
    caller: new AwsCaller({ ...DEFAULT_SETTINGS, defaultRegion: REGION }),
    credentials: new PinnedCredentials({ kind: 'profile', profile: 'default' }, { region: REGION }),
    retryStrategy: () =>
      new DefaultModelRetryStrategy({ maxAttempts: 1, backoff: new ConstantBackoff({ delayMs: 1 }) }),
    logger: createLogger({ write: (l) => logs.push(JSON.parse(l) as Record<string, unknown>) }),
    ...extra,
  });
  return { svc, logs };
}

async function collect(events: AsyncIterable<AgentEvent>): Promise<AgentEvent[]> {
  const out: AgentEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

describe('failures as the asker sees them', () => {
  it('a model endpoint that drops the connection is a model failure, not a cancellation', async () => {
    const model = () =>
      new BedrockModel({
        modelId: 'global.anthropic.claude-sonnet-4-6',
        region: REGION,
        clientConfig: { endpoint: dropperUrl, maxAttempts: 1 },
      });
    const { svc } = service(model);
    const events = await collect(svc.invoke(sessionId(1), { prompt: 'how many instances?' }));
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'model_error' });
    await svc.close(1_000);
  });

  it('only the caller going away is reported as cancelled', async () => {
    const { svc } = service(() => new ScriptedModel([], () => new Promise(() => {})));
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 50);
    const events = await collect(svc.invoke(sessionId(2), { prompt: 'hang' }, abort.signal));
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'cancelled' });
    await svc.close(1_000);
  });

  it('recognises network errors by their codes, not by look-alike words in other error names', () => {
    expect(NETWORK.test('Error connect ECONNREFUSED 127.0.0.1:9')).toBe(true);
    expect(NETWORK.test('getaddrinfo ENOTFOUND bedrock-runtime.xx-east-9.amazonaws.com')).toBe(true);
    expect(NETWORK.test('ResourceNotFoundException: Model use case details have not been submitted')).toBe(false);
    const notFound = Object.assign(new Error('no such runtime'), { name: 'ResourceNotFoundException' });
    expect(describeFailure(notFound, {}).code).toBe('internal');
  });

  it('classifies abort-looking network errors by who aborted', () => {
    const hangUp = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const aborted = Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    expect(describeFailure(hangUp, {}).code).toBe('model_error');
    expect(describeFailure(aborted, {}).code).toBe('model_error');
    const sdkTimeout = Object.assign(new Error('http2 request did not get a response'), { name: 'TimeoutError' });
    expect(describeFailure(sdkTimeout, {}).code).toBe('model_error');
    expect(describeFailure(aborted, {}, { cancelledByCaller: true }).code).toBe('cancelled');
    expect(describeFailure(hangUp, {}, { timedOut: true }).code).toBe('timeout');
  });

  it('logs the AWS error code, HTTP status and request id of a failed call', () => {
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l) });
    const err = Object.assign(new Error('Access Denied'), {
      name: 'AccessDenied',
      Code: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403, requestId: 'REQ123' },
    });
    log.error('session save failed', { error: err });
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      error: { name: 'AccessDenied', code: 'AccessDenied', fault: 'client', httpStatus: 403, requestId: 'REQ123' },
    });
  });
});

describe('the session store', () => {
  it('a refused S3 read of the conversation is logged with the AWS error code, status and request id', async () => {
    // S3 on the wire, refusing every request as a bucket policy or missing permission would
    const s3Deny = createHttpServer((req, res) => {
      req.resume();
      res.writeHead(403, { 'content-type': 'application/xml', 'x-amz-request-id': 'DENYREQ1' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>' +
          '<Message>Access Denied</Message><RequestId>DENYREQ1</RequestId></Error>',
      );
    });
    await new Promise<void>((ok) => s3Deny.listen(0, '127.0.0.1', ok));
    const port = (s3Deny.address() as { port: number }).port;
    const s3 = new S3Client({ endpoint: `http://127.0.0.1:${port}`, region: REGION, forcePathStyle: true });
    const { svc, logs } = service(() => new ScriptedModel([{ text: 'ok' }]), {
      sessionStore: { bucket: 'aws-ask-denied', prefix: 'sessions/', s3Client: s3 },
    });
    const events = await collect(svc.invoke(sessionId(4), { prompt: 'hello' }));
    expect(events.at(-1)).toMatchObject({ type: 'error' });
    const failed = logs.find((l) => l.msg === 'invocation failed') as { error?: Record<string, unknown> } | undefined;
    expect(JSON.stringify(failed?.error)).toMatch(/"code":"AccessDenied"/);
    expect(JSON.stringify(failed?.error)).toMatch(/"httpStatus":403/);
    expect(JSON.stringify(failed?.error)).toMatch(/"requestId":"DENYREQ1"/);
    await svc.close(1_000);
    await new Promise<void>((ok) => s3Deny.close(() => ok()));
  });

  it('keeps conversations under sessions/<id>/ (one slash), as the runtime role allows', async () => {
    const s3 = new S3Client({ endpoint: inject('motoUrl'), region: REGION, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'aws-ask-keys-test' }));
    const { svc } = service(() => new ScriptedModel([{ text: 'ok' }]), {
      sessionStore: { bucket: 'aws-ask-keys-test', prefix: 'sessions/', s3Client: s3 },
    });
    const events = await collect(svc.invoke(sessionId(3), { prompt: 'hello' }));
    expect(events.at(-1)).toMatchObject({ type: 'done' });
    const keys = (await s3.send(new ListObjectsV2Command({ Bucket: 'aws-ask-keys-test' }))).Contents ?? [];
    expect(keys.length).toBeGreaterThan(0);
    for (const { Key } of keys) expect(Key).toMatch(/^sessions\/[0-9a-f]{64}\/[^/]/);
    await svc.close(1_000);
  });
});
