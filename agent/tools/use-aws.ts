/**
 * use_aws in TypeScript: the Strands Python tool's input spec (spec.ts), served by the AWS SDK v3
 * through AwsCaller (aws-caller.ts).
 *
 * Unlike the Python tool it paginates with the SDK paginators (bounded), returns compact JSON cut to
 * a byte budget with a note, redacts secret-looking values, applies a JMESPath `query` after redaction,
 * runs in several `regions` at once, and turns SDK errors into short text that tells the model what to
 * do next. The read-only decision is not made here: a caller passes a
 * `gate` (controlled_use_aws passes the policy module's).
 */
import { fromIni } from '@aws-sdk/credential-providers';
import { FunctionTool } from '@strands-agents/sdk';
import { AwsCaller, type AwsCallRecord } from './aws-caller.ts';
import { parseParameters, parseQuery, parseRegions, ToolInputError } from './input.ts';
import { settingsFromEnv } from './settings.ts';
import { USE_AWS_SPEC } from './spec.ts';

export interface UseAwsToolOptions {
  readonly caller?: AwsCaller;
  readonly onCall?: (record: AwsCallRecord) => void;
}

/**
 * The stock `use_aws` tool: whatever credentials `profile_name` (or the default chain) gives, and no
 * read-only gate of its own. Offered for parity and for the pinned-profile hook; the bot itself
 * uses controlled_use_aws.
 */
export function createUseAwsTool(options: UseAwsToolOptions = {}): FunctionTool {
  const caller = options.caller ?? new AwsCaller(settingsFromEnv());
  return new FunctionTool({
    name: USE_AWS_SPEC.name,
    description: USE_AWS_SPEC.description,
    inputSchema: USE_AWS_SPEC.inputSchema,
    callback: async (raw: unknown) => {
      const input = (raw ?? {}) as Record<string, unknown>;
      const str = (k: string) => (typeof input[k] === 'string' ? (input[k] as string) : undefined);
      const service = str('service_name');
      const operation = str('operation_name');
      if (!service || !operation) throw new ToolInputError('service_name and operation_name are required strings.');
      const profile = str('profile_name');
      const regions = parseRegions(input.regions, str('region') !== undefined);
      const query = parseQuery(input.query);
      const outcome = await caller.call(
        {
          service,
          operation,
          parameters: parseParameters(input.parameters),
          region: str('region') ?? caller.settings.defaultRegion,
          label: str('label') ?? `${service}:${operation}`,
          ...(regions ? { regions } : {}),
          ...(query !== undefined ? { query } : {}),
        },
        profile ? { key: `profile:${profile}`, provider: fromIni({ profile }) } : { key: 'default' },
      );
      options.onCall?.(outcome.record);
      if (!outcome.ok) throw new Error(outcome.text);
      return outcome.text;
    },
  });
}
