import { simulate, unknownNames } from './iam-simulator';

const INSTANCE = 'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0';
const terminationOnly = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'ec2:ModifyInstanceAttribute', Resource: '*', Condition: { StringEquals: { 'ec2:Attribute': 'disableApiTermination' } } }],
};

describe('the IAM simulator helper', () => {
  it('allows what a statement grants under its conditions, and nothing else', async () => {
    await expect(simulate({ identity: [terminationOnly] }, { action: 'ec2:ModifyInstanceAttribute', resource: INSTANCE, context: { 'ec2:Attribute': 'disableApiTermination' } })).resolves.toBe('Allowed');
    await expect(simulate({ identity: [terminationOnly] }, { action: 'ec2:ModifyInstanceAttribute', resource: INSTANCE, context: { 'ec2:Attribute': 'userData' } })).resolves.toBe('ImplicitlyDenied');
    const deny = { Statement: [{ Effect: 'Deny', Action: 'ec2:*', Resource: '*' }] };
    await expect(simulate({ identity: [terminationOnly, deny] }, { action: 'ec2:ModifyInstanceAttribute', resource: INSTANCE, context: { 'ec2:Attribute': 'disableApiTermination' } })).resolves.toBe(
      'ExplicitlyDenied',
    );
  });

  it('refuses a request AWS would never see, instead of answering it', async () => {
    await expect(simulate({ identity: [terminationOnly] }, { action: 'ec2:ModifyInstanceAttributes', resource: INSTANCE })).rejects.toThrow(/refused/);
  });

  it('names actions that do not exist and condition keys the actions do not take', async () => {
    const policy = {
      Statement: [
        { Effect: 'Allow', Action: ['detective:ListOrganizationAdminAccounts', 'guardduty:Get*'], Resource: '*', Condition: { StringEquals: { 'aws:SourceAccount': '123456789012', 'ec2:Attribute': 'x' } } },
        { Effect: 'Allow', Action: 'ec2:ModifyInstanceAttribute', Resource: '*', Condition: { StringEquals: { 'ec2:Attribute': 'x', 'aws:ResourceTag/Team': 'security' } } },
      ],
    };
    await expect(unknownNames(policy)).resolves.toEqual([
      'action detective:ListOrganizationAdminAccounts does not exist',
      'condition key ec2:Attribute is not taken by detective:ListOrganizationAdminAccounts, guardduty:Get*',
    ]);
  });
});
