/**
 * The schema pass (agent/tools/sensitive-members.ts): how it reads the SDK's static schemas (trait
 * bits and objects, sensitivity on the member, the target, a list, a map or a structure, cycles,
 * shapes it cannot read), and, for every operation the policy allows in every supported client, a
 * synthetic output with a canary at each member the service model marks sensitive, sent through the
 * same pipeline as a real call (`shapeOutput`): no canary may come through.
 *
 * The members are found with @smithy/core's own schema reader (NormalizedSchema), not with the
 * module under test, so a misreading of the encoding there cannot hide itself here. The allowed set
 * is computed from the current policy each run.
 */
import { NormalizedSchema } from '@smithy/core/schema';
import { describe, expect, it } from 'vitest';
import { commandClass, listOperations, outputSchema } from '../../../agent/aws/operations.ts';
import { shapeOutput } from '../../../agent/tools/aws-caller.ts';
import { envPolicy } from '../../../agent/tools/redact-env.ts';
import { COMMAND_OUTPUT_HIDDEN, ENV_HIDDEN, newTally, REDACTED } from '../../../agent/tools/redact-marks.ts';
import { partsOf, redactSensitive, resolveShape } from '../../../agent/tools/sensitive-members.ts';
import { type SdkModule, SERVICES } from '../../../common/aws-services.ts';
import { decideOperation } from '../../../common/policy/index.ts';

const ns = 'com.example';

describe('reading the schema', () => {
  const SensitiveString = [0, ns, 'SensitiveString', 8, 0];
  const Secrets = [1, ns, 'Secrets', 8, 0];
  const Labels = [2, ns, 'Labels', { sensitive: 1 }, 0, 0];
  const Inner = [3, ns, 'Inner', 0, ['Id', 'Pin'], [0, [0, { sensitive: 1 }]]];
  const Vault = [3, ns, 'Vault', 8, ['Id'], [0]];
  const Output = [
    3,
    ns,
    'Output',
    0,
    ['Name', 'Token', 'Note', 'Secrets', 'Labels', 'Inner', 'Vault', 'Tags', 'When'],
    [0, [0, 8], [() => SensitiveString, 0], [() => Secrets, 0], () => Labels, [() => Inner, 0], () => Vault, 128, 4],
  ];

  it('redacts sensitive members by member bit, target shape, list, map, structure and trait object', () => {
    const page = {
      Name: 'web',
      Token: 'tok-1',
      Note: 'note-1',
      Secrets: ['s-1', 's-2'],
      Labels: { a: 'l-1' },
      Inner: { Id: 'in-1', Pin: '1234' },
      Vault: { Id: 'v-1' },
      Tags: { env: 'prod' },
      When: new Date(0),
    };
    const tally = newTally();
    const { value, unreadable } = redactSensitive(page, Output, tally);
    expect(value).toEqual({
      Name: 'web',
      Token: REDACTED,
      Note: REDACTED,
      Secrets: REDACTED,
      Labels: REDACTED,
      Inner: { Id: 'in-1', Pin: REDACTED },
      Vault: REDACTED,
      Tags: { env: 'prod' },
      When: new Date(0),
    });
    expect(tally).toEqual({ secrets: 6, envValues: 0 });
    expect(unreadable).toEqual([]);
    // the page itself is not changed
    expect(page.Token).toBe('tok-1');
  });

  it('returns parts without sensitive members as the same objects, and leaves absent members absent', () => {
    const Plain = [3, ns, 'Plain', 0, ['A', 'B'], [0, () => [3, ns, 'B', 0, ['C'], [0]]]];
    const page = { A: 'a', B: { C: 'c' } };
    expect(redactSensitive(page, Plain, newTally()).value).toBe(page);
    const tally = newTally();
    expect(redactSensitive({ Name: 'x' }, Output, tally).value).toEqual({ Name: 'x' });
    expect(tally.secrets).toBe(0);
  });

  it('follows recursive shapes (cycles) to any depth the value has', () => {
    const Node: unknown[] = [3, ns, 'Node', 0, ['Id', 'Secret', 'Children'], [0, [0, 8], [() => Nodes, 0]]];
    const Nodes = [1, ns, 'Nodes', 0, () => Node];
    const tree = { Id: '1', Secret: 'a', Children: [{ Id: '2', Secret: 'b', Children: [{ Id: '3', Secret: 'c' }] }] };
    const tally = newTally();
    const { value } = redactSensitive(tree, Node, tally);
    expect(JSON.stringify(value)).not.toMatch(/"Secret":"[abc]"/);
    expect(tally.secrets).toBe(3);
    // and a shape graph with a cycle is walked once per shape
    const seen = new Set<object>();
    const stack = [resolveShape(Node)];
    while (stack.length) {
      const r = stack.pop()!;
      for (const p of partsOf(r.shape).map(resolveShape)) {
        if (p.node && !seen.has(p.node)) {
          seen.add(p.node);
          stack.push(p);
        }
      }
    }
    expect(seen.size).toBe(2);
  });

  it('keeps environment variable names of a sensitive environment map or list, hiding the values', () => {
    const Variables = [2, ns, 'EnvironmentVariables', 8, [() => SensitiveString, 0], [() => SensitiveString, 0]];
    const Environment = [3, ns, 'Environment', 0, ['Variables'], [[() => Variables, 0]]];
    const Pairs = [1, ns, 'Pairs', 8, () => [3, ns, 'KeyValuePair', 0, ['name', 'value'], [0, 0]]];
    const Fn = [3, ns, 'Fn', 0, ['Environment', 'environment'], [() => Environment, () => Pairs]];
    const page = {
      Environment: { Variables: { LOG_LEVEL: 'debug', DB_URL: 'postgres://u:pw12345@db/app' } },
      environment: [{ name: 'MODE', value: 'fast' }],
    };
    const tally = newTally();
    expect(redactSensitive(page, Fn, tally).value).toEqual({
      Environment: { Variables: { LOG_LEVEL: ENV_HIDDEN, DB_URL: ENV_HIDDEN } },
      environment: [{ name: 'MODE', value: ENV_HIDDEN }],
    });
    expect(tally).toEqual({ secrets: 0, envValues: 3 });
    const shown = newTally();
    expect(redactSensitive(page, Fn, shown, envPolicy(['LOG_LEVEL', 'DB_URL'])).value).toEqual({
      Environment: { Variables: { LOG_LEVEL: 'debug', DB_URL: `postgres://u:${REDACTED}@db/app` } },
      environment: [{ name: 'MODE', value: ENV_HIDDEN }],
    });
  });

  it('reports a shape it cannot read and leaves that part to the net; sensitive map keys are replaced', () => {
    const Odd = [3, ns, 'Odd', 0, ['Weird', 'ByKey'], [[7, ns, 'Weird', 0, 0], () => ByKey]];
    const ByKey = [2, ns, 'ByKey', 0, [0, 8], 0];
    const tally = newTally();
    const { value, unreadable } = redactSensitive(
      { Weird: { Password: 'x' }, ByKey: { 'alice@example.com': 'on' } },
      Odd,
      tally,
    );
    expect(value).toEqual({ Weird: { Password: 'x' }, ByKey: { [`${REDACTED}1`]: 'on' } });
    expect(unreadable).toEqual([`schema kind 7 of ${ns}#Weird`]);
    expect(resolveShape([3, ns, 'T', 'sensitive', [], []]).shape.kind).toBe('unreadable');
  });
});

describe('shapeOutput: the pipeline a call goes through', () => {
  const fakeModule = (output: unknown): SdkModule => ({
    DescribeThingCommand: class {
      schema = [9, ns, 'DescribeThing', 0, () => 'unit', () => output];
    },
  });

  it('notes how many values were redacted and hidden, and that environment values are hidden by policy', async () => {
    const mod = await import('@aws-sdk/client-lambda');
    const page = {
      $metadata: { httpStatusCode: 200 },
      FunctionName: 'orders',
      Environment: { Variables: { LOG_LEVEL: 'debug', API_TOKEN: 'tok-1234567890' } },
      Description: 'uses postgres://app:hunter2x@db:5432/app',
    };
    const call = {
      mod,
      service: 'lambda',
      operation: 'GetFunctionConfiguration',
      region: 'eu-west-1',
      maxBytes: 16_384,
    };
    const { text } = shapeOutput({ ...call, pages: [page] });
    expect(text).toContain('"FunctionName":"orders"');
    expect(text).toContain(`"Variables":{"LOG_LEVEL":"${ENV_HIDDEN}","API_TOKEN":"${ENV_HIDDEN}"}`);
    expect(text).toContain(`postgres://app:${REDACTED}@db`);
    expect(text).toMatch(/Note: 1 secret-looking value\(s\) were redacted/);
    expect(text).toMatch(/Note: 2 environment variable value\(s\) are hidden by policy .*never guess them/);
    const shown = shapeOutput({ ...call, pages: [page], env: envPolicy(['LOG_*']) }).text;
    expect(shown).toContain(`"Variables":{"LOG_LEVEL":"debug","API_TOKEN":"${ENV_HIDDEN}"}`);
    expect(shown).toMatch(/Note: 1 environment variable value\(s\) are hidden by policy/);
  });

  it('shows no SSM command output (ListCommandInvocations, GetCommandInvocation), only its record', async () => {
    const mod = await import('@aws-sdk/client-ssm');
    const secret = 'Zq7vR2mK9xW4pL8s';
    const printed = [
      JSON.stringify(
        { Parameter: { Name: '/prod/db/master', Type: 'SecureString', Value: secret, Version: 3 } },
        null,
        4,
      ),
      `====== Data ======\nKey         Value\n---         -----\npassword    ${secret}\nusername    admin\n`,
      ' email           | card_number\n-----------------+------------------\n alice@corp.com  | 4111111111111111\n',
    ];
    const call = { mod, service: 'ssm', region: 'eu-west-1', maxBytes: 16_384 };
    const listed = shapeOutput({
      ...call,
      operation: 'ListCommandInvocations',
      pages: [
        {
          CommandInvocations: printed.map((output, i) => ({
            CommandId: `c-${i}`,
            InstanceId: 'i-0abc',
            Status: 'Success',
            TraceOutput: output,
            CommandPlugins: [{ Name: 'aws:runShellScript', Status: 'Success', ResponseCode: 0, Output: output }],
          })),
        },
      ],
    }).text;
    const got = shapeOutput({
      ...call,
      operation: 'GetCommandInvocation',
      pages: [
        { CommandId: 'c-0', Status: 'Failed', StandardOutputContent: printed[0], StandardErrorContent: printed[1] },
      ],
    }).text;
    for (const text of [listed, got]) {
      for (const leak of [secret, 'alice@corp.com', '4111111111111111', 'username']) expect(text).not.toContain(leak);
      expect(text).toContain(COMMAND_OUTPUT_HIDDEN);
    }
    expect(listed).toContain('"Name":"aws:runShellScript","Status":"Success","ResponseCode":0');
    expect(listed.split(COMMAND_OUTPUT_HIDDEN)).toHaveLength(7);
    expect(got).toContain('"CommandId":"c-0","Status":"Failed"');
  });

  it('still redacts by name and pattern where the output schema cannot be read, and says so in the log', () => {
    const warnings: unknown[][] = [];
    const { text } = shapeOutput({
      mod: fakeModule([7, ns, 'Weird', 0, [], []]),
      service: 'example',
      operation: 'DescribeThing',
      region: 'eu-west-1',
      maxBytes: 16_384,
      pages: [{ Thing: { Password: 'hunter2hunter2', Name: 'x' } }],
      logger: { warn: (...args: unknown[]) => warnings.push(args) },
    });
    expect(text).toContain(`{"Thing":{"Password":"${REDACTED}","Name":"x"}}`);
    expect(warnings).toEqual([
      [
        expect.stringMatching(/output schema not fully readable/),
        { operation: 'example:DescribeThing', why: [expect.any(String)] },
      ],
    ]);
  });
});

/** A canary and where it was put. */
interface Placed {
  readonly path: string;
  /** The texts that must not be in the result (a string, a number, an ISO date). */
  readonly texts: string[];
}

/** Member names whose environment variable names aren't secrets by policy (redact-env.ts): names kept. */
const ENV_MEMBERS = new Set(['Variables', 'environment', 'environmentVariables', 'RuntimeEnvironmentVariables', 'env']);

/**
 * Builds synthetic outputs with a canary at every sensitive member, from the SDK's own reading of the
 * schema. Structures are followed once per path (cycles), lists get one element, maps one entry.
 */
class CanaryBuilder {
  private n = 0;
  placed: Placed[] = [];
  booleans = 0;

  private canary(): string {
    this.n++;
    return `Cnry${String(this.n).padStart(5, '0')}Qz`;
  }

  /** A value for a sensitive shape: canaries in every part of it (names of an environment kept). */
  fill(s: NormalizedSchema, texts: string[], envNames: boolean, stack: string[]): unknown {
    if (s.isStructSchema()) {
      const name = s.getName(true) ?? '';
      if (stack.includes(name) || stack.length > 8) return undefined;
      const out: Record<string, unknown> = {};
      for (const [k, m] of s.structIterator()) {
        const v = envNames && /^name$/i.test(k) ? 'VAR_1' : this.fill(m, texts, false, [...stack, name]);
        if (v !== undefined) out[k] = v;
      }
      return out;
    }
    if (s.isListSchema()) {
      const v = this.fill(s.getValueSchema(), texts, envNames, stack);
      return v === undefined ? undefined : [v];
    }
    if (s.isMapSchema()) {
      const v = this.fill(s.getValueSchema(), texts, false, stack);
      const key = envNames ? 'VAR_1' : this.canary();
      if (!envNames) texts.push(key);
      return v === undefined ? undefined : { [key]: v };
    }
    if (s.isBooleanSchema()) {
      this.booleans++;
      return true;
    }
    if (s.isNumericSchema() || s.isBigIntegerSchema() || s.isBigDecimalSchema()) {
      const n = 770_000_000 + ++this.n;
      texts.push(String(n));
      return n;
    }
    if (s.isTimestampSchema()) {
      const d = new Date(Date.UTC(2091, 0, 1) + ++this.n * 1000);
      texts.push(d.toISOString());
      return d;
    }
    const c = this.canary();
    texts.push(c);
    if (s.isBlobSchema()) return new TextEncoder().encode(c);
    if (s.isDocumentSchema()) return { note: c };
    return c;
  }

  /** The part of an output holding canaries under `s`, or undefined when nothing under it is sensitive. */
  build(s: NormalizedSchema, path: string, member: string, stack: string[]): unknown {
    if (s.getName(true) === 'com.amazonaws.cloudcontrol#Properties') {
      // read by the net like any response, not hidden whole: its secrets must still go
      const [password, value] = [this.canary(), this.canary()];
      this.placed.push({ path, texts: [password, value] });
      return JSON.stringify({ MasterUserPassword: password, Environment: { Variables: { VAR_1: value } } });
    }
    if (s.getMergedTraits().sensitive) {
      const texts: string[] = [];
      const v = this.fill(s, texts, ENV_MEMBERS.has(member), []);
      if (v === undefined || texts.length === 0) return undefined;
      this.placed.push({ path, texts });
      return v;
    }
    if (s.isStructSchema()) {
      const name = s.getName(true) ?? '';
      if (stack.includes(name) || stack.length > 24) return undefined;
      const out: Record<string, unknown> = {};
      for (const [k, m] of s.structIterator()) {
        const v = this.build(m, `${path}.${k}`, k, [...stack, name]);
        if (v !== undefined) out[k] = v;
      }
      return Object.keys(out).length ? out : undefined;
    }
    if (s.isListSchema()) {
      const v = this.build(s.getValueSchema(), `${path}[]`, member, stack);
      return v === undefined ? undefined : [v];
    }
    if (s.isMapSchema()) {
      const v = this.build(s.getValueSchema(), `${path}{}`, member, stack);
      return v === undefined ? undefined : { k1: v };
    }
    return undefined;
  }
}

describe('every sensitive member of every allowed operation, through the real pipeline', () => {
  it('lets no canary through, for the operations the current policy allows', { timeout: 180_000 }, async () => {
    let allowed = 0;
    let operationsWithSensitive = 0;
    const walked: string[] = [];
    const shapes = new Set<string>();
    const leaks: string[] = [];
    let booleans = 0;
    for (const service of SERVICES) {
      const mod = await service.load();
      for (const operation of listOperations(mod)) {
        if (!(await decideOperation(service, operation)).allowed) continue;
        allowed++;
        const schema = (new (commandClass(mod, operation))({}).schema as unknown[])[5];
        const builder = new CanaryBuilder();
        const page = builder.build(NormalizedSchema.of(schema as never), '', '', []) as Record<string, unknown>;
        booleans += builder.booleans;
        if (!builder.placed.length) continue;
        operationsWithSensitive++;
        const { text } = shapeOutput({
          mod,
          service: service.name,
          operation,
          region: 'eu-west-1',
          maxBytes: 64 * 1024 * 1024,
          pages: [page],
        });
        expect(text, `${service.name}:${operation} was cut, so a canary could hide in the cut`).not.toMatch(
          /Output cut/,
        );
        for (const p of builder.placed) {
          walked.push(`${service.name}:${operation}${p.path}`);
          shapes.add(`${service.name}${p.path.replace(/^.*\./, '.')}`);
          const through = p.texts.filter((t) => text.includes(t));
          if (through.length) leaks.push(`${service.name}:${operation}${p.path}: ${through.join(', ')}`);
        }
      }
    }
    console.log(
      `sensitive members: ${walked.length} walked (member paths) in ${operationsWithSensitive} of ${allowed} ` +
        `allowed operations; ${leaks.length} leaked; ${booleans} boolean value(s) not checkable by text`,
    );
    expect(allowed).toBeGreaterThan(0);
    expect(walked.length).toBeGreaterThan(0);
    expect(shapes.size).toBeGreaterThan(0);
    expect(leaks).toEqual([]);
  });

  it('reads every output schema of every supported client, with nothing it cannot read', async () => {
    const unreadable: string[] = [];
    const seen = new Set<object>();
    let operations = 0;
    for (const service of SERVICES) {
      const mod = await service.load();
      for (const operation of listOperations(mod)) {
        operations++;
        const out = outputSchema(mod, operation);
        if (!out) {
          unreadable.push(`${service.name}:${operation}: no output schema`);
          continue;
        }
        const stack = [resolveShape(out)];
        while (stack.length) {
          const r = stack.pop()!;
          if (r.shape.kind === 'unreadable') unreadable.push(`${service.name}:${operation}: ${r.shape.why}`);
          for (const p of partsOf(r.shape).map(resolveShape)) {
            if (p.shape.kind === 'unreadable') unreadable.push(`${service.name}:${operation}: ${p.shape.why}`);
            else if (p.node && !seen.has(p.node)) {
              seen.add(p.node);
              stack.push(p);
            }
          }
        }
      }
    }
    expect(operations).toBeGreaterThan(1000);
    expect(seen.size).toBeGreaterThan(1000);
    expect(unreadable).toEqual([]);
  });
});

describe("Cloud Control's Properties: read like any response, not hidden whole", () => {
  it('keeps the properties and takes out their secrets and environment values', async () => {
    const mod = (await SERVICES.find((s) => s.name === 'cloudcontrol')?.load()) as SdkModule;
    const properties = {
      FunctionName: 'orders-api',
      Runtime: 'nodejs22.x',
      MasterUserPassword: 'Zq7vR2mK9xW4pL8sCnry',
      Environment: { Variables: { LOG_LEVEL: 'debug-CnryValue' } },
    };
    const { text } = shapeOutput({
      mod,
      service: 'cloudcontrol',
      operation: 'GetResource',
      region: 'eu-west-1',
      maxBytes: 64_000,
      pages: [
        {
          TypeName: 'AWS::Lambda::Function',
          ResourceDescription: { Identifier: 'orders-api', Properties: JSON.stringify(properties) },
        },
      ],
    });
    expect(text).toContain('orders-api');
    expect(text).toContain('nodejs22.x');
    expect(text).toContain('LOG_LEVEL');
    expect(text).not.toContain('Zq7vR2mK9xW4pL8sCnry');
    expect(text).not.toContain('debug-CnryValue');
  });
});
