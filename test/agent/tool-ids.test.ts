/**
 * Tool call ids: Strands runs the tool calls of one model turn concurrently, so their ends can come
 * in any order; each tool_end carries the id (the model's toolUseId) of its tool_start.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AgentEvent } from '../../common/protocol.ts';
import { type Harness, invokeSse, sessionId, startHarness } from '../helpers/agent-harness.ts';
import { seedInstances, seedRoles } from '../helpers/seed.ts';
import { ScriptedModel } from '../services/scripted-model.ts';

const REGION = 'eu-west-3';
let h: Harness;

type Start = Extract<AgentEvent, { type: 'tool_start' }>;
type End = Extract<AgentEvent, { type: 'tool_end' }>;

const call = (operation: string, label: string, parameters: Record<string, unknown> = {}) => ({
  name: 'controlled_use_aws',
  input: { service_name: 'ec2', operation_name: operation, parameters, region: REGION, label },
});

const listing = call('DescribeInstances', 'List EC2 instances');
const terminate = call('TerminateInstances', 'stop', { InstanceIds: ['i-1'] });

beforeAll(async () => {
  const moto = inject('motoUrl');
  const [role] = (await seedRoles(moto, '/', ['aws-ask-tool-ids'])) as [string];
  await seedInstances(moto, REGION, 2, 'ids');
  h = await startHarness({
    region: REGION,
    toolRoleArn: role,
    model: () =>
      new ScriptedModel([
        // one turn, two calls: a real listing (network) and a write the policy refuses at once
        { tools: [listing, terminate] },
        { text: 'Listed them; I cannot terminate anything.' },
      ]),
  });
});

afterAll(async () => {
  await h.close();
});

describe('tool_start and tool_end of concurrent calls', () => {
  it('match by id when the second call of a turn ends first', async () => {
    const events = await invokeSse(h.url, sessionId('tool-ids'), { prompt: 'list the instances and terminate i-1' });
    const tools = events.filter((e): e is Start | End => e.type === 'tool_start' || e.type === 'tool_end');
    expect(tools.map((e) => e.type)).toEqual(['tool_start', 'tool_start', 'tool_end', 'tool_end']);
    const starts = tools.filter((e): e is Start => e.type === 'tool_start');
    const ends = tools.filter((e): e is End => e.type === 'tool_end');
    expect(starts.map((s) => s.operation)).toEqual(['DescribeInstances', 'TerminateInstances']);
    expect(new Set(starts.map((s) => s.id)).size).toBe(2);
    // the refusal needs no network call: it ends first
    expect(ends.map((e) => e.id)).toEqual(starts.map((s) => s.id).reverse());
    for (const end of ends) {
      const start = starts.find((s) => s.id === end.id);
      expect(start, end.id).toBeDefined();
      expect({ service: end.service, operation: end.operation, iamAction: end.iamAction }).toEqual({
        service: start!.service,
        operation: start!.operation,
        iamAction: start!.iamAction,
      });
    }
    expect(ends.map((e) => [e.iamAction, e.ok, e.refused])).toEqual([
      ['ec2:TerminateInstances', false, true],
      ['ec2:DescribeInstances', true, false],
    ]);
    const done = events.at(-1) as Extract<AgentEvent, { type: 'done' }>;
    expect(done.type).toBe('done');
    expect(done.toolCalls.map((t) => t.id)).toEqual(ends.map((e) => e.id));
  });
});
