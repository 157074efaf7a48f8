/** SDK clients shared between calls, one per service, region and credentials, least recently used dropped. */
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { SdkModule, ServiceInfo } from '../../common/aws-services.ts';

export interface CallCredentials {
  /** Cache key: calls with the same key share SDK clients. */
  readonly key: string;
  /** undefined: the SDK's default chain. */
  readonly provider?: AwsCredentialIdentityProvider;
}

/** What the tool needs of an SDK v3 client. */
export interface SdkClient {
  send(command: unknown): Promise<Record<string, unknown>>;
  destroy(): void;
}

/** An LRU of SDK clients; clients pushed out, and all on close(), are destroyed (sockets released). */
export class ClientCache {
  private readonly clients = new Map<string, SdkClient>();
  private readonly maxClients: number;

  constructor(maxClients = 64) {
    this.maxClients = maxClients;
  }

  /** The cached client for this service, region and credentials, or a new one. */
  get(service: ServiceInfo, mod: SdkModule, region: string, creds: CallCredentials): SdkClient {
    const key = `${service.name}|${region}|${creds.key}`;
    const cached = this.clients.get(key);
    if (cached) {
      // keep most recently used last
      this.clients.delete(key);
      this.clients.set(key, cached);
      return cached;
    }
    const Client = mod[service.clientClass] as new (config: Record<string, unknown>) => SdkClient;
    const client = new Client({
      region,
      ...(creds.provider ? { credentials: creds.provider } : {}),
      maxAttempts: 3,
      customUserAgent: 'aws-ask',
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
      ...(service.name === 's3' ? { followRegionRedirects: true } : {}),
    });
    this.clients.set(key, client);
    while (this.clients.size > this.maxClients) {
      const [oldestKey, oldest] = this.clients.entries().next().value as [string, SdkClient];
      this.clients.delete(oldestKey);
      oldest.destroy();
    }
    return client;
  }

  /** Releases every cached client's sockets. */
  close(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
  }
}
