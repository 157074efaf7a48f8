/**
 * The deployed stack, which the checks after the deploy read their values from. Before the deploy it is
 * "not deployed yet" (a skip); with --after a missing stack is a failure.
 */
import { type Check, fail, type Outcome, pass, skip } from '../check.ts';

export const stackCheck: Check = {
  id: 'stack',
  title: 'Deployed stack',
  afterDeploy: true,
  async run(ctx): Promise<Outcome> {
    if (ctx.options.mode === 'before') return skip('Runs after the deploy (--before).');
    const d = await ctx.deployment();
    if ('blocked' in d) return d.blocked;
    const deploy = `Run \`npm run deploy\` (or pass --stack NAME / --region REGION for a stack deployed elsewhere).`;
    switch (d.state) {
      case 'deployed':
        return pass(`${ctx.stackName}, outputs from ${d.source}.`);
      case 'absent':
        return ctx.options.mode === 'after'
          ? fail(d.detail, deploy)
          : skip(`Not deployed yet. ${d.detail} The checks below run after \`npm run deploy\`.`);
      case 'unusable':
        return fail(d.detail, d.fix);
      case 'unknown':
        return fail(
          d.detail,
          'Use credentials that may call cloudformation:DescribeStacks, or run the doctor where ' +
            '`npm run deploy` wrote cdk-outputs.json (or pass --outputs FILE).',
        );
    }
  },
};
