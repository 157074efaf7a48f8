/**
 * The production entry points (Node 22 Lambda, two-argument async handlers). Each is bundled from
 * its own file so the receiver carries none of the worker's code.
 */
export { receiverHandler } from './lambda/receiver.ts';
export { workerHandler } from './lambda/worker.ts';
