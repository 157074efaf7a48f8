/**
 * The receiver Lambda, behind a Function URL: Bolt's AwsLambdaReceiver verifies Slack's signature
 * (401 and nothing else otherwise), answers url_verification, and acks; the listeners only check
 * access and put the question on the SQS FIFO queue (deduplicated on event_id / trigger_id, grouped
 * per thread). Nothing slow happens before Slack gets its answer.
 *
 * A vote on an answer (its feedback buttons) is handled here, not queued: logged, counted as the CloudWatch
 * metric `Feedback` (namespace `aws-ask`, dimension `vote`) in the Embedded Metric Format on stdout through
 * Powertools Metrics, and the voter thanked, within Slack's 3 seconds.
 */

import { createHash } from 'node:crypto';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AwsLambdaReceiver, isValidSlackRequest } from '@slack/bolt';
import type { APIGatewayProxyEventV2, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createLogger } from '../../common/log.ts';
import { createBot } from '../app.ts';
import type { Vote } from '../feedback.ts';
import type { AnswerJob } from '../job.ts';
import { slackLogger } from '../log.ts';
import { type LambdaSettings, lambdaSettings } from './settings.ts';

const log = createLogger({ base: { fn: 'receiver' } });
const sqs = new SQSClient({ maxAttempts: 3 });

const metrics = new Metrics({ namespace: 'aws-ask' });
// the metric's only dimension is the vote (no default `service`), so it is queried as `Feedback` by `vote`
metrics.clearDefaultDimensions();

/** One vote as one EMF line on stdout: the metric `Feedback`, 1, with the dimension `vote`. */
function countVote(vote: Vote): void {
  metrics.addDimension('vote', vote);
  metrics.addMetric('Feedback', MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResult>;
let built: { version: string; handler: Handler } | undefined;

/** FIFO deduplication ids: up to 128 of the allowed characters. */
const dedupeId = (key: string) => key.replace(/[^\w!"#$%&'()*+,\-./:;<=>?@[\\\]^`{|}~]/g, '_').slice(0, 128);

export async function enqueue(job: AnswerJob, queueUrl: string): Promise<void> {
  // one group per conversation: answers in a thread are delivered in order, threads in parallel
  const group = createHash('sha256')
    .update(`${job.teamId}:${job.channelId}:${job.threadTs ?? job.dedupeKey}`)
    .digest('hex');
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(job),
      MessageGroupId: group,
      MessageDeduplicationId: dedupeId(job.dedupeKey),
    }),
  );
  log.info('enqueued', {
    surface: job.surface,
    team: job.teamId,
    channel: job.channelId,
    user: job.userId,
    dedupeKey: job.dedupeKey,
  });
}

function build(s: LambdaSettings): Handler {
  const receiver = new AwsLambdaReceiver({ signingSecret: s.bot.signingSecret as string, logger: slackLogger(log) });
  createBot({
    settings: s.bot,
    receiver,
    logger: log,
    dispatch: (job) => enqueue(job, s.fn.queueUrl),
    countVote,
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

/** Slack's payloads are small; anything larger is refused before it is read further. */
export const MAX_BODY_BYTES = 512 * 1024;

const header = (event: APIGatewayProxyEventV2, name: string) => {
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === name) return v;
  return undefined;
};

/**
 * What Bolt would not answer well: oversized bodies (413), timestamps from the future (401), bodies
 * it cannot parse or commands missing their ids (400, once the signature is checked), and event
 * callbacks with no event (acked and dropped, so Slack does not retry them). Undefined: hand the
 * request to Bolt.
 */
export function precheck(event: APIGatewayProxyEventV2, signingSecret: string): APIGatewayProxyResult | undefined {
  const body = event.body ?? '';
  if (Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES) return { statusCode: 413, body: '' };
  // Bolt refuses old timestamps; refuse ones from the future too (a clock skew of 5 minutes either way)
  const ts = Number(header(event, 'x-slack-request-timestamp'));
  if (Number.isFinite(ts) && ts - Date.now() / 1000 > 5 * 60) return { statusCode: 401, body: '' };
  const verified = () =>
    isValidSlackRequest({
      signingSecret,
      body,
      headers: { 'x-slack-signature': header(event, 'x-slack-signature') ?? '', 'x-slack-request-timestamp': ts },
    });
  if (/x-www-form-urlencoded/i.test(header(event, 'content-type') ?? '')) {
    const form = new URLSearchParams(body);
    // a slash command always carries these; without them it cannot be answered
    if (form.has('command') && ['team_id', 'channel_id', 'user_id', 'trigger_id'].some((k) => !form.get(k))) {
      return verified() ? { statusCode: 400, body: '' } : { statusCode: 401, body: '' };
    }
    return undefined;
  }
  if (!/json/i.test(header(event, 'content-type') ?? '')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const suspicious =
    parsed === undefined ||
    (typeof parsed === 'object' &&
      parsed !== null &&
      (parsed as { type?: unknown }).type === 'event_callback' &&
      typeof (parsed as { event?: unknown }).event !== 'object');
  if (!suspicious) return undefined;
  if (!verified()) return { statusCode: 401, body: '' };
  if (parsed === undefined) return { statusCode: 400, body: '' };
  log.warn('event callback without an event, dropped', {});
  return { statusCode: 200, body: '' };
}

/** Function URL bodies may be base64; Bolt would decode them as ASCII, so decode UTF-8 here. */
export function decodeBody(event: APIGatewayProxyEventV2): APIGatewayProxyEventV2 {
  if (!event.isBase64Encoded || typeof event.body !== 'string') return event;
  return { ...event, body: Buffer.from(event.body, 'base64').toString('utf8'), isBase64Encoded: false };
}

export const receiverHandler = async (
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyResult> => {
  let settings: LambdaSettings;
  try {
    settings = await lambdaSettings('receiver');
  } catch (e) {
    log.error('not configured', { error: e });
    return { statusCode: 500, body: '' };
  }
  if (!built || built.version !== settings.version) built = { version: settings.version, handler: build(settings) };
  const decoded = decodeBody(event);
  return precheck(decoded, settings.bot.signingSecret as string) ?? built.handler(decoded, context);
};
