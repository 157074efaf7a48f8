/**
 * The production handlers, called the way Lambda calls them: the receiver with Function URL events
 * (signed by the fake Slack's signer) putting jobs on a FIFO queue in moto; the worker with SQS
 * records received from that queue, answering through the AgentCore shim into the fake Slack.
 */
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SQSClient,
  type Message as SqsMessage,
} from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import type { AnswerJob } from '../../bot/job.ts';
import { type Harness, instanceCounter, startHarness } from '../helpers/agent-harness.ts';
import { motoConfig } from '../helpers/aws.ts';
import { seedFunctionResources, seedInstances, seedRoles } from '../helpers/seed.ts';
import { functionUrlEvent, mentionBody, type UrlEventOptions } from '../helpers/slack-requests.ts';
import { drainQueue, receiveJobs, sqsRecord } from '../helpers/sqs.ts';
import { type AgentCoreShim, startAgentCoreShim } from '../services/agentcore-shim.ts';
import {
  BOT_TOKEN,
  BOT_USER_ID,
  FakeSlack,
  type RequestUrl,
  SIGNING_SECRET,
  signedHeaders,
  TEAM_ID,
} from '../services/fake-slack.ts';

const REGION = 'us-west-2';
const ARN = `arn:aws:bedrock-agentcore:${REGION}:123456789012:runtime/aws_ask-Lambda1`;
const aws = motoConfig(REGION);
let sqs: SQSClient;
let queueUrl: string;
let dlqUrl: string;
let slack: FakeSlack;
let runtime: Harness;
let shim: AgentCoreShim;
let receiverHandler: typeof import('../../bot/lambda.ts').receiverHandler;
let workerHandler: typeof import('../../bot/lambda.ts').workerHandler;

const context = {
  functionName: 'test',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 300_000,
} as unknown as Context;

const signed = (body: string, extra: Record<string, string> = {}, o: Parameters<typeof signedHeaders>[1] = {}) => ({
  ...signedHeaders(body, o),
  ...extra,
});

const mention = (eventId: string, text: string, ts = `${Date.now() / 1000}`) => mentionBody({ eventId, text, ts });
/** Unsigned unless headers are given. */
const urlEvent = (body: string, o: UrlEventOptions = {}) => functionUrlEvent(body, { headers: {}, ...o });

async function queued(url = queueUrl): Promise<number> {
  const a = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(a.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(a.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

const receive = (url = queueUrl): Promise<SqsMessage[]> => receiveJobs(sqs, url, { max: 10, visibilityTimeout: 30 });

const toRecord = (m: SqsMessage): SQSRecord => sqsRecord(m, REGION);

/** The jobs queue (created again with the same URL after a test deletes it). */
async function createJobsQueue(): Promise<string> {
  const created = await sqs.send(
    new CreateQueueCommand({
      QueueName: 'aws-ask-jobs.fifo',
      Attributes: {
        FifoQueue: 'true',
        VisibilityTimeout: '30',
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: `arn:aws:sqs:${REGION}:123456789012:aws-ask-dlq.fifo`,
          maxReceiveCount: 3,
        }),
      },
    }),
  );
  return created.QueueUrl!;
}

/** The receiver behind its Function URL, as the fake Slack's Events API posts to it. */
const requestUrl: RequestUrl = async ({ body, headers }) => receiverHandler(urlEvent(body, { headers }), context);

/** Reads and removes the queued jobs. */
async function jobsIn(): Promise<AnswerJob[]> {
  const messages = await receive();
  for (const m of messages)
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
  return messages.map((m) => JSON.parse(m.Body!) as AnswerJob);
}

/** What Lambda's SQS event source does: call the worker with the batch, delete what succeeded. */
async function runWorker(messages: SqsMessage[]) {
  const result = await workerHandler({ Records: messages.map(toRecord) } as SQSEvent, context);
  const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
  for (const m of messages)
    if (!failed.has(m.MessageId!))
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
  return result;
}

beforeAll(async () => {
  const moto = inject('motoUrl');
  const [role] = (await seedRoles(moto, '/', ['aws-ask-tool-lambda'])) as [string];
  await seedInstances(moto, REGION, 5, 'lam');
  sqs = new SQSClient({ ...aws, endpoint: moto });
  dlqUrl = (
    await sqs.send(new CreateQueueCommand({ QueueName: 'aws-ask-dlq.fifo', Attributes: { FifoQueue: 'true' } }))
  ).QueueUrl!;
  queueUrl = await createJobsQueue();
  await seedFunctionResources(moto, REGION, {
    secretName: 'aws-ask/slack',
    table: 'aws-ask-idempotency',
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
  });
  slack = await FakeSlack.start();
  runtime = await startHarness({ region: REGION, toolRoleArn: role, model: () => instanceCounter(REGION) });
  shim = await startAgentCoreShim(runtime.url);
  Object.assign(process.env, {
    AWS_REGION: REGION,
    SLACK_SECRET_ID: 'aws-ask/slack',
    QUEUE_URL: queueUrl,
    SLACK_API_URL: slack.apiUrl,
    IDEMPOTENCY_TABLE: 'aws-ask-idempotency',
    AGENT_RUNTIME_ARN: ARN,
    AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: shim.url,
    MAX_RECEIVE_COUNT: '3',
  });
  ({ receiverHandler, workerHandler } = await import('../../bot/lambda.ts'));
});

beforeEach(async () => {
  await drainQueue(sqs, queueUrl);
  await drainQueue(sqs, dlqUrl);
});

afterAll(async () => {
  await shim.close();
  await runtime.close();
  await slack.close();
});

describe('receiverHandler', () => {
  it('rejects a forged or stale signature with 401 and enqueues nothing', async () => {
    const body = mention('EvForged', 'how many instances?');
    const forged = await receiverHandler(urlEvent(body, { headers: signed(body, {}, { secret: 'wrong' }) }), context);
    expect(forged.statusCode).toBe(401);
    const stale = await receiverHandler(
      urlEvent(body, { headers: signed(body, {}, { timestamp: Math.floor(Date.now() / 1000) - 360 }) }),
      context,
    );
    expect(stale.statusCode).toBe(401);
    const unsigned = await receiverHandler(urlEvent(body), context);
    expect(unsigned.statusCode).toBe(401);
    expect(await queued()).toBe(0);
  });

  it('answers url_verification with the challenge', async () => {
    const body = JSON.stringify({ token: 'x', challenge: 'c-123', type: 'url_verification' });
    const r = await receiverHandler(urlEvent(body, { headers: signed(body) }), context);
    expect(r.statusCode).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ challenge: 'c-123' });
  });

  it('acks a mention with 200 and makes exactly one job, even when Slack retries it three times', async () => {
    const body = mention('EvOnce', 'how many instances?', '1800000001.000100');
    const first = await receiverHandler(urlEvent(body, { headers: signed(body) }), context);
    expect(first.statusCode).toBe(200);
    for (const n of ['1', '2', '3']) {
      const retry = await receiverHandler(
        urlEvent(body, { headers: signed(body, { 'x-slack-retry-num': n, 'x-slack-retry-reason': 'http_timeout' }) }),
        context,
      );
      expect(retry.statusCode).toBe(200);
    }
    const jobs = await jobsIn();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({
      surface: 'mention',
      teamId: TEAM_ID,
      channelId: 'C0OPS',
      threadTs: '1800000001.000100',
      userId: 'U0ALICE',
      question: 'how many instances?',
      dedupeKey: 'EvOnce',
      isDm: false,
    });
    // nothing was posted to Slack by the receiver: that is the worker's job
    expect(slack.calls.filter((c) => c.method.startsWith('chat.'))).toEqual([]);
  });

  it('acks a slash command (base64, non-ASCII) and makes one job with the question intact', async () => {
    const text = 'combien d\u2019instances \u00e0 Paris ? \u65e5\u672c \ud83d\ude80';
    const form = new URLSearchParams({
      token: 'legacy',
      team_id: TEAM_ID,
      channel_id: 'C0OPS',
      user_id: 'U0ALICE',
      command: '/aws-ask',
      text,
      response_url: `${slack.url}/respond/9`,
      trigger_id: 'trig.123.abc',
    }).toString();
    const r = await receiverHandler(
      urlEvent(form, { base64: true, contentType: 'application/x-www-form-urlencoded', headers: signed(form) }),
      context,
    );
    expect(r.statusCode).toBe(200);
    expect(r.body).toBe('');
    const jobs = await jobsIn();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({
      surface: 'command',
      question: text,
      dedupeKey: 'trig.123.abc',
      responseUrl: `${slack.url}/respond/9`,
    });
    expect(jobs[0]!.threadTs).toBeUndefined();
  });

  it('shows help for an empty command without making a job', async () => {
    const form = new URLSearchParams({
      team_id: TEAM_ID,
      channel_id: 'C0OPS',
      user_id: 'U0ALICE',
      command: '/aws-ask',
      text: '',
      response_url: 'x',
      trigger_id: 't.help',
    }).toString();
    const r = await receiverHandler(
      urlEvent(form, { contentType: 'application/x-www-form-urlencoded', headers: signed(form) }),
      context,
    );
    expect(JSON.parse(r.body)).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringMatching(/aws-ask\* answers questions/),
    });
    expect(await queued()).toBe(0);
  });

  it('fails the request (500, so Slack retries) when the job cannot be queued', async () => {
    process.env.QUEUE_URL = `${queueUrl}-missing`;
    try {
      const body = mention('EvNoQueue', 'hello');
      const r = await receiverHandler(urlEvent(body, { headers: signed(body) }), context);
      expect(r.statusCode).toBe(500);
    } finally {
      process.env.QUEUE_URL = queueUrl;
    }
  });

  it('first enqueue fails: Slack’s retry (X-Slack-Retry-Num: 1) queues the question, answered once', async () => {
    expect(await slack.verifyRequestUrl(requestUrl)).toBe(true);
    const ts = '1800000050.000100';
    slack.userMessage('C0OPS', 'U0ALICE', `<@${BOT_USER_ID}> how many instances?`);
    const payload = slack.eventPayload(
      {
        type: 'app_mention',
        user: 'U0ALICE',
        text: `<@${BOT_USER_ID}> how many instances?`,
        ts,
        channel: 'C0OPS',
        team: TEAM_ID,
      },
      'EvLostOnce',
    );
    // the queue is away for the first delivery, back (same URL) before Slack's first retry
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    const attempts = await slack.deliver(payload, requestUrl, {
      retryDelaysMs: [0, 0, 0],
      beforeRetry: async () => {
        expect(await createJobsQueue()).toBe(queueUrl);
      },
    });
    expect(attempts.map((a) => [a.retryNum, a.statusCode, a.reason ?? null])).toEqual([
      [0, 500, null],
      [1, 200, 'http_error'],
    ]);
    const messages = await receive();
    expect(messages.map((m) => (JSON.parse(m.Body!) as AnswerJob).dedupeKey)).toEqual(['EvLostOnce']);
    // a later duplicate of the same event is acked and queues nothing
    const body = JSON.stringify(payload);
    const late = await requestUrl({
      body,
      headers: { ...signedHeaders(body), 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' },
    });
    expect(late.statusCode).toBe(200);
    expect(await runWorker(messages)).toEqual({ batchItemFailures: [] });
    expect(await receive()).toEqual([]);
    const answers = slack.thread('C0OPS', ts).filter((m) => /AWS calls/.test(m.text));
    expect(answers).toHaveLength(1);
    expect(answers[0]!.text).toContain(`There are 5 EC2 instances in ${REGION}.`);
  });

  it('a retry landing on another instance (its own memory of events) is one job: the FIFO dedupe id', async () => {
    const payload: unknown = JSON.parse(mention('EvTwoInstances', 'how many instances?', '1800000060.000100'));
    // the first delivery is queued, but its 200 never reaches Slack: Slack retries
    const first = await requestUrl({ body: JSON.stringify(payload), headers: signedHeaders(JSON.stringify(payload)) });
    expect(first.statusCode).toBe(200);
    // …to a fresh instance (a changed environment rebuilds the app, as a new Lambda instance starts empty)
    process.env.ANSWER_TIMEOUT_MS = '299000';
    try {
      const body = JSON.stringify(payload);
      const retry = await requestUrl({
        body,
        headers: { ...signedHeaders(body), 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error' },
      });
      expect(retry.statusCode).toBe(200);
    } finally {
      delete process.env.ANSWER_TIMEOUT_MS;
    }
    expect((await jobsIn()).map((j) => j.dedupeKey)).toEqual(['EvTwoInstances']);
  });

  it('url_verification fails while the signing secret is not known yet, and passes once it is', async () => {
    const sm = new SecretsManagerClient({ ...aws, endpoint: inject('motoUrl') });
    await sm.send(new CreateSecretCommand({ Name: 'aws-ask/unfilled', SecretString: '{}' }));
    process.env.SLACK_SECRET_ID = 'aws-ask/unfilled';
    const fresh: RequestUrl = (req) => requestUrl(req);
    try {
      expect(await slack.verifyRequestUrl(fresh)).toBe(false);
    } finally {
      process.env.SLACK_SECRET_ID = 'aws-ask/slack';
    }
    expect(await slack.verifyRequestUrl(fresh)).toBe(true);
  });

  it('says how to fill the secret when it is empty (500, nothing else done)', async () => {
    const sm = new SecretsManagerClient({ ...aws, endpoint: inject('motoUrl') });
    await sm.send(new CreateSecretCommand({ Name: 'aws-ask/empty', SecretString: '{}' }));
    process.env.SLACK_SECRET_ID = 'aws-ask/empty';
    try {
      const body = mention('EvEmpty', 'hello');
      const r = await receiverHandler(urlEvent(body, { headers: signed(body) }), context);
      expect(r.statusCode).toBe(500);
      expect(await queued()).toBe(0);
    } finally {
      process.env.SLACK_SECRET_ID = 'aws-ask/slack';
      await sm.send(new PutSecretValueCommand({ SecretId: 'aws-ask/empty', SecretString: '{}' }));
    }
  });
});

describe('workerHandler', () => {
  async function enqueueMention(eventId: string, text: string, ts: string) {
    slack.userMessage('C0OPS', 'U0ALICE', `<@${BOT_USER_ID}> ${text}`);
    const body = mention(eventId, text, ts);
    expect((await receiverHandler(urlEvent(body, { headers: signed(body) }), context)).statusCode).toBe(200);
  }

  it('turns a job into a threaded answer through AgentCore', async () => {
    await enqueueMention('EvWork1', 'how many instances?', '1800000100.000100');
    const result = await runWorker(await receive());
    expect(result).toEqual({ batchItemFailures: [] });
    const answer = slack.thread('C0OPS', '1800000100.000100').at(-1)!;
    expect(answer.text).toContain(`There are 5 EC2 instances in ${REGION}.`);
    expect(answer.text).toMatch(/AWS calls: `ec2:DescribeInstances` · us-west-2/);
    expect(shim.invocations.at(-1)).toMatchObject({ arn: ARN, qualifier: 'DEFAULT' });
  });

  it("posts a slash command's question as the parent and answers in its thread", async () => {
    const form = new URLSearchParams({
      team_id: TEAM_ID,
      channel_id: 'C0OPS',
      user_id: 'U0BOB',
      command: '/aws-ask',
      text: 'how many instances?',
      response_url: `${slack.url}/respond/10`,
      trigger_id: 'trig.parent',
    }).toString();
    await receiverHandler(
      urlEvent(form, { contentType: 'application/x-www-form-urlencoded', headers: signed(form) }),
      context,
    );
    await runWorker(await receive());
    const parent = slack.messages.find((m) => m.fromBot && m.text === '<@U0BOB> asked: how many instances?')!;
    expect(slack.thread('C0OPS', parent.ts).at(-1)!.text).toContain('There are 5 EC2 instances');
  });

  it('answers a job delivered twice only once', async () => {
    await enqueueMention('EvTwice', 'how many instances?', '1800000200.000100');
    const [m] = await receive();
    // the same message delivered twice (SQS is at-least-once)
    await workerHandler({ Records: [toRecord(m!)] } as SQSEvent, context);
    await runWorker([m!]);
    expect(slack.thread('C0OPS', '1800000200.000100')).toHaveLength(1);
    const items = await new DynamoDBClient({ ...aws, endpoint: inject('motoUrl') }).send(
      new ScanCommand({ TableName: 'aws-ask-idempotency' }),
    );
    expect(items.Items?.some((i) => JSON.stringify(i).includes('COMPLETED'))).toBe(true);
  });

  it('undeliverable job: batch item failure; the last try tells the asker; then SQS moves it to the DLQ', async () => {
    await enqueueMention('EvFail', 'how many instances?', '1800000300.000100');
    // Slack refuses every way of answering, three tries over
    // (each try: start a stream, then post, then post the ending)
    slack.inject({ method: 'chat.startStream', error: 'fatal_error', times: 3 });
    slack.inject({ method: 'chat.postMessage', error: 'fatal_error', times: 6 });
    const failures: string[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const [m] = await receive();
      expect(m, `attempt ${attempt}`).toBeDefined();
      expect(m!.Attributes?.ApproximateReceiveCount).toBe(String(attempt));
      const r = await runWorker([m!]);
      failures.push(...r.batchItemFailures.map((f) => f.itemIdentifier));
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: m!.ReceiptHandle!,
          VisibilityTimeout: 0,
        }),
      );
    }
    expect(failures).toHaveLength(3);
    const told = await slack.waitFor(() =>
      slack.messages.find((x) => x.fromBot && /Sorry, I could not answer/.test(x.text)),
    );
    expect(told).toMatchObject({ channel: 'C0OPS', thread_ts: '1800000300.000100' });
    expect(told.text).toMatch(/after 3 tries\. Please ask again in a little while\. \(ref [0-9a-f]{8}\)/);
    expect(await receive()).toEqual([]);
    expect((await receive(dlqUrl)).map((m) => (JSON.parse(m.Body!) as AnswerJob).dedupeKey)).toEqual(['EvFail']);
  });

  it('a failed job comes back after RETRY_DELAY_SECONDS, not the visibility timeout (36 min deployed)', async () => {
    process.env.RETRY_DELAY_SECONDS = '1';
    try {
      await enqueueMention('EvRetrySoon', 'how many instances?', '1800000350.000100');
      slack.inject({ method: 'chat.startStream', error: 'fatal_error', times: 1 });
      slack.inject({ method: 'chat.postMessage', error: 'fatal_error', times: 2 });
      // taken as Lambda takes it: invisible for the queue's visibility timeout (an hour here)
      const [m] = await receiveJobs(sqs, queueUrl, { visibilityTimeout: 3600 });
      expect(m).toBeDefined();
      const r = await runWorker([m!]);
      expect(r.batchItemFailures).toHaveLength(1);
      await new Promise((ok) => setTimeout(ok, 1_500));
      const again = await receive();
      expect(again.map((x) => (JSON.parse(x.Body!) as AnswerJob).dedupeKey)).toEqual(['EvRetrySoon']);
      await runWorker(again);
    } finally {
      delete process.env.RETRY_DELAY_SECONDS;
    }
  });

  /** A slash command in a channel the bot is not in: its answer can only go through the response_url. */
  async function commandWhereBotIsNotIn(triggerId: string, n: number) {
    slack.notInChannel.add('C0PRIV');
    const form = new URLSearchParams({
      team_id: TEAM_ID,
      channel_id: 'C0PRIV',
      user_id: 'U0BOB',
      command: '/aws-ask',
      text: 'how many instances?',
      response_url: `${slack.url}/respond/${n}`,
      trigger_id: triggerId,
    }).toString();
    const r = await receiverHandler(
      urlEvent(form, { contentType: 'application/x-www-form-urlencoded', headers: signed(form) }),
      context,
    );
    expect(r.statusCode).toBe(200);
    return `${slack.url}/respond/${n}`;
  }

  it('response_url refuses the markdown block: the answer goes again as plain text, and the job succeeds', async () => {
    const url = await commandWhereBotIsNotIn('trig.plain', 701);
    slack.responseRefuses.add('markdown');
    try {
      expect(await runWorker(await receive())).toEqual({ batchItemFailures: [] });
    } finally {
      slack.responseRefuses.clear();
    }
    const attempts = slack.responseAttempts.filter((a) => a.url === url);
    expect(attempts.map((a) => [a.status, a.error ?? null, Array.isArray(a.body.blocks)])).toEqual([
      [400, 'invalid_blocks', true],
      [200, null, false],
    ]);
    const told = attempts[1]!.body;
    expect(told).toMatchObject({ response_type: 'ephemeral' });
    expect(String(told.text)).toContain('There are 5 EC2 instances');
    expect(String(told.text)).toMatch(/AWS calls: `ec2:DescribeInstances`/);
  });

  it('response_url refusing every answer: on the last try the asker is told privately, then the DLQ', async () => {
    const url = await commandWhereBotIsNotIn('trig.refused', 702);
    // each try: the markdown block refused, then the plain text refused
    slack.inject({ method: 'response_url', status: 500, times: 6 });
    for (let attempt = 1; attempt <= 3; attempt++) {
      const [m] = await receive();
      expect(m, `attempt ${attempt}`).toBeDefined();
      const r = await runWorker([m!]);
      expect(r.batchItemFailures).toHaveLength(1);
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: m!.ReceiptHandle!,
          VisibilityTimeout: 0,
        }),
      );
    }
    // the bot cannot post in the channel: the response_url is how the asker hears of it
    const told = slack.responses.filter((r) => r.url === url);
    expect(told).toHaveLength(1);
    expect(told[0]!.body).toMatchObject({ response_type: 'ephemeral' });
    expect(String(told[0]!.body.text)).toMatch(/Sorry, I could not answer .* after 3 tries\. .*\(ref [0-9a-f]{8}\)/);
    expect(await receive()).toEqual([]);
    expect((await receive(dlqUrl)).map((m) => (JSON.parse(m.Body!) as AnswerJob).dedupeKey)).toEqual(['trig.refused']);
  });

  it('drops a malformed job without failing the batch', async () => {
    const record = toRecord({
      MessageId: 'm-bad',
      ReceiptHandle: 'r',
      Body: '{"surface":"mention"}',
      MD5OfBody: 'x',
      Attributes: {
        ApproximateReceiveCount: '1',
        MessageGroupId: 'g',
        SequenceNumber: '1',
        MessageDeduplicationId: 'd',
        SenderId: 's',
        SentTimestamp: '1',
        ApproximateFirstReceiveTimestamp: '1',
      },
    });
    expect(await workerHandler({ Records: [record] } as SQSEvent, context)).toEqual({ batchItemFailures: [] });
  });
});

describe('a vote on an answer (its feedback buttons)', () => {
  /** What the handlers print to stdout while `fn` runs, one JSON object a line (logs and EMF metrics). */
  async function stdoutOf<T>(fn: () => Promise<T>): Promise<{ result: T; lines: Record<string, unknown>[] }> {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    try {
      const result = await fn();
      const lines = out
        .join('')
        .split('\n')
        .filter((l) => l.startsWith('{'));
      return { result, lines: lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
    } finally {
      spy.mockRestore();
    }
  }

  it('is the receiver’s alone: acked in time, one log record, one EMF metric, thanks; no job, no agent', async () => {
    const ts = '1800000900.000100';
    const body = mention('EvVote', 'how many instances?', ts);
    expect((await receiverHandler(urlEvent(body, { headers: signed(body) }), context)).statusCode).toBe(200);
    const { lines: worked } = await stdoutOf(async () => runWorker(await receive()));
    const ref = worked.find((l) => l.msg === 'answer')!.ref;
    const answer = slack.thread('C0OPS', ts).at(-1)!;
    const invoked = shim.invocations.length;

    const { result: click, lines } = await stdoutOf(() =>
      slack.clickFeedback({ message: answer, user: 'U0ALICE', vote: 'negative', post: requestUrl }),
    );
    expect(click.http).toMatchObject({ statusCode: 200, timedOut: false });
    expect(click.http!.ms).toBeLessThan(3_000);
    expect(lines.filter((l) => l.msg === 'feedback')).toEqual([
      expect.objectContaining({
        level: 'info',
        fn: 'receiver',
        ref,
        team: TEAM_ID,
        channel: 'C0OPS',
        user: 'U0ALICE',
        vote: 'down',
        toolCalls: [`ec2:DescribeInstances@${REGION}`],
      }),
    ]);
    // CloudWatch's Embedded Metric Format: namespace aws-ask, metric Feedback, the one dimension vote
    const emf = lines.filter((l) => '_aws' in l);
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [
          { Namespace: 'aws-ask', Dimensions: [['vote']], Metrics: [{ Name: 'Feedback', Unit: 'Count' }] },
        ],
      },
      vote: 'down',
      Feedback: 1,
    });
    expect(slack.ephemerals.at(-1)).toMatchObject({ channel: 'C0OPS', user: 'U0ALICE', thread_ts: ts });
    expect(slack.ephemerals.at(-1)!.text).toContain(String(ref));
    expect(shim.invocations).toHaveLength(invoked);
    expect(await queued()).toBe(0);
  });

  it('answers Slack in time when the thanks is slow (500s, retried): the vote is recorded first', async () => {
    const ts = '1800000901.000100';
    const body = mention('EvVoteSlow', 'how many instances?', ts);
    await receiverHandler(urlEvent(body, { headers: signed(body) }), context);
    await runWorker(await receive());
    const answer = slack.thread('C0OPS', ts).at(-1)!;
    // chat.postEphemeral fails (Slack's 500s, retried by the client), and so does the response_url
    slack.inject({ method: 'chat.postEphemeral', status: 500, times: 20 });
    slack.inject({ method: 'response_url', status: 500, times: 5 });
    const { result: click, lines } = await stdoutOf(() =>
      slack.clickFeedback({ message: answer, user: 'U0BOB', vote: 'positive', post: requestUrl }),
    );
    expect(click.http).toMatchObject({ statusCode: 200, timedOut: false });
    expect(click.http!.ms).toBeLessThan(2_000);
    expect(lines.filter((l) => l.msg === 'feedback')).toEqual([expect.objectContaining({ user: 'U0BOB', vote: 'up' })]);
    expect(lines.filter((l) => '_aws' in l)).toHaveLength(1);
  });
});
