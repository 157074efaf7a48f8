/** A message received from SQS, as Lambda's SQS event source hands it to a handler. */
import type { Message } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';

export function sqsRecord(m: Message, region = 'us-east-1', queue = 'aws-ask-jobs.fifo'): SQSRecord {
  return {
    messageId: m.MessageId!, receiptHandle: m.ReceiptHandle!, body: m.Body!, attributes: m.Attributes as unknown as SQSRecord['attributes'],
    messageAttributes: {}, md5OfBody: m.MD5OfBody!, eventSource: 'aws:sqs', eventSourceARN: `arn:aws:sqs:${region}:123456789012:${queue}`, awsRegion: region,
  };
}
