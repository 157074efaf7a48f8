/**
 * The receiver Lambda, behind a Function URL: Bolt's AwsLambdaReceiver verifies Slack's signature
 * (401 and nothing else otherwise), answers url_verification, and acks; the listeners only check
 * access and put the question on the SQS FIFO queue (deduplicated on event_id / trigger_id, grouped
 * per thread). Nothing slow happens before Slack gets its answer.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AwsLambdaReceiver } from '@slack/bolt';
import type { APIGatewayProxyEventV2, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createHash } from 'node:crypto';
import { createLogger } from '../../agent/log.ts';
import { createBot } from '../app.ts';
import type { AnswerJob } from '../listeners/deps.ts';
import { slackLogger } from '../log.ts';
import { lambdaSettings, type LambdaSettings } from './settings.ts';

const log = createLogger({ base: { fn: 'receiver' } });
const sqs = new SQSClient({ maxAttempts: 3 });

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResult>;
let built: { version: string; handler: Handler } | undefined;

/** FIFO deduplication ids: up to 128 of the allowed characters. */
const dedupeId = (key: string) => key.replace(/[^\w!"#$%&'()*+,\-./:;<=>?@[\\\]^`{|}~]/g, '_').slice(0, 128);

export async function enqueue(job: AnswerJob, queueUrl = process.env.QUEUE_URL): Promise<void> {
  if (!queueUrl) throw new Error('QUEUE_URL is not set');
  // one group per conversation: answers in a thread are delivered in order, threads in parallel
  const group = createHash('sha256').update(`${job.teamId}:${job.channelId}:${job.threadTs ?? job.dedupeKey}`).digest('hex');
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(job), MessageGroupId: group, MessageDeduplicationId: dedupeId(job.dedupeKey) }));
  log.info('enqueued', { surface: job.surface, team: job.teamId, channel: job.channelId, user: job.userId, dedupeKey: job.dedupeKey });
}

function build(s: LambdaSettings): Handler {
  const receiver = new AwsLambdaReceiver({ signingSecret: s.bot.signingSecret as string, logger: slackLogger(log) });
  createBot({
    settings: s.bot,
    receiver,
    logger: log,
    dispatch: (job) => enqueue(job),
    // a failed enqueue must fail the request, so Slack retries and nothing is lost
    rethrowErrors: true,
    // the bot's user id comes with each event: no auth.test on cold start
    authorize: async (_source, body) => {
      const auth = (body as { authorizations?: { user_id?: string }[] } | undefined)?.authorizations?.[0];
      return { botToken: s.bot.botToken, ...(auth?.user_id ? { botUserId: auth.user_id } : {}) };
    },
  });
  return receiver.toHandler() as Handler;
}

/** Function URL bodies may be base64; Bolt would decode them as ASCII, so decode UTF-8 here. */
export function decodeBody(event: APIGatewayProxyEventV2): APIGatewayProxyEventV2 {
  if (!event.isBase64Encoded || typeof event.body !== 'string') return event;
  return { ...event, body: Buffer.from(event.body, 'base64').toString('utf8'), isBase64Encoded: false };
}

export const receiverHandler = async (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyResult> => {
  let settings: LambdaSettings;
  try {
    settings = await lambdaSettings();
  } catch (e) {
    log.error('not configured', { error: e });
    return { statusCode: 500, body: '' };
  }
  if (!built || built.version !== settings.version) built = { version: settings.version, handler: build(settings) };
  return built.handler(decodeBody(event), context);
};
