import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { FINDING_ID_TAG, FINDING_TIME_TAG, FORENSIC_INSTANCE_TAG, REMEDIATION_GROUP_TAG } from '../../lib/remediation/contract';
import { resourceName } from '../../lib/plan/naming';
import { exampleData, REPO_ROOT, testConfig } from '../helpers/synth';

const FOLDER = path.join(REPO_ROOT, 'examples', 'service-control-policy');
const policy = JSON.parse(readFileSync(path.join(FOLDER, 'reserve-remediation-tags.json'), 'utf8'));
const statement = (sid: string) => policy.Statement.find((candidate: Record<string, any>) => candidate.Sid === sid);
const config = testConfig();
/** `arn:aws:iam::*:role/<name>-<function>-*`: the remediation role of a function in any region. */
const remediationRole = (key: string) => `arn:aws:iam::*:role/${resourceName(config, key)}-*`;

describe('examples/service-control-policy', () => {
  it('denies setting or removing every tag key the remediation reads on EC2, except to the security team, the deployment role and the isolation', () => {
    const ec2 = statement('ReserveRemediationTagsOnEc2');
    expect(ec2).toMatchObject({ Effect: 'Deny', Action: ['ec2:CreateTags', 'ec2:DeleteTags'], Resource: '*' });
    expect(ec2.Condition['ForAnyValue:StringEquals']['aws:TagKeys'].sort()).toEqual(
      [config.remediation.exemptTag, FINDING_ID_TAG, FINDING_TIME_TAG, REMEDIATION_GROUP_TAG, FORENSIC_INSTANCE_TAG].sort(),
    );
    expect(ec2.Condition.ArnNotLike['aws:PrincipalArn']).toEqual([
      'arn:aws:iam::*:role/SecurityIncidentResponse',
      `arn:aws:iam::*:role/${exampleData().roleName}`,
      remediationRole('isolate-instance'),
    ]);
  });

  it('denies the exemption and marker keys on IAM roles and users, at creation too, except to the security team, the deployment role and the IAM remediations', () => {
    const iam = statement('ReserveRemediationTagsOnIam');
    expect(iam).toMatchObject({ Effect: 'Deny', Resource: '*' });
    expect(iam.Action).toEqual(['iam:TagRole', 'iam:UntagRole', 'iam:TagUser', 'iam:UntagUser', 'iam:CreateRole', 'iam:CreateUser']);
    expect(iam.Condition['ForAnyValue:StringEquals']['aws:TagKeys']).toEqual([config.remediation.exemptTag, FINDING_ID_TAG, FINDING_TIME_TAG]);
    expect(iam.Condition.ArnNotLike['aws:PrincipalArn']).toEqual([
      'arn:aws:iam::*:role/SecurityIncidentResponse',
      `arn:aws:iam::*:role/${exampleData().roleName}`,
      remediationRole('revoke-role-sessions'),
      remediationRole('deactivate-access-key'),
    ]);
  });

  it('fits an SCP (5,120 characters) as written, and its README names every value to replace', () => {
    const text = readFileSync(path.join(FOLDER, 'reserve-remediation-tags.json'), 'utf8');
    expect(text.length).toBeLessThan(5120);
    expect(policy.Statement).toHaveLength(2);
    const readme = readFileSync(path.join(FOLDER, 'README.md'), 'utf8');
    for (const value of ['SecurityIncidentResponse', 'OrganizationAccountAccessRole', '`acme`', 'GuardDutyRemediationExempt']) expect(readme).toContain(value);
    expect(readme).toContain('--content file://reserve-remediation-tags.json');
  });
});
