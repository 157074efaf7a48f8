/**
 * The services the tool can call beyond the first ones (issue 13): reads through the real tool on moto
 * (Step Functions, EFS, classic ELB beside elbv2, EventBridge, Glue, Athena, SageMaker, Cognito, API
 * Gateway v2), each new service's sensitive reads refused before any request, the names people use
 * resolved to the right client (`elb` is classic), and an unsupported service answered with the generic
 * ways to read any resource type, recorded as refused, with nothing sent. (Kinesis is refused-only
 * here: its client speaks HTTP/2, which moto's plain HTTP endpoint does not.)
 */

import { ApiGatewayV2Client, CreateApiCommand } from '@aws-sdk/client-apigatewayv2';
import { AthenaClient, CreateWorkGroupCommand } from '@aws-sdk/client-athena';
import { CognitoIdentityProviderClient, CreateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateFileSystemCommand, EFSClient } from '@aws-sdk/client-efs';
import {
  CreateLoadBalancerCommand as CreateClassicLoadBalancerCommand,
  ElasticLoadBalancingClient,
} from '@aws-sdk/client-elastic-load-balancing';
import { CreateLoadBalancerCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { EventBridgeClient, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import { CreateDatabaseCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateNotebookInstanceCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { FunctionTool } from '@strands-agents/sdk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PinnedCredentials } from '../../../agent/credentials.ts';
import { AwsCaller, type AwsCallRecord } from '../../../agent/tools/aws-caller.ts';
import { createControlledUseAws } from '../../../agent/tools/controlled-use-aws.ts';
import { DEFAULT_SETTINGS } from '../../../agent/tools/settings.ts';
import { findService, SERVICES, unsupportedServiceText } from '../../../common/aws-services.ts';
import { decideOperation, iamActionFor } from '../../../common/policy/index.ts';
import { motoConfig } from '../../helpers/aws.ts';
import { seedRoles } from '../../helpers/seed.ts';
import { roleMode } from '../../helpers/tool-role.ts';
import { runTool } from '../../helpers/tools.ts';
import { type RecordingProxy, startRecordingProxy } from '../../services/recording-proxy.ts';

const REGION = 'ap-northeast-2';
/** In the state machine's definition, which the service model marks sensitive: must never reach the model. */
const DEFINITION_CANARY = 'svc-definition-canary-7f3a';

let proxy: RecordingProxy;
let toolRoleArn: string;
let stateMachineArn: string;
let fileSystemId: string;

/** Creates what the reads below ask about, talking to moto directly. */
async function seed(moto: string): Promise<void> {
  const cfg = motoConfig(REGION, moto);
  const sfn = new SFNClient(cfg);
  const machine = await sfn.send(
    new CreateStateMachineCommand({
      name: 'svc-orders',
      roleArn: toolRoleArn,
      definition: JSON.stringify({
        Comment: DEFINITION_CANARY,
        StartAt: 'Done',
        States: { Done: { Type: 'Succeed' } },
      }),
    }),
  );
  stateMachineArn = machine.stateMachineArn ?? '';
  const efs = await new EFSClient(cfg).send(
    new CreateFileSystemCommand({ CreationToken: 'svc-efs-1', Tags: [{ Key: 'Name', Value: 'svc-shared-files' }] }),
  );
  fileSystemId = efs.FileSystemId ?? '';
  await new EventBridgeClient(cfg).send(new PutRuleCommand({ Name: 'svc-nightly', ScheduleExpression: 'rate(1 day)' }));
  await new GlueClient(cfg).send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'svc_sales' } }));
  await new AthenaClient(cfg).send(new CreateWorkGroupCommand({ Name: 'svc-analysts' }));
  await new SageMakerClient(cfg).send(
    new CreateNotebookInstanceCommand({
      NotebookInstanceName: 'svc-notebook',
      InstanceType: 'ml.t3.medium',
      RoleArn: toolRoleArn,
    }),
  );
  await new CognitoIdentityProviderClient(cfg).send(new CreateUserPoolCommand({ PoolName: 'svc-customers' }));
  await new ApiGatewayV2Client(cfg).send(new CreateApiCommand({ Name: 'svc-http-api', ProtocolType: 'HTTP' }));
  // one load balancer of each generation
  const ec2 = new EC2Client(cfg);
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.42.0.0/16' }));
  const subnets: string[] = [];
  for (const [i, az] of ['a', 'b'].entries()) {
    const s = await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpc.Vpc?.VpcId ?? '',
        CidrBlock: `10.42.${i}.0/24`,
        AvailabilityZone: `${REGION}${az}`,
      }),
    );
    subnets.push(s.Subnet?.SubnetId ?? '');
  }
  await new ElasticLoadBalancingV2Client(cfg).send(
    new CreateLoadBalancerCommand({ Name: 'svc-application-lb', Subnets: subnets }),
  );
  await new ElasticLoadBalancingClient(cfg).send(
    new CreateClassicLoadBalancerCommand({
      LoadBalancerName: 'svc-classic-lb',
      Listeners: [{ Protocol: 'HTTP', LoadBalancerPort: 80, InstancePort: 80 }],
      AvailabilityZones: [`${REGION}a`],
    }),
  );
}

function makeTool(records?: AwsCallRecord[]): FunctionTool {
  const caller = new AwsCaller({ ...DEFAULT_SETTINGS, defaultRegion: REGION });
  const credentials = new PinnedCredentials(roleMode(toolRoleArn), { region: REGION });
  return createControlledUseAws({ credentials, caller, ...(records ? { onCall: (r) => records.push(r) } : {}) });
}

const input = (service_name: string, operation_name: string, parameters: unknown = {}) => ({
  service_name,
  operation_name,
  parameters,
  region: REGION,
  label: `${service_name} ${operation_name}`,
});

beforeAll(async () => {
  const moto = inject('motoUrl');
  [toolRoleArn] = (await seedRoles(moto, '/', ['aws-ask-tool-services'])) as [string];
  await seed(moto);
  proxy = await startRecordingProxy(moto);
  process.env.AWS_ENDPOINT_URL = proxy.url;
}, 60_000);

afterAll(async () => {
  await proxy.close();
});

describe('reads of the added services through controlled_use_aws on moto', () => {
  it.each([
    ['stepfunctions', 'list_state_machines', {}, 'svc-orders', 'states:ListStateMachines'],
    ['efs', 'describe_file_systems', {}, 'svc-shared-files', 'elasticfilesystem:DescribeFileSystems'],
    ['eventbridge', 'list_rules', {}, 'svc-nightly', 'events:ListRules'],
    ['glue', 'get_databases', {}, 'svc_sales', 'glue:GetDatabases'],
    ['athena', 'list_work_groups', {}, 'svc-analysts', 'athena:ListWorkGroups'],
    ['sagemaker', 'list_notebook_instances', {}, 'svc-notebook', 'sagemaker:ListNotebookInstances'],
    ['cognito-idp', 'list_user_pools', { MaxResults: 10 }, 'svc-customers', 'cognito-idp:ListUserPools'],
    ['apigatewayv2', 'get_apis', {}, 'svc-http-api', 'apigateway:GET'],
  ])('%s %s', async (service, operation, parameters, expected, iamAction) => {
    const records: AwsCallRecord[] = [];
    const r = await runTool(makeTool(records), input(service, operation, parameters));
    expect(r.status, r.text).toBe('success');
    expect(r.text).toContain(expected);
    expect(records[0]).toMatchObject({ service: findService(service)?.name, iamAction, ok: true, refused: false });
  });

  it('describes a state machine by its boto3 alias, its definition redacted as the model marks it', async () => {
    const before = proxy.requests.length;
    const r = await runTool(makeTool(), input('sfn', 'DescribeStateMachine', { stateMachineArn }));
    expect(r.status, r.text).toBe('success');
    expect(r.text).toContain('svc-orders');
    // AWS (moto) sent the definition; the model never sees it
    const sent = proxy.requests.slice(before).find((q) => q.action === 'DescribeStateMachine');
    expect(sent?.response?.body).toContain(DEFINITION_CANARY);
    expect(r.text).not.toContain(DEFINITION_CANARY);
  });

  it('reads one EFS file system by id', async () => {
    const r = await runTool(makeTool(), input('efs', 'describe-file-systems', { FileSystemId: fileSystemId }));
    expect(r.status, r.text).toBe('success');
    expect(r.text).toContain(fileSystemId);
  });
});

describe('elb is classic load balancing; alb, nlb and elbv2 are the v2 API', () => {
  it('answers "which classic load balancers" from the classic API only', async () => {
    const records: AwsCallRecord[] = [];
    const before = proxy.requests.length;
    const r = await runTool(makeTool(records), input('elb', 'describe_load_balancers'));
    expect(r.status, r.text).toBe('success');
    expect(r.text).toContain('svc-classic-lb');
    expect(r.text).not.toContain('svc-application-lb');
    expect(records[0]).toMatchObject({ service: 'elb', iamAction: 'elasticloadbalancing:DescribeLoadBalancers' });
    // the classic API's version went over the wire, not elbv2's
    const sent = proxy.requests.slice(before).filter((q) => q.action === 'DescribeLoadBalancers');
    expect(sent.map((q) => /Version=([\d-]+)/.exec(q.body)?.[1])).toEqual(['2012-06-01']);
  });

  it.each(['alb', 'nlb', 'elbv2'])('%s lists the application load balancer, not the classic one', async (name) => {
    const records: AwsCallRecord[] = [];
    const r = await runTool(makeTool(records), input(name, 'describe_load_balancers'));
    expect(r.status, r.text).toBe('success');
    expect(r.text).toContain('svc-application-lb');
    expect(r.text).not.toContain('svc-classic-lb');
    expect(records[0]).toMatchObject({ service: 'elbv2' });
  });

  it('resolves names to clients: IAM prefixes never shadow a service named that way', () => {
    const named = (n: string) => findService(n)?.name;
    expect(named('elb')).toBe('elb');
    expect(named('elastic-load-balancing')).toBe('elb');
    expect(named('@aws-sdk/client-elastic-load-balancing')).toBe('elb');
    expect(named('elasticloadbalancing')).toBe('elb');
    expect(named('client-elastic-load-balancing-v2')).toBe('elbv2');
    expect(named('s3')).toBe('s3');
    expect(named('s3-control')).toBe('s3control');
    expect(named('cloudformation')).toBe('cloudformation');
    expect(named('cloud-control')).toBe('cloudcontrol');
    expect(named('rds')).toBe('rds');
    expect(named('apigateway')).toBe('apigateway');
    expect(named('states')).toBe('stepfunctions');
    expect(named('es')).toBe('opensearch');
    expect(named('sso')).toBe('sso-admin');
    expect(named('ses')).toBe('sesv2');
    expect(named('msk')).toBe('kafka');
    expect(named('servicequotas')).toBe('service-quotas');
    expect(named('iot')).toBeUndefined();
  });

  it('has one service for every name and alias', () => {
    const seen = new Map<string, string>();
    for (const s of SERVICES) {
      for (const n of [s.name, ...s.aliases]) {
        const key = n.toLowerCase().replace(/[^a-z0-9]/g, '');
        expect(seen.get(key) ?? s.name, `${n} names ${seen.get(key)} and ${s.name}`).toBe(s.name);
        seen.set(key, s.name);
      }
    }
    expect(SERVICES.length).toBeGreaterThanOrEqual(100);
  });
});

describe('sensitive reads of the added services are refused before any request', () => {
  const refused: [string, string, unknown, RegExp][] = [
    ['kinesis', 'get_records', { ShardIterator: 'x' }, /stored data contents/],
    ['cognito-idp', 'list_users', { UserPoolId: `${REGION}_abc` }, /personal data/],
    ['cognito', 'admin_get_user', { UserPoolId: `${REGION}_abc`, Username: 'u' }, /personal data/],
    ['macie2', 'get_sensitive_data_occurrences', { findingId: 'f' }, /stored data contents/],
    ['inspector2', 'batch_get_code_snippet', { findingArns: ['arn:aws:inspector2:x'] }, /stored data contents/],
    ['glue', 'get_statement', { SessionId: 's', Id: 1 }, /stored data contents/],
    ['glue', 'get_connection', { Name: 'db' }, /credentials/],
    ['athena', 'get_query_results', { QueryExecutionId: 'q' }, /stored data contents/],
    ['codepipeline', 'get_job_details', { jobId: 'j' }, /credentials/],
    ['codebuild', 'batch_get_command_executions', { sandboxId: 's', commandExecutionIds: ['c'] }, /contents/],
    ['directconnect', 'describe_router_configuration', { virtualInterfaceId: 'dxvif-1' }, /secret values/],
    ['sagemaker', 'create_presigned_domain_url', { DomainId: 'd', UserProfileName: 'u' }, /presigned|Write/],
    ['emr-serverless', 'get_session_endpoint', { applicationId: 'a', sessionId: 's' }, /tokens/],
    ['xray', 'start_trace_retrieval', { TraceIds: ['t'], StartTime: 1, EndTime: 2 }, /starts a job/],
    ['sesv2', 'list_contacts', { ContactListName: 'l' }, /personal data/],
    ['transfer', 'test_identity_provider', { ServerId: 's-1', UserName: 'u' }, /a test/],
    ['stepfunctions', 'start_execution', { stateMachineArn: 'arn:aws:states:x' }, /read-only/],
    ['apigatewayv2', 'delete_api', { ApiId: 'a1' }, /read-only/],
    ['cloudcontrol', 'delete_resource', { TypeName: 'AWS::Logs::LogGroup', Identifier: 'x' }, /read-only/],
  ];

  it.each(refused)('%s %s', async (service, operation, parameters, why) => {
    const records: AwsCallRecord[] = [];
    const before = proxy.requests.length;
    const r = await runTool(makeTool(records), input(service, operation, parameters));
    expect(r.status).toBe('error');
    expect(r.text).toMatch(/Refused: .* No AWS call was made\./);
    expect(r.text).toMatch(why);
    expect(records[0]).toMatchObject({ refused: true, errorCode: 'Refused' });
    expect(proxy.requests.length).toBe(before);
  });
});

describe('IAM actions of the added services', () => {
  const action = (service: string, operation: string) => iamActionFor(findService(service)!, operation);

  it('maps API Gateway v2 like v1: HTTP verbs on paths, portals and routing rules by name', async () => {
    expect(action('apigatewayv2', 'GetApis')).toBe('apigateway:GET');
    expect(action('apigatewayv2', 'ExportApi')).toBe('apigateway:GET');
    expect(action('apigatewayv2', 'CreateApi')).toBe('apigateway:POST');
    expect(action('apigatewayv2', 'UpdateStage')).toBe('apigateway:PATCH');
    expect(action('apigatewayv2', 'DeleteRoute')).toBe('apigateway:DELETE');
    expect(action('apigatewayv2', 'ReimportApi')).toBe('apigateway:PUT');
    expect(action('apigatewayv2', 'ListPortals')).toBe('apigateway:ListPortals');
    expect(action('apigatewayv2', 'GetRoutingRule')).toBe('apigateway:GetRoutingRule');
    const v2 = findService('apigatewayv2')!;
    expect(await decideOperation(v2, 'GetApis')).toMatchObject({ allowed: true, action: 'apigateway:GET' });
    expect(await decideOperation(v2, 'CreatePortal')).toMatchObject({ allowed: false, kind: 'write' });
  });

  it('maps the operations whose IAM action is named otherwise', async () => {
    expect(action('s3control', 'GetPublicAccessBlock')).toBe('s3:GetAccountPublicAccessBlock');
    expect(action('s3control', 'ListAccessPoints')).toBe('s3:ListAccessPoints');
    expect(action('accessanalyzer', 'ListFindingsV2')).toBe('access-analyzer:ListFindings');
    expect(action('dms', 'DescribeDataProviders')).toBe('dms:ListDataProviders');
    expect(action('cloudcontrol', 'GetResource')).toBe('cloudformation:GetResource');
    expect(action('sso-admin', 'ListPermissionSets')).toBe('sso:ListPermissionSets');
    expect(action('opensearch', 'DescribeDomains')).toBe('es:DescribeDomains');
    expect(action('docdb', 'DescribeDBClusters')).toBe('rds:DescribeDBClusters');
    for (const [service, operation] of [
      ['s3control', 'GetPublicAccessBlock'],
      ['cloudcontrol', 'ListResources'],
      ['cloudcontrol', 'GetResource'],
      ['resource-explorer-2', 'Search'],
      ['accessanalyzer', 'ListFindingsV2'],
    ] as const) {
      expect((await decideOperation(findService(service)!, operation)).allowed, `${service}:${operation}`).toBe(true);
    }
  });
});

describe('an unsupported service', () => {
  it('is refused with the generic ways to read any resource type, and nothing is sent', async () => {
    const records: AwsCallRecord[] = [];
    const before = proxy.requests.length;
    const r = await runTool(makeTool(records), input('iot', 'list_things'));
    expect(r.status).toBe('error');
    expect(r.text).toContain('Unsupported service "iot"');
    expect(r.text).toContain('resource-explorer-2 Search');
    expect(r.text).toContain('config SelectResourceConfig');
    expect(r.text).toMatch(/cloudcontrol ListResources, then GetResource/);
    expect(r.text).toContain('AWS::Logs::LogGroup');
    expect(r.text).toMatch(/Supported services: accessanalyzer, .*, xray\./);
    expect(records).toEqual([
      expect.objectContaining({ service: 'iot', refused: true, ok: false, errorCode: 'UnsupportedService' }),
    ]);
    expect(proxy.requests.length).toBe(before);
  });

  it('names only services the tool can call as the generic paths', () => {
    const text = unsupportedServiceText('x');
    for (const generic of ['resource-explorer-2', 'config', 'cloudcontrol']) {
      expect(text).toContain(`${generic} `);
      expect(findService(generic)?.name).toBe(generic);
    }
  });
});
