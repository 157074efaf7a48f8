/**
 * The session store: with a bucket, each session's conversation is saved to S3 after every
 * invocation, so a thread continues after the process (the AgentCore microVM) is gone.
 */
import { createHash } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { SessionManager } from '@strands-agents/sdk';
import { S3Storage } from '@strands-agents/sdk/session/s3-storage';

export interface SessionStoreSettings {
  readonly bucket: string;
  readonly prefix?: string;
  readonly region?: string;
  readonly s3Client?: S3Client;
}

/** Strands session ids must match ^[a-z0-9_-]+$: the runtime session id, hashed. */
export const storageSessionId = (runtimeSessionId: string): string =>
  createHash('sha256').update(runtimeSessionId).digest('hex');

export class SessionStore {
  private readonly settings: SessionStoreSettings;
  private readonly s3: S3Client;

  /** `defaultRegion`: the bucket's region unless the settings name one. */
  constructor(settings: SessionStoreSettings, defaultRegion: string) {
    this.settings = settings;
    this.s3 = settings.s3Client ?? new S3Client({ region: settings.region ?? defaultRegion });
  }

  /** The session manager that loads and saves one runtime session's conversation. */
  managerFor(runtimeSessionId: string): SessionManager {
    const { bucket } = this.settings;
    // S3Storage puts its own `/` after the prefix: `sessions/` would make keys `sessions//<id>/…`
    const prefix = this.settings.prefix?.replace(/\/+$/, '');
    return new SessionManager({
      sessionId: storageSessionId(runtimeSessionId),
      storage: { snapshot: new S3Storage({ bucket, ...(prefix ? { prefix } : {}), s3Client: this.s3 }) },
      saveLatestOn: 'invocation',
    });
  }
}
