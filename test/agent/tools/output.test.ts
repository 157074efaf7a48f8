import { describe, expect, it } from 'vitest';
import { countItems, fitToBudget, type Plain, toPlain } from '../../../agent/tools/output.ts';
import { redact } from '../../../agent/tools/redact.ts';
import { ENV_HIDDEN, REDACTED } from '../../../agent/tools/redact-marks.ts';

describe('toPlain', () => {
  it('drops SDK metadata, writes dates as ISO, decodes small text bytes and summarises binary', () => {
    const out = toPlain({
      $metadata: { httpStatusCode: 200, requestId: 'r' },
      When: new Date('2026-01-02T03:04:05Z'),
      Text: new TextEncoder().encode('{"a":1}'),
      Bin: new Uint8Array([0, 1, 2, 255, 254]),
      Missing: undefined,
      Nested: [{ At: new Date(0) }],
      Big: 10n,
    });
    expect(out).toEqual({
      When: '2026-01-02T03:04:05.000Z',
      Text: '{"a":1}',
      Bin: '[5 bytes of binary data omitted]',
      Nested: [{ At: '1970-01-01T00:00:00.000Z' }],
      Big: '10',
    });
  });
});

describe('redact', () => {
  it('redacts values of secret keys at any depth, case-insensitively', () => {
    const { value, tally } = redact({
      Credentials: { AccessKeyId: 'ASIAXXXX', SecretAccessKey: 'abc', SessionToken: 'tok' },
      DBInstances: [{ MasterUserPassword: 'hunter2', MasterUsername: 'admin' }],
      Reservations: [{ Instances: [{ UserData: 'IyEvYmluL2Jhc2g=' }] }],
      NextToken: 'page-2',
    });
    expect(value).toEqual({
      Credentials: REDACTED,
      DBInstances: [{ MasterUserPassword: REDACTED, MasterUsername: 'admin' }],
      Reservations: [{ Instances: [{ UserData: REDACTED }] }],
      NextToken: 'page-2',
    });
    expect(tally).toEqual({ secrets: 3, envValues: 0 });
  });

  it('hides every environment variable value of Lambda and ECS by default, keeping the names', () => {
    const { value, tally } = redact({
      Functions: [{ Environment: { Variables: { DB_PASSWORD: 'p', STRIPE_API_KEY: 'k', LOG_LEVEL: 'debug' } } }],
      containerDefinitions: [
        {
          environment: [
            { name: 'AUTH_TOKEN', value: 't' },
            { name: 'REGION', value: 'eu-west-1' },
          ],
        },
      ],
    });
    expect(value).toEqual({
      Functions: [
        { Environment: { Variables: { DB_PASSWORD: ENV_HIDDEN, STRIPE_API_KEY: ENV_HIDDEN, LOG_LEVEL: ENV_HIDDEN } } },
      ],
      containerDefinitions: [
        {
          environment: [
            { name: 'AUTH_TOKEN', value: ENV_HIDDEN },
            { name: 'REGION', value: ENV_HIDDEN },
          ],
        },
      ],
    });
    expect(tally).toEqual({ secrets: 0, envValues: 5 });
  });

  it('redacts secrets inside strings: private keys, presigned URLs, tokens, connection strings, key=value', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----';
    const { value, tally } = redact({
      Pem: `key: ${pem}`,
      Url: 'https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA%2F&X-Amz-Signature=deadbeef&x=1',
      Slack: 'xoxb-123456789012-abcdefghijkl',
      DatabaseUrl: 'postgres://app:s3cretpw@db.internal:5432/app',
      Cmd: 'export password=CorrectHorse1 && run',
      Plain: 'nothing secret here',
    });
    const v = value as Record<string, string>;
    expect(v.Pem).toBe(`key: ${REDACTED}`);
    expect(v.Url).toBe(`https://b.s3.amazonaws.com/k?X-Amz-Credential=${REDACTED}&X-Amz-Signature=${REDACTED}&x=1`);
    expect(v.Slack).toBe(REDACTED);
    expect(v.DatabaseUrl).toBe(`postgres://app:${REDACTED}@db.internal:5432/app`);
    expect(v.Cmd).toBe(`export password=${REDACTED} && run`);
    expect(v.Plain).toBe('nothing secret here');
    expect(tally.secrets).toBe(6);
  });
});

describe('fitToBudget', () => {
  const instances = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      InstanceId: `i-${String(i).padStart(17, '0')}`,
      State: { Name: 'running' },
    }));

  it('leaves a result within budget untouched', () => {
    const v = { Buckets: [{ Name: 'a' }] };
    expect(fitToBudget(v, 1000)).toEqual({ value: v, cuts: [], bytes: JSON.stringify(v).length });
  });

  it('keeps the first items of the largest array and says how many of how many', () => {
    const v: Plain = { Things: instances(500), Owner: { ID: 'x' } };
    const { value, cuts, bytes } = fitToBudget(v, 4_000);
    expect(bytes).toBeLessThanOrEqual(4_000);
    const kept = (value as { Things: Plain[] }).Things;
    expect(kept.length).toBeGreaterThan(10);
    expect(kept[0]).toEqual(instances(1)[0]);
    expect((value as { Owner: Plain }).Owner).toEqual({ ID: 'x' });
    expect(cuts).toEqual([{ path: 'Things', kept: kept.length, total: 500, unit: 'items' }]);
  });

  it('cuts inside a single large item (one reservation with many instances) rather than dropping it', () => {
    const v: Plain = { Reservations: [{ ReservationId: 'r-1', Instances: instances(300) }] };
    const { value, cuts, bytes } = fitToBudget(v, 3_000);
    expect(bytes).toBeLessThanOrEqual(3_000);
    const res = (value as { Reservations: { ReservationId: string; Instances: Plain[] }[] }).Reservations;
    expect(res).toHaveLength(1);
    expect(res[0]!.ReservationId).toBe('r-1');
    expect(res[0]!.Instances.length).toBeGreaterThan(5);
    expect(cuts).toEqual([
      { path: 'Reservations[0].Instances', kept: res[0]!.Instances.length, total: 300, unit: 'items' },
    ]);
  });

  it('fills the budget: whole small items first, then part of the next big one', () => {
    const v: Plain = {
      Reservations: [
        { ReservationId: 'r-small', Instances: instances(2) },
        { ReservationId: 'r-big', Instances: instances(500) },
        { ReservationId: 'r-big2', Instances: instances(500) },
      ],
    };
    const { value, cuts, bytes } = fitToBudget(v, 4_000);
    expect(bytes).toBeLessThanOrEqual(4_000);
    expect(bytes).toBeGreaterThan(3_000);
    const res = (value as { Reservations: { ReservationId: string; Instances: Plain[] }[] }).Reservations;
    expect(res.map((r) => r.ReservationId)).toEqual(['r-small', 'r-big']);
    expect(res[1]!.Instances.length).toBeGreaterThan(10);
    expect(cuts).toEqual([
      { path: 'Reservations', kept: 2, total: 3, unit: 'items' },
      { path: 'Reservations[1].Instances', kept: res[1]!.Instances.length, total: 500, unit: 'items' },
    ]);
  });

  it('keeps single records whole: no record is shown with its nested lists cut away', () => {
    const record = (i: number) => ({
      InstanceId: `i-${i}`,
      NetworkInterfaces: [{ Id: `eni-${i}`, Ips: ['10.0.0.1'] }],
      Tags: [{ Key: 'Name', Value: `n-${i}`.padEnd(200, '.') }],
    });
    const { value, cuts } = fitToBudget({ Instances: Array.from({ length: 50 }, (_, i) => record(i)) }, 3_000);
    expect(cuts.map((c) => c.path)).toEqual(['Instances']);
    for (const r of (value as { Instances: ReturnType<typeof record>[] }).Instances)
      expect(r.NetworkInterfaces).toHaveLength(1);
  });

  it('cuts an over-long string when there is no array to cut', () => {
    const { value, cuts, bytes } = fitToBudget({ PolicyDocument: 'x'.repeat(50_000) }, 2_000);
    expect(bytes).toBeLessThanOrEqual(2_000);
    expect((value as { PolicyDocument: string }).PolicyDocument.endsWith('…[cut]')).toBe(true);
    expect(cuts[0]).toMatchObject({ path: 'PolicyDocument', total: 50_000, unit: 'characters' });
  });

  it('counts the items a page lists', () => {
    expect(countItems({ Buckets: [1, 2, 3], Owner: {} })).toBe(3);
    expect(countItems({ Account: '1' })).toBe(0);
  });
});

describe('compaction', () => {
  it('drops empty nested values but keeps an empty top-level list, which is the answer', () => {
    expect(toPlain({ Reservations: [] })).toEqual({ Reservations: [] });
    expect(toPlain({ Reservations: [{ Groups: [], Reason: '', Tags: {}, Id: 'r-1' }] })).toEqual({
      Reservations: [{ Id: 'r-1' }],
    });
  });
});
