/**
 * A loopback stand-in for CloudFormation's DescribeStacks (the query protocol the SDK speaks: a form body,
 * an XML answer), for stacks in states moto cannot reach (UPDATE_ROLLBACK_FAILED, DELETE_FAILED, …). Each
 * stack's status and reason are the test's to set; a stack it does not have is answered as CloudFormation
 * answers it, a 400 ValidationError "Stack with id NAME does not exist". It answers nothing else.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedStack {
  status: string;
  reason?: string;
  outputs?: Readonly<Record<string, string>>;
}

export interface DoctorCloudFormation {
  readonly url: string;
  readonly stacks: Map<string, ScriptedStack>;
  /** The Action of each call. */
  readonly calls: string[];
  close(): Promise<void>;
}

const NS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function errorXml(code: string, message: string): string {
  return (
    `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code>` +
    `<Message>${esc(message)}</Message></Error><RequestId>doctor-cfn</RequestId></ErrorResponse>`
  );
}

function stackXml(name: string, s: ScriptedStack, region: string): string {
  const outputs = Object.entries(s.outputs ?? {})
    .map(([k, v]) => `<member><OutputKey>${esc(k)}</OutputKey><OutputValue>${esc(v)}</OutputValue></member>`)
    .join('');
  return (
    `<member><StackName>${esc(name)}</StackName>` +
    `<StackId>arn:aws:cloudformation:${region}:123456789012:stack/${esc(name)}/0f3c6a50-0000-0000-0000-0000000000` +
    '00</StackId>' +
    `<CreationTime>2026-01-01T00:00:00.000Z</CreationTime><StackStatus>${esc(s.status)}</StackStatus>` +
    (s.reason ? `<StackStatusReason>${esc(s.reason)}</StackStatusReason>` : '') +
    `<Outputs>${outputs}</Outputs></member>`
  );
}

export async function startDoctorCloudFormation(region: string): Promise<DoctorCloudFormation> {
  const stand: DoctorCloudFormation = { url: '', stacks: new Map(), calls: [], close: () => Promise.resolve() };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const action = form.get('Action') ?? '';
      stand.calls.push(action);
      const send = (status: number, xml: string) => {
        res.writeHead(status, { 'Content-Type': 'text/xml' });
        res.end(xml);
      };
      if (action !== 'DescribeStacks')
        return send(400, errorXml('InvalidAction', `this stand-in answers DescribeStacks only (${action})`));
      const name = form.get('StackName') ?? '';
      const stack = stand.stacks.get(name);
      if (!stack) return send(400, errorXml('ValidationError', `Stack with id ${name} does not exist`));
      send(
        200,
        `<DescribeStacksResponse xmlns="${NS}"><DescribeStacksResult><Stacks>${stackXml(name, stack, region)}` +
          '</Stacks></DescribeStacksResult><ResponseMetadata><RequestId>doctor-cfn</RequestId></ResponseMetadata>' +
          '</DescribeStacksResponse>',
      );
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return Object.assign(stand, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  });
}
