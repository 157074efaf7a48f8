/** A short id, shown to the user with an error and logged with it, to connect the two. */
import { randomBytes } from 'node:crypto';

export const newRef = (): string => randomBytes(4).toString('hex');
