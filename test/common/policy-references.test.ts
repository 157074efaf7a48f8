/**
 * The sensitive list against public references: every action on the credentials-exposure and
 * data-exfiltration lists that cloudsplaining and policy_sentry publish (installed from PyPI into the
 * tests' virtualenv, test/services/moto.ts) is refused by the policy, or allowed with a reason recorded
 * in code (REVIEWED_READS in common/policy/rules.ts).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decideIamAction, REVIEWED_READS } from '../../common/policy/index.ts';
import { CLOUDSPLAINING_VERSION, ensureVenvPython, POLICY_SENTRY_VERSION } from '../services/moto.ts';

/** Reads the lists out of the installed packages, as they ship them. */
const LISTS_SCRIPT = `
import json, os
import policy_sentry
from cloudsplaining.shared.constants import ACTIONS_THAT_RETURN_CREDENTIALS, READ_ONLY_DATA_EXFILTRATION_ACTIONS
audit = os.path.join(os.path.dirname(policy_sentry.__file__), 'shared', 'data', 'audit', 'credentials-exposure.txt')
with open(audit) as f:
    sentry = [l.strip() for l in f if l.strip() and not l.startswith('#')]
print(json.dumps({
    'cloudsplaining credentials exposure': ACTIONS_THAT_RETURN_CREDENTIALS,
    'cloudsplaining data exfiltration': READ_ONLY_DATA_EXFILTRATION_ACTIONS,
    'policy_sentry credentials exposure': sentry,
}))
`;

/**
 * Entries that are not IAM actions at all (iam-data has no such action), so nothing can grant them;
 * the policy refuses them as unknown (fail closed). Each says what it is.
 */
const NOT_IAM_ACTIONS: Readonly<Record<string, string>> = {
  'gamelist:getcomputeaccess': "a misspelling of gamelift:GetComputeAccess, which is on aws-ask's sensitive list",
  'gamelist:getcomputeauthtoken': "a misspelling of gamelift:GetComputeAuthToken, on aws-ask's sensitive list",
  'iot:assumerolewithcertificate': 'the IoT credentials provider, authorised by a device certificate, not IAM',
  'sso:getrolecredentials': 'the IAM Identity Center portal API, authorised by a portal bearer token, not IAM',
};

/** Each action on a list that is allowed without a reason, or refused with a stale or missing one. */
async function review(actions: readonly string[]) {
  const unexplained: string[] = [];
  let refused = 0;
  let reviewed = 0;
  for (const action of actions) {
    const d = await decideIamAction(action);
    const reason = Object.entries(REVIEWED_READS).find(([a]) => a.toLowerCase() === action.toLowerCase())?.[1];
    if (d.allowed) {
      if (reason) reviewed++;
      else unexplained.push(`${action} is allowed (${d.reason})`);
    } else {
      refused++;
      if (reason) unexplained.push(`${action} is refused but listed in REVIEWED_READS: drop it there`);
      if (d.kind === 'unknown' && !NOT_IAM_ACTIONS[action.toLowerCase()])
        unexplained.push(`${action} is not an IAM action iam-data knows: say what it is in NOT_IAM_ACTIONS`);
    }
  }
  return { unexplained, refused, reviewed };
}

const python = await ensureVenvPython();
const { stdout } = await promisify(execFile)(python, ['-c', LISTS_SCRIPT]);
const lists = JSON.parse(stdout) as Record<string, string[]>;

describe(`public risk lists (policy_sentry ${POLICY_SENTRY_VERSION}, cloudsplaining ${CLOUDSPLAINING_VERSION})`, () => {
  it('are read from the installed packages', () => {
    expect(Object.values(lists).flat().length).toBeGreaterThan(70);
    expect(lists['cloudsplaining data exfiltration']).toContain('s3:GetObject');
  });

  for (const [name, actions] of Object.entries(lists)) {
    it(`${name}: every action is refused, or allowed with a reason in code (${actions.length} actions)`, async ({
      task,
    }) => {
      const { unexplained, refused, reviewed } = await review(actions);
      const of = actions.length;
      task.meta.summary = `${name}: ${refused} refused, ${reviewed} allowed with a reason in code, of ${of}`;
      expect(unexplained).toEqual([]);
    });
  }

  it('catches an allowed action without a reason, and an unknown one nobody explained', async () => {
    const { unexplained } = await review([
      'iam:ListRoles',
      'nosuch:GetEverything',
      'cognito-idp:GetSigningCertificate',
    ]);
    expect(unexplained).toEqual([
      expect.stringMatching(/^iam:ListRoles is allowed/),
      expect.stringMatching(/^nosuch:GetEverything is not an IAM action/),
    ]);
  });
});
