/** AWS SDK client settings for talking to moto directly (seeding, inspecting): one home for the test credentials. */

/** moto accepts any credentials; these are the ones every suite uses. */
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

/** Client config for moto at `endpoint` (omit it to go through AWS_ENDPOINT_URL) in `region`. */
export const motoConfig = (region: string, endpoint?: string) => ({
  region,
  credentials: MOTO_CREDENTIALS,
  ...(endpoint ? { endpoint } : {}),
});
