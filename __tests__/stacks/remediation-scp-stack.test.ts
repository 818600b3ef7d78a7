import { synthApp, testConfig } from '../helpers/synth';

const STACK = 'remediation-scp';

describe('RemediationScpStack', () => {
  const synth = synthApp(
    testConfig({
      remediation: {
        regions: 'all',
        deactivateAccessKeys: true,
        serviceControlPolicy: { enabled: true, targets: ['ou-ab12-cdef3456', '333333333333'], securityTeamRoles: ['SecurityIncidentResponse'] },
      },
    }),
  );

  it('writes the policy from the management account, keyed from the start, one attachment per document and target', () => {
    const stack = synth.stack(STACK);
    expect(stack.provider.aws.map((provider: Record<string, any>) => provider.allowed_account_ids)).toEqual([['111111111111']]);
    const policies = synth.resources(STACK, 'aws_organizations_policy');
    expect(Object.keys(policies)).toEqual(['remediation_tags["1"]']);
    expect(policies['remediation_tags["1"]']).toMatchObject({ name: 'acme-remediation-tags', type: 'SERVICE_CONTROL_POLICY' });
    expect(Object.entries(synth.resources(STACK, 'aws_organizations_policy_attachment')).map(([address, attachment]) => [address, attachment.target_id, attachment.policy_id])).toEqual([
      ['remediation_tags["1/ou-ab12-cdef3456"]', 'ou-ab12-cdef3456', '${aws_organizations_policy.remediation_tags["1"].id}'],
      ['remediation_tags["1/333333333333"]', '333333333333', '${aws_organizations_policy.remediation_tags["1"].id}'],
    ]);
    expect(stack.moved).toBeUndefined();
  });

  it("excepts the remediation roles of every region it runs in, by full ARN in the sandbox account", () => {
    const content = JSON.parse(synth.resources(STACK, 'aws_organizations_policy')['remediation_tags["1"]'].content);
    const exceptions = content.Statement.find((statement: Record<string, any>) => statement.Sid === 'ReserveRemediationTagsOnEc2').Condition.ArnNotLike['aws:PrincipalArn'];
    expect(exceptions).toEqual([
      'arn:aws:iam::333333333333:role/SecurityIncidentResponse',
      ...['us-west-2', 'us-east-1', 'eu-west-1'].map((region) => `arn:aws:iam::333333333333:role/acme-isolate-instance-${region}`),
      ...['us-west-2', 'us-east-1', 'eu-west-1'].map((region) => `arn:aws:iam::333333333333:role/acme-sweep-isolations-${region}`),
    ]);
    // The remediation's own roles carry those names.
    const roles = Object.values(synth.resources('sandbox-remediation', 'aws_iam_role')).map((role) => `arn:aws:iam::333333333333:role/${role.name}`);
    for (const arn of exceptions.slice(1)) expect(roles).toContain(arn);
  });

  it('attaches to the sandbox account when no target is named, and is the stack the remediation waits for', () => {
    const config = testConfig({ remediation: { serviceControlPolicy: { enabled: true } } });
    const app = synthApp(config);
    expect(Object.values(app.resources(STACK, 'aws_organizations_policy_attachment')).map((attachment) => attachment.target_id)).toEqual(['333333333333']);
    expect(app.manifest.stacks['sandbox-remediation'].dependencies).toEqual([STACK]);
  });
});
