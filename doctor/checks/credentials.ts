/** 1. AWS credentials and account: sts:GetCallerIdentity says which account and principal the doctor runs as. */
import { type Check, pass } from '../check.ts';

export const credentialsCheck: Check = {
  id: 'credentials',
  title: 'AWS credentials',
  afterDeploy: false,
  async run(ctx) {
    const me = await ctx.identity();
    if (!me.ok) return me.problem;
    return pass(`Account ${me.account} in ${me.region}, as ${me.arn}.`);
  },
};
