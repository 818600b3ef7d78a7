import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { InstanceRole, SSM_MANAGED_INSTANCE_CORE } from '../../modules/simulation-identities';

function synthRole(statements?: ConstructorParameters<typeof InstanceRole>[2]['statements']) {
  const stack = new TerraformStack(Testing.app(), 'test');
  const provider = new AwsProvider(stack, 'aws', { region: 'us-west-2' });
  new InstanceRole(stack, 'role', { provider, name: 'acme-simulation-test', description: 'test role', statements });
  return JSON.parse(Testing.synth(stack, true)).resource;
}

describe('InstanceRole', () => {
  it('is an EC2 role with force-detach, Session Manager, and an instance profile of the same name', () => {
    const resources = synthRole();
    const [role] = Object.values(resources.aws_iam_role) as any[];
    expect(role).toMatchObject({ name: 'acme-simulation-test', force_detach_policies: true, description: 'test role' });
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    expect(Object.values(resources.aws_iam_role_policy_attachment)).toEqual([
      expect.objectContaining({ policy_arn: SSM_MANAGED_INSTANCE_CORE }),
    ]);
    expect(Object.values(resources.aws_iam_instance_profile)).toEqual([expect.objectContaining({ name: 'acme-simulation-test' })]);
    // Without further permissions there is no inline policy resource at all.
    expect(resources.aws_iam_role_policy).toBeUndefined();
  });

  it('puts further permissions in a policy resource of their own, never in the role block', () => {
    const resources = synthRole([{ Effect: 'Allow', Action: 'dynamodb:ListTables', Resource: '*' }]);
    const [role] = Object.values(resources.aws_iam_role) as any[];
    expect(role).not.toHaveProperty('inline_policy');
    const [policy] = Object.values(resources.aws_iam_role_policy) as any[];
    expect(policy.name).toBe('simulation-permissions');
    expect(JSON.parse(policy.policy)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'dynamodb:ListTables', Resource: '*' }],
    });
  });
});
