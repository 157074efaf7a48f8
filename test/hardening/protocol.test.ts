/**
 * Hostile payloads at the agent's runtime server: huge prompts, deep JSON, wrong types, path and
 * header tricks. Each gets a 4xx JSON error (never a 5xx, never a hang), the model is never called,
 * and the server keeps serving.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SESSION_HEADER } from '../../common/protocol.ts';
import { type Harness, invokeJson, sessionId, startHarness } from '../helpers/agent-harness.ts';
import { seedRoles } from '../helpers/seed.ts';
import { ScriptedModel } from '../services/scripted-model.ts';

let h: Harness;
const port = () => new URL(h.url).port;

/** A raw HTTP request, for what fetch will not send. */
function raw(
  path: string,
  headers: Record<string, string | string[]>,
  body: string | Buffer,
  method = 'POST',
): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: port(), path, method, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

beforeAll(async () => {
  const [role] = (await seedRoles(inject('motoUrl'), '/', ['aws-ask-tool-hostile'])) as [string];
  h = await startHarness({
    region: 'eu-central-2',
    toolRoleArn: role,
    model: () => new ScriptedModel([], () => ({ text: 'fine' })),
  });
});

afterAll(async () => {
  await h.close();
});

const ok = { 'content-type': 'application/json', [SESSION_HEADER]: sessionId('hostile') };

describe('hostile bodies', () => {
  it.each([
    ['a 10 MB body', () => JSON.stringify({ prompt: 'x'.repeat(10_000_000) }), 413],
    ['deeply nested JSON', () => `{"prompt":"hi","asker":${'['.repeat(40_000)}${']'.repeat(40_000)}}`, 413],
    [
      'nested JSON under the size limit',
      () => `{"prompt":"hi","asker":${'['.repeat(20_000)}${']'.repeat(20_000)}}`,
      400,
    ],
    ['a prompt that is an object', () => JSON.stringify({ prompt: { text: 'hi' } }), 400],
    ['a prompt that is an array', () => JSON.stringify({ prompt: ['hi'] }), 400],
    ['an asker that is a string', () => JSON.stringify({ prompt: 'hi', asker: 'U1' }), 400],
    ['an asker with a number', () => JSON.stringify({ prompt: 'hi', asker: { userId: 42 } }), 400],
    [
      'an asker with extra fields',
      () => JSON.stringify({ prompt: 'hi', asker: { userId: 'U1', roleArn: 'arn:aws:iam::1:role/admin' } }),
      400,
    ],
    ['a prototype-pollution attempt', () => '{"prompt":"hi","__proto__":{"admin":true}}', 400],
    ['null', () => 'null', 400],
    ['a bare string', () => '"hi"', 400],
    [
      'invalid UTF-8',
      () => Buffer.from([0x7b, 0x22, 0x70, 0x72, 0x6f, 0x6d, 0x70, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
      400,
    ],
  ])('%s → %i JSON error, no model call', async (_what, body, status) => {
    const before = h.models.length;
    const r = await raw('/invocations', ok, body());
    expect(r.status).toBe(status);
    expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'bad_request', message: expect.any(String) } });
    expect(h.models.length).toBe(before);
    expect({} as Record<string, unknown>).not.toHaveProperty('admin');
  });
});

describe('path and header tricks', () => {
  it.each([
    ['/invocations/../ping'],
    ['/Invocations'],
    ['//invocations'],
    ['/invocations%2F..%2Fping'],
    ['/ping/../invocations/x'],
  ])('%s does not reach an invocation', async (path) => {
    const before = h.models.length;
    const r = await raw(path, ok, JSON.stringify({ prompt: 'hi' }));
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(h.models.length).toBe(before);
  });

  it('a query string on /invocations is ignored, not an error', async () => {
    const r = await raw('/invocations?qualifier=DEFAULT', ok, JSON.stringify({ prompt: 'hi' }));
    expect(r.status).toBe(200);
  });

  it.each([
    ['two session headers', { [SESSION_HEADER]: [sessionId('a'), sessionId('b')] }],
    ['a session id with spaces', { [SESSION_HEADER]: `${sessionId('x')} extra` }],
    ['a session id with non-ASCII', { [SESSION_HEADER]: `${sessionId('x')}é` }],
    ['a session id of 300 characters', { [SESSION_HEADER]: 'a'.repeat(300) }],
  ])('%s → 400', async (_what, headers) => {
    const r = await raw(
      '/invocations',
      { 'content-type': 'application/json', ...headers },
      JSON.stringify({ prompt: 'hi' }),
    );
    expect(r.status).toBe(400);
  });

  it('a chunked body over the limit is cut off with 413', async () => {
    const r = await raw('/invocations', { ...ok, 'transfer-encoding': 'chunked' }, Buffer.alloc(200_000, 0x61));
    expect(r.status).toBe(413);
  });

  it('still serves a proper request afterwards', async () => {
    const r = await invokeJson(h.url, sessionId('after'), { prompt: 'still there?' });
    expect(r).toMatchObject({ status: 200, body: { answer: 'fine' } });
    expect(await (await fetch(`${h.url}/ping`)).json()).toMatchObject({ status: 'Healthy' });
  });
});
