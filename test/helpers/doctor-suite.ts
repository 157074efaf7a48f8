/**
 * A doctor test file's world: the stand-ins started before its tests, the environment the doctor and
 * the receiver behind the Function URL both read set from it, and the environment restored after.
 */
import { afterAll, beforeAll, inject } from 'vitest';
import { receiverHandler } from '../../bot/lambda/receiver.ts';
import { type DoctorWorld, type DoctorWorldOptions, startDoctorWorld } from '../services/doctor-world.ts';

export function useDoctorWorld(options: DoctorWorldOptions, started: (world: DoctorWorld) => void): void {
  const saved = { ...process.env };
  let world: DoctorWorld | undefined;
  beforeAll(async () => {
    world = await startDoctorWorld(inject('motoUrl'), options, receiverHandler);
    Object.assign(process.env, world.env, {
      SLACK_SECRET_ID: world.secretArn,
      QUEUE_URL: 'unused-by-url-verification',
    });
    started(world);
  });
  afterAll(async () => {
    await world?.close();
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });
}
