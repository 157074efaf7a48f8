/**
 * The worker Lambda: takes questions from the SQS FIFO queue and answers them through the AgentCore
 * runtime, in the thread. Each job is answered once even when delivered twice (Powertools
 * idempotency, DynamoDB). A job whose answer cannot be delivered to Slack is reported as a batch item
 * failure and retried; on its last try the asker is told, and SQS moves it to the dead-letter queue.
 */
import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { ChangeMessageVisibilityCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { WebClient } from '@slack/web-api';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DEFAULT_MAX_RECEIVE_COUNT } from '../../common/defaults.ts';
import { gaveUpMessage } from '../../common/errors.ts';
import { createLogger } from '../../common/log.ts';
import { newRef } from '../../common/ref.ts';
import { AgentCoreClient } from '../agent-client.ts';
import type { AnswerDeps } from '../answer/answer-question.ts';
import type { AnswerResult } from '../answer/outcome.ts';
import { type AnswerJob, parseJob, respondVia, runJob } from '../job.ts';
import { slackClientOptions } from '../slack-client.ts';
import { escapeSlack } from '../slack-text.ts';
import { lambdaSettings } from './settings.ts';

const log = createLogger({ base: { fn: 'worker' } });
const processor = new SqsFifoPartialProcessorAsync();
const idempotency = new IdempotencyConfig({ eventKeyJmesPath: 'dedupeKey', expiresAfterSeconds: 24 * 3600 });

export class DeliveryError extends Error {
  override name = 'DeliveryError';
}

let deps: { version: string; value: AnswerDeps } | undefined;

async function answerDeps(): Promise<AnswerDeps> {
  const s = await lambdaSettings('worker');
  if (deps?.version === s.version) return deps.value;
  const value: AnswerDeps = {
    client: new WebClient(s.bot.botToken, slackClientOptions(s.bot, log)),
    agent: new AgentCoreClient({ runtimeArn: s.fn.agentRuntimeArn }),
    logger: log,
    streaming: s.bot.streaming,
    timeoutMs: s.bot.answerTimeoutMs,
  };
  deps = { version: s.version, value };
  return value;
}

/** What the idempotency record keeps of an answered job. */
type Answered = Pick<AnswerResult, 'outcome' | 'ref'>;

let persistence: DynamoDBPersistenceLayer | undefined;
let answerOnce: ((job: AnswerJob, attempt: number) => Promise<Answered>) | undefined;

export class RetryLater extends Error {
  override name = 'RetryLater';
}

function idempotentAnswer(tableName: string): (job: AnswerJob, attempt: number) => Promise<Answered> {
  if (answerOnce) return answerOnce;
  persistence = new DynamoDBPersistenceLayer({ tableName });
  answerOnce = makeIdempotent(
    async (job: AnswerJob, attempt: number) => {
      // a retry may find the thread's agent still busy with the attempt that died: then try later
      const { outcome, ref } = await runJob(job, await answerDeps(), { retryIfBusy: attempt > 1 });
      if (outcome === 'retry_later') {
        throw new RetryLater(`the thread is still busy with an earlier attempt (ref ${ref})`);
      }
      // could not reach Slack: fail, so the job is retried (and the idempotency record released)
      if (outcome === 'undelivered') throw new DeliveryError(`could not deliver the answer (ref ${ref})`);
      return { outcome, ref };
    },
    { persistenceStore: persistence, config: idempotency, dataIndexArgument: 0 },
  );
  return answerOnce;
}

/**
 * The last try failed: tell the asker, in the thread (or the channel, for a command), else privately
 * through the command's response_url, which is all there is where the bot cannot post.
 */
async function tellAsker(job: AnswerJob, attempts: number): Promise<void> {
  const ref = newRef();
  log.error('giving up on a job; it goes to the dead-letter queue', { ref, dedupeKey: job.dedupeKey, attempts });
  const text = gaveUpMessage(escapeSlack(job.question.slice(0, 200)), attempts, ref);
  try {
    const { client } = await answerDeps();
    await client.chat.postMessage({
      channel: job.channelId,
      ...(job.threadTs ? { thread_ts: job.threadTs } : {}),
      text,
    });
    return;
  } catch (e) {
    if (!job.responseUrl) {
      log.error('could not tell the asker either', { ref, error: e });
      return;
    }
  }
  try {
    await respondVia(job.responseUrl)({ response_type: 'ephemeral', text, replace_original: false });
  } catch (e) {
    log.error('could not tell the asker either', { ref, error: e });
  }
}

const sqs = new SQSClient({ maxAttempts: 3 });
const queueUrls = new Map<string, string>();

/**
 * Brings a failed job back after `firstDelay` seconds (doubled at each further try) rather than the
 * queue's visibility timeout: that is 6× the worker's timeout (36 minutes, as Lambda advises for SQS
 * sources) so a slow answer is never delivered twice, but a job that failed quickly should not wait
 * that long. Best effort: if it fails, the job still comes back after the visibility timeout.
 */
async function retrySoon(record: SQSRecord, attempts: number, firstDelay: number): Promise<void> {
  const delay = Math.min(firstDelay * 2 ** (attempts - 1), 43_200);
  try {
    let queueUrl = queueUrls.get(record.eventSourceARN);
    if (!queueUrl) {
      // arn:aws:sqs:REGION:ACCOUNT:NAME; the SDK sends to the URL's host, so ask SQS for it
      const [, , , , account, name] = record.eventSourceARN.split(':');
      const out = await sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }));
      queueUrl = out.QueueUrl ?? '';
      queueUrls.set(record.eventSourceARN, queueUrl);
    }
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: delay,
      }),
    );
  } catch (e) {
    log.warn('could not bring the job back sooner; it returns after the visibility timeout', { error: e });
  }
}

async function handleRecord(record: SQSRecord): Promise<void> {
  let job: AnswerJob;
  try {
    job = parseJob(record.body);
  } catch (e) {
    // a malformed job will never succeed: log it and let it go
    log.error('dropped a malformed job', { messageId: record.messageId, error: e });
    return;
  }
  const attempts = Number(record.attributes.ApproximateReceiveCount ?? '1');
  let maxReceiveCount = DEFAULT_MAX_RECEIVE_COUNT;
  let retryDelay = 30;
  try {
    const s = await lambdaSettings('worker');
    maxReceiveCount = s.fn.maxReceiveCount;
    retryDelay = s.fn.retryDelaySeconds;
    await idempotentAnswer(s.fn.idempotencyTable)(job, attempts);
  } catch (e) {
    if (e instanceof IdempotencyAlreadyInProgressError) throw e;
    if (attempts >= maxReceiveCount) await tellAsker(job, attempts);
    else await retrySoon(record, attempts, retryDelay);
    throw e;
  }
}

export const workerHandler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  idempotency.registerLambdaContext(context);
  // every failure is reported per item (never a thrown batch), so SQS retries exactly those
  return processPartialResponse(event, handleRecord, processor, { context, throwOnFullBatchFailure: false });
};
