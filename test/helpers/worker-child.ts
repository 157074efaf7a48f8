/**
 * Runs the worker Lambda handler on one SQS record in a process of its own, so a test can kill it
 * mid-answer the way a crashed Lambda dies. The record comes in WORKER_RECORD; the remaining time
 * Lambda would report, in WORKER_REMAINING_MS.
 */
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { workerHandler } from '../../bot/lambda.ts';

const record = JSON.parse(process.env.WORKER_RECORD ?? '{}') as SQSRecord;
const remaining = Number(process.env.WORKER_REMAINING_MS ?? '300000');
const started = Date.now();
const context = {
  functionName: 'worker-child',
  awsRequestId: 'child',
  getRemainingTimeInMillis: () => remaining - (Date.now() - started),
} as unknown as Context;
const result = await workerHandler({ Records: [record] } as SQSEvent, context);
process.stdout.write(`${JSON.stringify(result)}\n`);
