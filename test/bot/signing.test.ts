import { verifySlackRequest } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { SIGNING_SECRET, signedHeaders } from '../services/fake-slack.ts';

describe("the fake Slack's request signing", () => {
  const body = 'token=x&team_id=T1&command=%2Faws-ask&text=hello';

  it('produces signatures Bolt accepts', () => {
    const headers = signedHeaders(body);
    expect(() =>
      verifySlackRequest({
        signingSecret: SIGNING_SECRET,
        body,
        headers: {
          'x-slack-signature': headers['x-slack-signature']!,
          'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']),
        },
      }),
    ).not.toThrow();
  });

  it('and ones Bolt rejects: wrong secret, stale timestamp', () => {
    const forged = signedHeaders(body, { secret: 'not-the-secret' });
    expect(() =>
      verifySlackRequest({
        signingSecret: SIGNING_SECRET,
        body,
        headers: {
          'x-slack-signature': forged['x-slack-signature']!,
          'x-slack-request-timestamp': Number(forged['x-slack-request-timestamp']),
        },
      }),
    ).toThrow();
    const stale = signedHeaders(body, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(() =>
      verifySlackRequest({
        signingSecret: SIGNING_SECRET,
        body,
        headers: {
          'x-slack-signature': stale['x-slack-signature']!,
          'x-slack-request-timestamp': Number(stale['x-slack-request-timestamp']),
        },
      }),
    ).toThrow();
  });
});
