/**
 * Hostile and odd Slack traffic at the receiver: forged, stale, replayed and oversized requests,
 * malformed bodies, events with no event, unknown commands, non-ASCII and very long questions, people of
 * another organisation in shared channels (Slack Connect).
 * Each gets a clear answer, nothing is queued that should not be, and nothing is queued twice.
 */

import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { WebClient } from '@slack/web-api';
import type { Context } from 'aws-lambda';
import { beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { AnswerJob } from '../../bot/job.ts';
import { runJob } from '../../bot/job.ts';
import { silentLogger } from '../../common/log.ts';
import { MAX_PROMPT_CHARS } from '../../common/protocol.ts';
import { motoConfig } from '../helpers/aws.ts';
import {
  commandBody,
  functionUrlEvent,
  mentionBody,
  type Origin,
  type UrlEventOptions,
} from '../helpers/slack-requests.ts';
import { drainQueue } from '../helpers/sqs.ts';
import {
  BOT_TOKEN,
  FakeSlack,
  PARTNER_TEAM_ID,
  SIGNING_SECRET,
  signedHeaders,
  TEAM_ID,
} from '../services/fake-slack.ts';

const REGION = 'eu-west-2';
const aws = motoConfig(REGION);
let sqs: SQSClient;
let queueUrl: string;
let slack: FakeSlack;
let receiverHandler: typeof import('../../bot/lambda.ts').receiverHandler;
const context = { getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

let n = 0;
const mention = (text: string, o: { eventId?: string; ts?: string } = {}) =>
  mentionBody({ eventId: o.eventId ?? `EvHard${++n}`, text, ts: o.ts ?? `${1_850_000_000 + ++n}.000100` });
const command = (text: string, cmd = '/aws-ask') =>
  commandBody({ text, command: cmd, responseUrl: `${slack.url}/respond/${++n}`, triggerId: `trig.hard.${++n}` });
const post = (body: string, o: UrlEventOptions = {}) => receiverHandler(functionUrlEvent(body, o), context);

const jobs = async (): Promise<AnswerJob[]> => (await drainQueue(sqs, queueUrl)).map((b) => JSON.parse(b) as AnswerJob);

beforeAll(async () => {
  const moto = inject('motoUrl');
  sqs = new SQSClient({ ...aws, endpoint: moto });
  queueUrl = (
    await sqs.send(new CreateQueueCommand({ QueueName: 'hardening.fifo', Attributes: { FifoQueue: 'true' } }))
  ).QueueUrl!;
  await new SecretsManagerClient({ ...aws, endpoint: moto }).send(
    new CreateSecretCommand({
      Name: 'hardening/slack',
      SecretString: JSON.stringify({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET }),
    }),
  );
  slack = await FakeSlack.start();
  Object.assign(process.env, {
    AWS_REGION: REGION,
    SLACK_SECRET_ID: 'hardening/slack',
    QUEUE_URL: queueUrl,
    SLACK_API_URL: slack.apiUrl,
  });
  ({ receiverHandler } = await import('../../bot/lambda.ts'));
});

beforeEach(async () => {
  await jobs();
});

describe('requests that are not from Slack', () => {
  it.each([
    ['forged (wrong secret)', (b: string) => signedHeaders(b, { secret: 'guess' })],
    ['stale (6 minutes old)', (b: string) => signedHeaders(b, { timestamp: Math.floor(Date.now() / 1000) - 360 })],
    [
      'from the future (6 minutes ahead)',
      (b: string) => signedHeaders(b, { timestamp: Math.floor(Date.now() / 1000) + 360 }),
    ],
    ['unsigned', () => ({})],
    ['signed for another body', () => signedHeaders('{"type":"event_callback"}')],
    [
      'with a garbage signature',
      () => ({ 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)), 'x-slack-signature': 'v0=zz' }),
    ],
  ])('%s: 401 and nothing queued', async (_what, headers) => {
    const body = mention('how many instances?');
    const r = await post(body, { headers: headers(body) });
    expect(r.statusCode).toBe(401);
    expect(await jobs()).toEqual([]);
  });

  it('a replayed valid request makes one job, however often it comes', async () => {
    const body = mention('replay me', { eventId: 'EvReplay' });
    const headers = signedHeaders(body);
    for (let i = 0; i < 5; i++) expect((await post(body, { headers })).statusCode).toBe(200);
    expect((await jobs()).map((j) => j.dedupeKey)).toEqual(['EvReplay']);
  });

  it('an oversized request is refused before anything else (413), even when signed', async () => {
    const body = mention('x'.repeat(600_000));
    const r = await post(body);
    expect(r.statusCode).toBe(413);
    expect(await jobs()).toEqual([]);
  });
});

describe('malformed but signed requests', () => {
  it('bad JSON: 400, nothing queued', async () => {
    const body = '{"type":"event_callback","event":';
    expect((await post(body)).statusCode).toBe(400);
    expect(await jobs()).toEqual([]);
  });

  it('an event callback with no event: acked, nothing queued', async () => {
    const body = JSON.stringify({ type: 'event_callback', team_id: TEAM_ID, event_id: 'EvEmpty' });
    expect((await post(body)).statusCode).toBe(200);
    expect(await jobs()).toEqual([]);
  });

  it('a broken form body does not crash the receiver', async () => {
    const body = 'team_id=T1&command=%2Faws-ask&text=%E0%A4%A&trigger_id=t%ZZ';
    const r = await post(body, { contentType: 'application/x-www-form-urlencoded' });
    expect(r.statusCode).toBeLessThan(500);
  });

  it('an unknown command gets a clear, private answer and no job', async () => {
    const r = await post(command('hello', '/aws-other'), { contentType: 'application/x-www-form-urlencoded' });
    expect(r.statusCode).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringMatching(/only answer `\/aws-ask`/),
    });
    expect(await jobs()).toEqual([]);
  });
});

describe('questions people really type', () => {
  it('non-ASCII questions arrive intact, through both bodies', async () => {
    const q = 'Quelles instances tournent à Zürich ? 東京 🚀 — «test»';
    expect((await post(mention(q))).statusCode).toBe(200);
    expect(
      (await post(command(q), { contentType: 'application/x-www-form-urlencoded', base64: true })).statusCode,
    ).toBe(200);
    expect((await jobs()).map((j) => j.question)).toEqual([q, q]);
  });

  it('a question longer than the agent takes is told how long it may be, never sent to the agent', async () => {
    const long = 'why '.repeat(3_000).trim();
    // a command: in the ack itself, nothing queued
    const r = await post(command(long), { contentType: 'application/x-www-form-urlencoded' });
    expect(JSON.parse(r.body)).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringMatching(
        new RegExp(`${long.length.toLocaleString('en-US')} characters.*${MAX_PROMPT_CHARS.toLocaleString('en-US')}`),
      ),
    });
    expect(await jobs()).toEqual([]);
    // a mention: queued like any other (the receiver makes no Slack call), and the answerer replies
    const ts = '1850000999.000100';
    expect((await post(mention(long, { ts }))).statusCode).toBe(200);
    const [job] = await jobs();
    const agent = {
      invoke: () => {
        throw new Error('the agent must not be asked');
      },
    };
    const result = await runJob(job!, {
      client: new WebClient(BOT_TOKEN, { slackApiUrl: slack.apiUrl }),
      agent,
      logger: silentLogger,
    });
    expect(result).toMatchObject({ outcome: 'too_long' });
    const reply = slack.callsTo('chat.postMessage').find((c) => c.args.thread_ts === ts)!;
    expect(String(reply.args.text)).toMatch(/is 11,999 characters; I can take up to 8,000/);
  });
});

describe('people of another organisation (Slack Connect) at the receiver', () => {
  const connectMention = (text: string, o: Origin & { user?: string } = {}) =>
    mentionBody({ eventId: `EvConnect${++n}`, text, ts: `${1_860_000_000 + ++n}.000100`, channel: 'C0SHARED', ...o });

  it('a mention by someone of another workspace: refused privately, nothing queued', async () => {
    const before = slack.ephemerals.length;
    const body = connectMention('list our IAM users', { userTeam: PARTNER_TEAM_ID, user: 'U0EVE', shared: true });
    expect((await post(body)).statusCode).toBe(200);
    expect(await jobs()).toEqual([]);
    const [refusal] = slack.ephemerals.slice(before);
    expect(refusal).toMatchObject({ channel: 'C0SHARED', user: 'U0EVE' });
    expect(refusal!.text).toContain(`adding ${PARTNER_TEAM_ID} to ALLOWED_TEAM_IDS`);
  });

  it('the command from another workspace: refused in the ack, nothing queued', async () => {
    const body = commandBody({
      text: 'list our IAM users',
      responseUrl: `${slack.url}/respond/${++n}`,
      triggerId: `trig.connect.${++n}`,
      user: 'U0EVE',
      userTeam: PARTNER_TEAM_ID,
    });
    const r = await post(body, { contentType: 'application/x-www-form-urlencoded' });
    expect(JSON.parse(r.body)).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringMatching(/only answers people of the workspace it is installed in/),
    });
    expect(await jobs()).toEqual([]);
  });

  it('someone of this workspace in a channel the other organisation shares: queued for this workspace', async () => {
    const body = connectMention('what runs?', { shared: true, hostTeam: PARTNER_TEAM_ID });
    expect(JSON.parse(body)).toMatchObject({ team_id: PARTNER_TEAM_ID, is_ext_shared_channel: true });
    expect((await post(body)).statusCode).toBe(200);
    const [job] = await jobs();
    expect(job).toMatchObject({ teamId: TEAM_ID, userId: 'U0ALICE', channelId: 'C0SHARED' });
    expect(job!.userTeamId).toBeUndefined();
  });

  it('a shared channel whose event does not say the author workspace: refused, nothing queued', async () => {
    const before = slack.ephemerals.length;
    const body = connectMention('what runs?', { shared: true, omitAuthorTeam: true });
    expect((await post(body)).statusCode).toBe(200);
    expect(await jobs()).toEqual([]);
    expect(slack.ephemerals.slice(before)[0]!.text).toMatch(/Slack did not say which workspace/);
  });
});
