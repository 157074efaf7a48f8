/**
 * A retried job whose thread is still busy with the attempt that died: the pipeline says nothing in
 * Slack and asks to be retried; a first attempt that meets a busy thread says so in the thread.
 */
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentClient } from '../../bot/agent-client.ts';
import type { AnswerJob } from '../../bot/job.ts';
import { runJob } from '../../bot/job.ts';
import { silentLogger } from '../../common/log.ts';
import type { AgentEvent } from '../../common/protocol.ts';
import { mentionJob } from '../helpers/slack-requests.ts';
import { BOT_TOKEN, FakeSlack } from '../services/fake-slack.ts';

let slack: FakeSlack;
const busy: AgentClient = {
  async *invoke(): AsyncGenerator<AgentEvent> {
    yield {
      type: 'error',
      code: 'busy',
      message:
        'I am still answering an earlier question in this thread. Ask again when that answer is done. (ref abcd1234)',
      ref: 'abcd1234',
    };
  },
};
const job = (ts: string): AnswerJob => mentionJob(ts);

beforeAll(async () => {
  slack = await FakeSlack.start();
});
afterAll(async () => slack.close());

describe('a busy thread', () => {
  it('on a retry: nothing is posted, and the job asks to be retried', async () => {
    const deps = { client: new WebClient(BOT_TOKEN, { slackApiUrl: slack.apiUrl }), agent: busy, logger: silentLogger };
    const result = await runJob(job('1880000000.000100'), deps, { retryIfBusy: true });
    expect(result).toMatchObject({ outcome: 'retry_later' });
    expect(slack.calls.filter((c) => c.method.startsWith('chat.'))).toEqual([]);
  });

  it('on a first attempt: the asker is told in the thread', async () => {
    const deps = { client: new WebClient(BOT_TOKEN, { slackApiUrl: slack.apiUrl }), agent: busy, logger: silentLogger };
    const result = await runJob(job('1880000001.000100'), deps);
    expect(result).toMatchObject({ outcome: 'busy' });
    const reply = slack.thread('C0OPS', '1880000001.000100').at(-1)!;
    expect(reply.text).toMatch(/:warning: I am still answering an earlier question in this thread/);
  });
});
