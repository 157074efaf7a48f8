/** SQS in tests: a received message as Lambda's event source hands it on, and emptying a queue. */
import { DeleteMessageCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';

/** A message received from SQS, as Lambda's SQS event source hands it to a handler. */
export function sqsRecord(m: Message, region = 'us-east-1', queue = 'aws-ask-jobs.fifo'): SQSRecord {
  return {
    messageId: m.MessageId!,
    receiptHandle: m.ReceiptHandle!,
    body: m.Body!,
    attributes: m.Attributes as unknown as SQSRecord['attributes'],
    messageAttributes: {},
    md5OfBody: m.MD5OfBody!,
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${region}:123456789012:${queue}`,
    awsRegion: region,
  };
}

/** Receives and deletes every message now on a queue; returns their bodies (PurgeQueue is allowed once a minute). */
export async function drainQueue(sqs: SQSClient, queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const r = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
    );
    if (!r.Messages?.length) return bodies;
    for (const m of r.Messages) {
      bodies.push(m.Body ?? '');
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
  }
}

/**
 * Takes up to `max` messages as Lambda's SQS poller does (every attribute, the receive count among
 * them); `visibilityTimeout`/`waitSeconds` when the test needs them.
 */
export async function receiveJobs(
  sqs: SQSClient,
  queueUrl: string,
  o: { max?: number; visibilityTimeout?: number; waitSeconds?: number } = {},
): Promise<Message[]> {
  const r = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: o.max ?? 1,
      AttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
      ...(o.visibilityTimeout !== undefined ? { VisibilityTimeout: o.visibilityTimeout } : {}),
      ...(o.waitSeconds !== undefined ? { WaitTimeSeconds: o.waitSeconds } : {}),
    }),
  );
  return r.Messages ?? [];
}
