import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamUser } from '@cdktf/provider-aws/lib/iam-user';
import { IamUserPolicy } from '@cdktf/provider-aws/lib/iam-user-policy';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { policyDocument, type PolicyStatement } from '../lib/aws/policy';

/** Names from the lab: the findings, e-mails and remediation refer to them. */
export const COMPROMISED_USER_NAME = 'GuardDuty-Example-Compromised-Simulated';
export const COMPROMISED_ROLE_NAME = 'GuardDuty-Example-EC2-Compromised';

/**
 * What the SSM agent needs for Session Manager and nothing more (the Systems Manager guide's custom
 * role with minimal Session Manager permissions, without session logging). Not the managed
 * AmazonSSMManagedInstanceCore: its `ssm:GetParameter*` on every parameter would hand whoever copies
 * an instance's credentials (scenario 3) every parameter of the account.
 */
export const SESSION_MANAGER_STATEMENT: PolicyStatement = {
  Sid: 'SessionManager',
  Effect: 'Allow',
  Action: ['ssm:UpdateInstanceInformation', 'ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'],
  Resource: '*',
};

// A trust policy has no Resource, which `PolicyStatement` requires; so it is written out here.
const EC2_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

export interface InstanceRoleProps {
  readonly provider: AwsProvider;
  /** Role and instance profile name. */
  readonly name: string;
  readonly description: string;
  /** Further permissions, as an inline policy next to Session Manager's. @default Session Manager only */
  readonly statements?: readonly PolicyStatement[];
}

/**
 * An EC2 instance role reachable through Session Manager (its minimal permissions, in an inline
 * policy of their own), with its instance profile.
 *
 * `forceDetachPolicies` because the revocation Lambda adds the inline policy `RevokeOldSessions`
 * outside Terraform: with it, the AWS provider lists and deletes every inline policy and detaches
 * every managed one before `DeleteRole` (provider source, `DeleteRole` in internal/service/iam/role.go),
 * so `cdktf destroy` needs no hand work. The permissions sit in `aws_iam_role_policy` resources, not
 * the role's `inline_policy` block, so a later apply does not remove `RevokeOldSessions` either.
 */
export class InstanceRole extends Construct {
  readonly role: IamRole;
  readonly instanceProfile: IamInstanceProfile;

  constructor(scope: Construct, id: string, props: InstanceRoleProps) {
    super(scope, id);
    const { provider } = props;
    this.role = new IamRole(this, 'role', {
      provider,
      name: props.name,
      description: props.description,
      assumeRolePolicy: EC2_TRUST,
      forceDetachPolicies: true,
    });
    new IamRolePolicy(this, 'session-manager', { provider, role: this.role.name, name: 'session-manager', policy: policyDocument(SESSION_MANAGER_STATEMENT) });
    if (props.statements && props.statements.length > 0) {
      new IamRolePolicy(this, 'permissions', {
        provider,
        role: this.role.name,
        name: 'simulation-permissions',
        policy: policyDocument(...props.statements),
      });
    }
    this.instanceProfile = new IamInstanceProfile(this, 'profile', { provider, name: props.name, role: this.role.name });
  }
}

export interface SimulationIdentitiesProps {
  readonly provider: AwsProvider;
  /** Prefix of the physical names that are ours rather than the lab's (`<name>-simulation-...`). */
  readonly namePrefix: string;
  /** ARN of the customer table the attacker reads. */
  readonly tableArn: string;
  /** ARN of the password parameter the attacker reads. */
  readonly passwordParameterArn: string;
}

/**
 * Who acts in the scenarios: the IAM user whose key the malicious instance uses (scenario 2), the
 * instance role whose credentials a person copies off the Scenario 3 instance (scenario 3), and the
 * plain Session Manager roles of the other two instances.
 *
 * No access key is made here: Terraform would keep its secret in the state, which the threat-intel
 * stack reads for the Elastic IP. The malicious instance makes the key itself at boot, with a role
 * that may list, create and delete the keys of that one user and nothing else in IAM (see
 * `scenario2UserData`); the user's `forceDestroy` deletes whatever keys it has on `cdktf destroy`.
 */
export class SimulationIdentities extends Construct {
  readonly compromisedUser: IamUser;
  /** Role `GuardDuty-Example-EC2-Compromised` of the Scenario 3 instance. */
  readonly compromisedRole: InstanceRole;
  readonly maliciousInstanceRole: InstanceRole;
  readonly scenario1Role: InstanceRole;

  constructor(scope: Construct, id: string, props: SimulationIdentitiesProps) {
    super(scope, id);
    const { provider, namePrefix } = props;
    const dataAccess = labDataAccess(props.tableArn, props.passwordParameterArn);

    // forceDestroy: the key the malicious instance made, and keys, login profiles or MFA devices
    // someone adds while exploring, must not block `cdktf destroy`.
    this.compromisedUser = new IamUser(this, 'compromised-user', { provider, name: COMPROMISED_USER_NAME, forceDestroy: true });
    new IamUserPolicy(this, 'compromised-user-policy', {
      provider,
      user: this.compromisedUser.name,
      name: 'simulation-permissions',
      policy: policyDocument(...dataAccess, {
        Sid: 'ReadSelf',
        Effect: 'Allow',
        Action: 'iam:GetUser',
        Resource: this.compromisedUser.arn,
      }),
    });
    this.compromisedRole = new InstanceRole(this, 'compromised-role', {
      provider,
      name: COMPROMISED_ROLE_NAME,
      description: 'Instance role of the Scenario 3 instance; its credentials are copied and used outside AWS',
      statements: dataAccess,
    });
    this.maliciousInstanceRole = new InstanceRole(this, 'malicious-instance-role', {
      provider,
      name: `${namePrefix}-malicious-instance`,
      description: 'Malicious instance of the simulation: makes the compromised user a key at boot',
      statements: [
        {
          Sid: 'MakeTheCompromisedUserKey',
          Effect: 'Allow',
          Action: ['iam:ListAccessKeys', 'iam:CreateAccessKey', 'iam:DeleteAccessKey'],
          Resource: this.compromisedUser.arn,
        },
      ],
    });
    this.scenario1Role = new InstanceRole(this, 'scenario-1-role', {
      provider,
      name: `${namePrefix}-scenario-1-instance`,
      description: 'Scenario 1 instance of the simulation: Session Manager only',
    });
  }
}

/** What the lab lets the compromised user and role do with its data: read the table and the parameter. */
function labDataAccess(tableArn: string, parameterArn: string): PolicyStatement[] {
  return [
    { Sid: 'ListTables', Effect: 'Allow', Action: 'dynamodb:ListTables', Resource: '*' },
    {
      Sid: 'ReadCustomerTable',
      Effect: 'Allow',
      Action: ['dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'],
      Resource: tableArn,
    },
    { Sid: 'ListParameters', Effect: 'Allow', Action: 'ssm:DescribeParameters', Resource: '*' },
    {
      Sid: 'ReadPasswordParameter',
      Effect: 'Allow',
      Action: ['ssm:GetParameter', 'ssm:GetParameters'],
      Resource: parameterArn,
    },
  ];
}
