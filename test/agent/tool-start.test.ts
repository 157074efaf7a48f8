/**
 * A call's tool_start says where it runs as its tool_end will: the region, the default region, or for a
 * call in several regions (the tool's `regions`) how many and which.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { toolCallStart } from '../../agent/service/events.ts';
import type { AgentEvent } from '../../common/protocol.ts';
import { type Harness, invokeSse, sessionId, startHarness } from '../helpers/agent-harness.ts';
import { seedRoles } from '../helpers/seed.ts';
import { ScriptedModel } from '../services/scripted-model.ts';

const REGION = 'ap-southeast-2';
const OTHER = 'ap-northeast-1';
let h: Harness;

const inRegions = {
  name: 'controlled_use_aws',
  input: {
    service_name: 'ec2',
    operation_name: 'DescribeVpcs',
    parameters: {},
    regions: [REGION, OTHER],
    label: 'VPCs',
  },
};

beforeAll(async () => {
  const [role] = (await seedRoles(inject('motoUrl'), '/', ['aws-ask-tool-start'])) as [string];
  h = await startHarness({
    region: REGION,
    toolRoleArn: role,
    model: () => new ScriptedModel([{ tools: [inRegions] }, { text: 'Two regions looked at.' }]),
  });
});

afterAll(async () => {
  await h.close();
});

describe('tool_start', () => {
  it('names the regions of a call in several, as its tool_end does', async () => {
    const events = await invokeSse(h.url, sessionId('tool-start'), { prompt: 'which VPCs?' });
    const start = events.find((e) => e.type === 'tool_start') as Extract<AgentEvent, { type: 'tool_start' }>;
    const end = events.find((e) => e.type === 'tool_end') as Extract<AgentEvent, { type: 'tool_end' }>;
    expect(start).toMatchObject({ region: '2 regions', regions: [REGION, OTHER] });
    expect({ region: end.region, regions: end.regions }).toEqual({ region: start.region, regions: start.regions });
  });

  it('says the region given, "all regions", or the default region', () => {
    const input = (extra: Record<string, unknown>) => ({
      service_name: 'ec2',
      operation_name: 'DescribeVpcs',
      ...extra,
    });
    expect(toolCallStart('t1', input({ region: OTHER }), REGION).region).toBe(OTHER);
    expect(toolCallStart('t2', input({ regions: 'all' }), REGION).region).toBe('all regions');
    expect(toolCallStart('t3', input({}), REGION)).toMatchObject({ region: REGION, label: 'ec2:DescribeVpcs' });
  });
});
