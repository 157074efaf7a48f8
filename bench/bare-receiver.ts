/**
 * The baseline for the receiver's figures: a bare Bolt AwsLambdaReceiver app that acks and sends one
 * SQS message (to a FIFO queue of its own, made the same way), the work that cannot be avoided. Bundled and
 * timed exactly like bot/lambda/receiver.ts.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { App, AwsLambdaReceiver } from '@slack/bolt';

const sqs = new SQSClient({});
const receiver = new AwsLambdaReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET ?? 'x' });
const app = new App({ receiver, authorize: async () => ({ botToken: process.env.SLACK_BOT_TOKEN ?? 'xoxb-x' }) });
const send = (key: string, body: unknown) =>
  sqs.send(
    new SendMessageCommand({
      QueueUrl: process.env.BARE_QUEUE_URL,
      MessageBody: JSON.stringify(body),
      MessageGroupId: key.slice(0, 64),
      MessageDeduplicationId: key.slice(0, 128),
    }),
  );

app.event('app_mention', async ({ event, body }) => {
  await send((body as { event_id: string }).event_id, event);
});
app.command('/aws-ask', async ({ command, ack }) => {
  await ack();
  await send(command.trigger_id, command);
});

export const handler = receiver.toHandler();
