/**
 * A minimal loopback SQS (JSON protocol, SendMessage only) for the ack-latency figure, so both
 * receivers are timed on their own work and not on moto's FIFO bookkeeping, which slows as its queue
 * grows. It answers what the SDK checks: a message id and the MD5 of the body.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function startFastSqs(): Promise<{ url: string; sent: () => number; close: () => Promise<void> }> {
  let sent = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { MessageBody?: string };
      if (target !== 'AmazonSQS.SendMessage' || typeof body.MessageBody !== 'string') {
        res.writeHead(400, {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-query-error': 'InvalidAction;Sender',
        });
        res.end(JSON.stringify({ __type: 'com.amazonaws.sqs#InvalidAction', message: `unsupported ${target}` }));
        return;
      }
      sent++;
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(
        JSON.stringify({
          MessageId: randomUUID(),
          MD5OfMessageBody: createHash('md5').update(body.MessageBody).digest('hex'),
          SequenceNumber: String(sent).padStart(20, '0'),
        }),
      );
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent: () => sent,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}
