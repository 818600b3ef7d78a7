import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { InstanceRole } from '../../modules/simulation-identities';

function synthRole(statements?: ConstructorParameters<typeof InstanceRole>[2]['statements']) {
  const stack = new TerraformStack(Testing.app(), 'test');
  const provider = new AwsProvider(stack, 'aws', { region: 'us-west-2' });
  new InstanceRole(stack, 'role', { provider, name: 'acme-simulation-test', description: 'test role', statements });
  return JSON.parse(Testing.synth(stack, true)).resource;
}

describe('InstanceRole', () => {
  it('is an EC2 role with force-detach, only the Session Manager permissions, and an instance profile of the same name', () => {
    const resources = synthRole();
    const [role] = Object.values(resources.aws_iam_role) as any[];
    expect(role).toMatchObject({ name: 'acme-simulation-test', force_detach_policies: true, description: 'test role' });
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    // No managed policy (AmazonSSMManagedInstanceCore would allow ssm:GetParameter* on every parameter).
    expect(resources.aws_iam_role_policy_attachment).toBeUndefined();
    const policies = Object.values(resources.aws_iam_role_policy) as any[];
    expect(policies.map((policy) => [policy.name, JSON.parse(policy.policy).Statement])).toEqual([
      [
        'session-manager',
        [
          {
            Sid: 'SessionManager',
            Effect: 'Allow',
            Action: ['ssm:UpdateInstanceInformation', 'ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'],
            Resource: '*',
          },
        ],
      ],
    ]);
    expect(Object.values(resources.aws_iam_instance_profile)).toEqual([expect.objectContaining({ name: 'acme-simulation-test' })]);
  });

  it('puts further permissions in a policy resource of their own, never in the role block', () => {
    const resources = synthRole([{ Effect: 'Allow', Action: 'dynamodb:ListTables', Resource: '*' }]);
    const [role] = Object.values(resources.aws_iam_role) as any[];
    expect(role).not.toHaveProperty('inline_policy');
    const policy = (Object.values(resources.aws_iam_role_policy) as any[]).find((candidate) => candidate.name === 'simulation-permissions');
    expect(JSON.parse(policy.policy)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'dynamodb:ListTables', Resource: '*' }],
    });
  });
});
