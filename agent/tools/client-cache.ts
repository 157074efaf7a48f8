/** SDK clients shared between calls, one per service, region and credentials, least recently used dropped. */
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { SdkModule, ServiceInfo } from '../../common/aws-services.ts';
import { ROUTES_BY_ARN_REGION } from './arn-regions.ts';

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

/**
 * Client options that keep a call in the region it names: the S3 client neither follows a bucket's
 * redirect to another region nor sends a request to an ARN's region (`useArnRegion`, whose default
 * comes from AWS_S3_USE_ARN_REGION or the config file and otherwise follows the ARN) nor to a
 * multi-Region access point. A bucket elsewhere comes back as an error naming its region
 * (explain-error.ts), and ARNs are checked before the call (arn-regions.ts).
 */
export function regionPinning(service: string): Record<string, boolean> {
  if (service === 's3') {
    return { followRegionRedirects: false, useArnRegion: false, disableMultiregionAccessPoints: true };
  }
  return ROUTES_BY_ARN_REGION.has(service) ? { useArnRegion: false } : {};
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
      ...regionPinning(service.name),
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
