/**
 * The region allowlist holds against ARNs: the walker (agent/tools/arn-regions.ts), refusals through
 * the real tool on moto with nothing sent, an allowed access point ARN that does reach moto, the S3
 * client's pinned options, and a bucket in another region explained rather than followed.
 */
import dns from 'node:dns';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { FunctionTool } from '@strands-agents/sdk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PinnedCredentials } from '../../../agent/credentials.ts';
import { checkArnRegions, findArns, parseArn } from '../../../agent/tools/arn-regions.ts';
import { AwsCaller, type AwsCallRecord } from '../../../agent/tools/aws-caller.ts';
import { ClientCache, regionPinning } from '../../../agent/tools/client-cache.ts';
import { createControlledUseAws } from '../../../agent/tools/controlled-use-aws.ts';
import { DEFAULT_SETTINGS } from '../../../agent/tools/settings.ts';
import { findService } from '../../../common/aws-services.ts';
import { motoConfig } from '../../helpers/aws.ts';
import { ACCOUNT, seedRoles } from '../../helpers/seed.ts';
import { roleMode } from '../../helpers/tool-role.ts';
import { runTool } from '../../helpers/tools.ts';
import { type RecordingProxy, startRecordingProxy } from '../../services/recording-proxy.ts';

const REGION = 'eu-west-3';
const ALLOWED = ['eu-west-3', 'eu-west-1'];
const AP_NAME = 'arn-regions-ap';
const AP_BUCKET = 'arn-regions-ap-bucket';
const apArn = (region: string, name = AP_NAME) => `arn:aws:s3:${region}:${ACCOUNT}:accesspoint/${name}`;
const MRAP_ARN = `arn:aws:s3::${ACCOUNT}:accesspoint/mfzwi23gnjvgw.mrap`;

/** A pattern matching the literal `parts` in this order, anything between them. */
const says = (...parts: string[]) => new RegExp(parts.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('.*'));

let moto: string;
let proxy: RecordingProxy;
let toolRoleArn: string;

/** Sets environment variables for the span of `fn`, then puts the old values back. */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/**
 * `*.localhost` resolves to 127.0.0.1 for the span of `fn`: an access point ARN's endpoint is
 * `<name>-<account>.<endpoint host>`, which has to reach the recording proxy.
 */
async function withLocalhostSubdomains<T>(fn: () => Promise<T>): Promise<T> {
  const mutable = dns as unknown as { lookup: (host: string, ...rest: unknown[]) => void };
  const real = mutable.lookup;
  mutable.lookup = (host, ...rest) => real(/(^|\.)localhost$/i.test(host) ? '127.0.0.1' : host, ...rest);
  try {
    return await fn();
  } finally {
    mutable.lookup = real;
  }
}

/** A bucket with one object in REGION and an access point on it (moto's S3 Control API, unsigned). */
async function seedAccessPoint(): Promise<void> {
  const s3 = new S3Client({ ...motoConfig(REGION, moto), forcePathStyle: true });
  await s3.send(
    new CreateBucketCommand({ Bucket: AP_BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }),
  );
  await s3.send(new PutObjectCommand({ Bucket: AP_BUCKET, Key: 'hello-from-the-access-point.txt', Body: 'hi' }));
  s3.destroy();
  const res = await fetch(`${moto}/v20180820/accesspoint/${AP_NAME}`, {
    method: 'PUT',
    headers: {
      'x-amz-account-id': ACCOUNT,
      // moto reads the account from the header and the region from the credential scope; it checks no signature
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20250101/${REGION}/s3/aws4_request, Signature=0`,
    },
    body:
      '<CreateAccessPointRequest xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/">' +
      `<Bucket>${AP_BUCKET}</Bucket></CreateAccessPointRequest>`,
  });
  expect(res.status, await res.text()).toBe(200);
}

function makeTool(allowedRegions?: string[], records?: AwsCallRecord[]): FunctionTool {
  const caller = new AwsCaller({
    ...DEFAULT_SETTINGS,
    defaultRegion: REGION,
    ...(allowedRegions ? { allowedRegions } : {}),
  });
  const mode = roleMode(toolRoleArn);
  const credentials = new PinnedCredentials(mode, { region: REGION });
  return createControlledUseAws({ credentials, caller, ...(records ? { onCall: (r) => records.push(r) } : {}) });
}

const input = (service_name: string, operation_name: string, parameters: unknown, region = REGION) => ({
  service_name,
  operation_name,
  parameters,
  region,
  label: `${service_name} ${operation_name}`,
});

beforeAll(async () => {
  moto = inject('motoUrl');
  [toolRoleArn] = (await seedRoles(moto, '/', ['aws-ask-tool-arn-regions'])) as [string];
  await seedAccessPoint();
  proxy = await startRecordingProxy(moto);
  process.env.AWS_ENDPOINT_URL = proxy.url;
});

afterAll(async () => {
  await proxy.close();
});

describe('finding ARNs in parameters', () => {
  it('reads an ARN as the SDK does, and a little more leniently', () => {
    expect(parseArn(apArn('eu-west-3'))).toEqual({
      service: 's3',
      region: 'eu-west-3',
      resource: `accesspoint/${AP_NAME}`,
    });
    expect(parseArn('arn:aws:s3-outposts:us-west-2:1:outpost/op-1/accesspoint/ap')).toMatchObject({
      service: 's3-outposts',
      region: 'us-west-2',
    });
    expect(parseArn(' ARN:aws:lambda:eu-west-1:1:function:f:live ')).toEqual({
      service: 'lambda',
      region: 'eu-west-1',
      resource: 'function:f:live',
    });
    expect(parseArn(MRAP_ARN)).toMatchObject({ service: 's3', region: '' });
    for (const notArn of [
      'my-bucket',
      'arn:aws:s3:eu-west-3:1',
      'arn::s3:eu-west-3:1:x',
      'arn:aws::r:1:x',
      'arnx:a:b:c:d:e',
    ]) {
      expect(parseArn(notArn), notArn).toBeUndefined();
    }
  });

  it('walks nested objects and arrays, naming where each ARN is; keys and other strings are not ARNs', () => {
    const found = findArns({
      Bucket: 'plain-bucket',
      Filters: [{ Name: 'arn', Values: ['x', apArn('eu-west-1')] }],
      Deep: { List: [[{ Arn: 'arn:aws:sns:us-east-2:1:topic' }]] },
      [apArn('ap-south-1')]: 'a key is not sent as a bucket',
      Count: 5,
      Nothing: null,
    });
    expect(found.map((f) => [f.path, f.region])).toEqual([
      ['Filters[0].Values[1]', 'eu-west-1'],
      ['Deep.List[0][0].Arn', 'us-east-2'],
    ]);
  });

  const cases: [string, string, string, unknown, string[] | undefined, RegExp | undefined][] = [
    ['an S3 ARN in the call region', 's3', REGION, { Bucket: apArn(REGION) }, ALLOWED, undefined],
    ['a bucket name', 's3', REGION, { Bucket: 'b' }, ALLOWED, undefined],
    [
      'an S3 ARN outside the allowlist',
      's3',
      REGION,
      { Bucket: apArn('us-east-1') },
      ALLOWED,
      /^RegionNotAllowed: Region us-east-1 is not one .*parameters\.Bucket is an ARN in us-east-1/,
    ],
    [
      'an S3 ARN in an allowed region other than the call’s',
      's3',
      REGION,
      { Bucket: apArn('eu-west-1') },
      ALLOWED,
      /^ArnRegionMismatch: .*call's region is eu-west-3; s3 would send the request to eu-west-1\. .*region "eu-west-1"/,
    ],
    [
      'an S3 ARN in another region, no allowlist',
      's3',
      REGION,
      { Bucket: apArn('us-east-1') },
      undefined,
      /^ArnRegionMismatch: .*call again with region "us-east-1"\.$/,
    ],
    [
      'a multi-Region access point with an allowlist',
      's3',
      REGION,
      { Bucket: MRAP_ARN },
      ALLOWED,
      /^RegionNotAllowed: parameters\.Bucket is an ARN of a multi-Region access point .*any region/,
    ],
    ['a multi-Region access point, no allowlist', 's3', REGION, { Bucket: MRAP_ARN }, undefined, undefined],
    ['a global ARN (IAM)', 'iam', REGION, { PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }, ALLOWED, undefined],
    [
      'a Lambda ARN in another allowed region (Lambda does not route by ARN)',
      'lambda',
      REGION,
      { FunctionName: 'arn:aws:lambda:eu-west-1:1:function:f' },
      ALLOWED,
      undefined,
    ],
    [
      'a nested ARN outside the allowlist, any service',
      'resourcegroupstaggingapi',
      REGION,
      { ResourceARNList: ['arn:aws:ec2:eu-west-3:1:instance/i-1', 'arn:aws:ec2:us-west-2:1:instance/i-2'] },
      ALLOWED,
      /^RegionNotAllowed: Region us-west-2 .*parameters\.ResourceARNList\[1\] is an ARN/,
    ],
    [
      'an odd spelling of an allowed region',
      'lambda',
      REGION,
      { FunctionName: 'arn:aws:lambda:EU-WEST-3:1:function:f' },
      ALLOWED,
      /^RegionNotAllowed: Region EU-WEST-3 /,
    ],
    // region names without an ARN (found by the security review of issue 10)
    [
      'a Config aggregator call with an allowlist (it reads every aggregated region)',
      'config',
      REGION,
      { ConfigurationAggregatorName: 'org', Expression: "SELECT resourceId WHERE awsRegion = 'eu-west-3'" },
      ALLOWED,
      /^RegionNotAllowed: An AWS Config aggregator reads every region .*No AWS call was made/,
    ],
    [
      'a Config aggregator call, no allowlist',
      'config',
      REGION,
      { ConfigurationAggregatorName: 'org', Expression: 'SELECT resourceId' },
      undefined,
      undefined,
    ],
    [
      'a region filter outside the allowlist (Security Hub Filters.Region)',
      'securityhub',
      REGION,
      { Filters: { Region: [{ Value: 'ap-east-1', Comparison: 'EQUALS' }] } },
      ALLOWED,
      /^RegionNotAllowed: Region ap-east-1 .*parameters\.Filters\.Region\[0\]\.Value names it/,
    ],
    [
      'a region in a query expression outside the allowlist',
      'config',
      REGION,
      { Expression: "SELECT resourceId WHERE awsRegion = 'ap-east-1'" },
      ALLOWED,
      /^RegionNotAllowed: Region ap-east-1 .*parameters\.Expression names it/,
    ],
    [
      'an allowed region in a filter',
      'securityhub',
      REGION,
      { Filters: { Region: [{ Value: 'eu-west-1', Comparison: 'EQUALS' }] } },
      ALLOWED,
      undefined,
    ],
  ];

  it.each(cases)('%s', (_what, service, region, parameters, allowed, refusal) => {
    const r = checkArnRegions(service, region, parameters, allowed);
    if (!refusal) expect(r).toBeUndefined();
    else expect(r && `${r.code}: ${r.text}`).toMatch(refusal);
  });
});

describe('through controlled_use_aws on moto', () => {
  const refused: [string, string, string, Record<string, unknown>, string[] | undefined, RegExp][] = [
    [
      'an access point ARN in a region off the allowlist',
      's3',
      'list_objects_v2',
      { Bucket: apArn('eu-central-1') },
      ALLOWED,
      says(
        'Region eu-central-1 is not one this bot may look at: parameters.Bucket is an ARN in eu-central-1 ',
        `(arn:aws:s3:eu-central-1:${ACCOUNT}:accesspoint/arn-regions-ap). Allowed regions: eu-west-3, eu-west-1. `,
        'No AWS call was made',
      ),
    ],
    [
      'an Object Lambda access point ARN off the allowlist',
      's3',
      'ListObjectsV2',
      { Bucket: `arn:aws:s3-object-lambda:us-east-1:${ACCOUNT}:accesspoint/olap` },
      ALLOWED,
      /Region us-east-1 is not one this bot may look at/,
    ],
    [
      'an Outposts access point ARN off the allowlist',
      's3',
      'list_objects_v2',
      { Bucket: `arn:aws:s3-outposts:us-west-2:${ACCOUNT}:outpost/op-01ac5d28a6a232904/accesspoint/ap` },
      ALLOWED,
      /Region us-west-2 is not one this bot may look at/,
    ],
    [
      'a multi-Region access point ARN',
      's3',
      'list_objects_v2',
      { Bucket: MRAP_ARN },
      ALLOWED,
      says(
        'multi-Region access point (',
        '), which S3 can route to any region; this bot may only look at eu-west-3, eu-west-1. No AWS call was made',
      ),
    ],
    [
      'an access point ARN in another region than the call, no allowlist',
      's3',
      'list_objects_v2',
      { Bucket: apArn('us-east-1') },
      undefined,
      says(
        "but the call's region is eu-west-3; s3 would send the request to us-east-1. ",
        'No AWS call was made; call again with region "us-east-1".',
      ),
    ],
    [
      'an ARN off the allowlist deep in another service’s parameters',
      'resourcegroupstaggingapi',
      'get_resources',
      { ResourceARNList: [`arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-1`, `arn:aws:ec2:sa-east-1:${ACCOUNT}:vpc/v`] },
      ALLOWED,
      /Region sa-east-1 is not one .*parameters\.ResourceARNList\[1\] is an ARN in sa-east-1/,
    ],
  ];

  it.each(refused)('refuses %s, sending nothing', async (_what, service, operation, parameters, allowed, message) => {
    const before = proxy.requests.length;
    const records: AwsCallRecord[] = [];
    const r = await runTool(makeTool(allowed, records), input(service, operation, parameters));
    expect(r.status).toBe('error');
    expect(r.text).toMatch(message);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ region: REGION, refused: true, ok: false, pages: 0 });
    expect(records[0]!.errorCode).toMatch(/^(RegionNotAllowed|ArnRegionMismatch)$/);
    expect(proxy.requests.length).toBe(before);
  });

  it('lets an access point ARN in the call’s allowed region through, to that region only', async () => {
    const records: AwsCallRecord[] = [];
    const before = proxy.requests.length;
    const port = new URL(proxy.url).port;
    // the SDK puts the access point in front of the endpoint's host; moto serves `*.s3-accesspoint.*` hosts
    const r = await withEnv({ AWS_ENDPOINT_URL_S3: `http://s3-accesspoint.localhost:${port}` }, () =>
      withLocalhostSubdomains(() =>
        runTool(makeTool(ALLOWED, records), input('s3', 'list_objects_v2', { Bucket: apArn(REGION) })),
      ),
    );
    expect(r.status, r.text).toBe('success');
    expect(r.text).toContain('hello-from-the-access-point.txt');
    expect(records[0]).toMatchObject({ ok: true, refused: false, region: REGION, operation: 'ListObjectsV2' });
    const sent = proxy.requests.slice(before).filter((q) => q.action !== 'AssumeRole');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.headers.host).toBe(`${AP_NAME}-${ACCOUNT}.s3-accesspoint.localhost:${port}`);
    expect(sent[0]!.headers.authorization).toContain(`/${REGION}/s3/aws4_request`);
  });
});

describe('the S3 client stays in its region', () => {
  it('does not follow redirects or ARN regions, whatever the environment says', async () => {
    const s3 = findService('s3')!;
    const mod = await s3.load();
    const cache = new ClientCache();
    try {
      const client = await withEnv(
        { AWS_S3_USE_ARN_REGION: 'true', AWS_S3_DISABLE_MULTIREGION_ACCESS_POINTS: 'false' },
        async () => cache.get(s3, mod, REGION, { key: 'env' }),
      );
      const config = (client as unknown as { config: Record<string, unknown> }).config;
      const resolved = async (k: string) => {
        const v = config[k];
        return typeof v === 'function' ? await (v as () => Promise<unknown>)() : v;
      };
      expect(await resolved('followRegionRedirects')).toBe(false);
      expect(await resolved('useArnRegion')).toBe(false);
      expect(await resolved('disableMultiregionAccessPoints')).toBe(true);
    } finally {
      cache.close();
    }
    expect(regionPinning('s3control')).toEqual({ useArnRegion: false });
    expect(regionPinning('ec2')).toEqual({});
  });

  it('refuses, on its own, to send an ARN to another region or a multi-Region access point', async () => {
    const s3 = findService('s3')!;
    const mod = await s3.load();
    const ListObjectsV2 = mod.ListObjectsV2Command as new (input: unknown) => unknown;
    const cache = new ClientCache();
    const before = proxy.requests.length;
    try {
      const client = cache.get(s3, mod, REGION, { key: 'env' });
      await expect(client.send(new ListObjectsV2({ Bucket: apArn('eu-west-1') }))).rejects.toThrow(
        /region from ARN `eu-west-1` does not match client region `eu-west-3` and UseArnRegion is `false`/,
      );
      await expect(client.send(new ListObjectsV2({ Bucket: MRAP_ARN }))).rejects.toThrow(
        /Multi-Region Access Point ARNs are disabled/,
      );
    } finally {
      cache.close();
    }
    expect(proxy.requests.length).toBe(before);
  });
});

interface S3Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** Answers every request as S3 answers for a bucket in another region; records each request's signing region. */
async function startOtherRegionS3(answer: S3Answer) {
  const seen: { method: string; scope: string }[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const scope = /Credential=[^/]+\/\d+\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '';
      seen.push({ method: req.method ?? '', scope });
      res.writeHead(answer.status, { 'content-type': 'application/xml', ...answer.headers });
      res.end(req.method === 'HEAD' ? undefined : answer.body);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

const xmlError = (fields: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${fields}<RequestId>R</RequestId></Error>`;
const PERMANENT_REDIRECT = xmlError(
  '<Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the ' +
    'specified endpoint. Please send all future requests to this endpoint.</Message>' +
    '<Endpoint>paris-bucket.s3.eu-west-3.amazonaws.com</Endpoint><Bucket>paris-bucket</Bucket>',
);
const HEADER_MALFORMED = xmlError(
  "<Code>AuthorizationHeaderMalformed</Code><Message>The authorization header is malformed; the region 'eu-west-1' " +
    "is wrong; expecting 'eu-west-3'</Message><Region>eu-west-3</Region>",
);

// moto (5.2.5) answers a bucket of another region with 200 wherever it is asked, so a stand-in answers as S3 does
describe('a bucket in another region is explained, not followed', () => {
  const cases: [string, string, string, S3Answer, RegExp][] = [
    [
      'ListObjectsV2 at us-east-1: 301 PermanentRedirect',
      'us-east-1',
      'list_objects_v2',
      { status: 301, headers: { 'x-amz-bucket-region': 'eu-west-3' }, body: PERMANENT_REDIRECT },
      says(
        'WrongRegion: s3:ListObjectsV2 in us-east-1 was not answered: ',
        'Bucket paris-bucket is in eu-west-3, not us-east-1 ',
        '(S3 answered PermanentRedirect; the bot does not follow redirects). Call again with region "eu-west-3".',
      ),
    ],
    [
      'PermanentRedirect naming only the endpoint',
      'us-east-1',
      'list_objects_v2',
      { status: 301, body: PERMANENT_REDIRECT },
      /Bucket paris-bucket is in eu-west-3, not us-east-1 .*Call again with region "eu-west-3"\.$/,
    ],
    [
      'HeadBucket: a bare 301 with the region header',
      'us-east-1',
      'head_bucket',
      { status: 301, headers: { 'x-amz-bucket-region': 'eu-west-3' } },
      /The bucket is in eu-west-3, not us-east-1 \(S3 answered HTTP 301; .*Call again with region "eu-west-3"\.$/,
    ],
    [
      'a regional endpoint: 400 AuthorizationHeaderMalformed',
      'eu-west-1',
      'list_objects_v2',
      { status: 400, body: HEADER_MALFORMED },
      /The bucket is in eu-west-3, not eu-west-1 \(S3 answered AuthorizationHeaderMalformed; .*region "eu-west-3"\.$/,
    ],
    [
      'a 301 that names no region',
      'us-east-1',
      'head_bucket',
      { status: 301 },
      says(
        'The bucket is in another region than us-east-1 (S3 answered HTTP 301 and did not say which; ',
        'GetBucketLocation',
      ),
    ],
  ];

  it.each(cases)('%s', async (_what, region, operation, answer, message) => {
    const s3 = await startOtherRegionS3(answer);
    const caller = new AwsCaller({ ...DEFAULT_SETTINGS, defaultRegion: region });
    try {
      const out = await withEnv({ AWS_ENDPOINT_URL_S3: s3.url }, () =>
        caller.call(
          { service: 's3', operation, parameters: { Bucket: 'paris-bucket' }, region, label: 'x' },
          { key: 'env' },
        ),
      );
      expect(out.ok).toBe(false);
      expect(out.text).toMatch(message);
      expect(out.record).toMatchObject({ errorCode: 'WrongRegion', region, refused: false });
      // one request, signed for the call's region: nothing went on to the bucket's region
      expect(s3.seen).toEqual([{ method: operation === 'head_bucket' ? 'HEAD' : 'GET', scope: region }]);
    } finally {
      caller.close();
      await s3.close();
    }
  });

  it('other S3 errors are not taken for a region problem', async () => {
    const s3 = await startOtherRegionS3({
      status: 400,
      headers: { 'x-amz-bucket-region': 'us-east-1' },
      body: xmlError('<Code>InvalidArgument</Code><Message>bad</Message>'),
    });
    const caller = new AwsCaller({ ...DEFAULT_SETTINGS, defaultRegion: 'us-east-1' });
    try {
      const out = await withEnv({ AWS_ENDPOINT_URL_S3: s3.url }, () =>
        caller.call(
          { service: 's3', operation: 'ListObjectsV2', parameters: { Bucket: 'b' }, region: 'us-east-1', label: 'x' },
          { key: 'env' },
        ),
      );
      expect(out.record.errorCode).toBe('InvalidArgument');
      expect(out.text).not.toMatch(/WrongRegion|Call again with region/);
    } finally {
      caller.close();
      await s3.close();
    }
  });

  it('the retry in the bucket’s region is checked against the allowlist', async () => {
    const s3 = await startOtherRegionS3({
      status: 301,
      headers: { 'x-amz-bucket-region': 'eu-west-3' },
      body: PERMANENT_REDIRECT,
    });
    const caller = new AwsCaller({ ...DEFAULT_SETTINGS, defaultRegion: 'us-east-1', allowedRegions: ['us-east-1'] });
    const call = (region: string) =>
      caller.call(
        { service: 's3', operation: 'ListObjectsV2', parameters: { Bucket: 'paris-bucket' }, region, label: 'x' },
        { key: 'env' },
      );
    try {
      await withEnv({ AWS_ENDPOINT_URL_S3: s3.url }, async () => {
        const first = await call('us-east-1');
        const region = /Call again with region "([a-z0-9-]+)"/.exec(first.text)?.[1];
        expect(region).toBe('eu-west-3');
        const retry = await call(region!);
        expect(retry.text).toMatch(/Region eu-west-3 is not one this bot may look at\. Allowed regions: us-east-1\./);
        expect(retry.record).toMatchObject({ errorCode: 'RegionNotAllowed', refused: true });
      });
      expect(s3.seen).toHaveLength(1);
    } finally {
      caller.close();
      await s3.close();
    }
  });
});
