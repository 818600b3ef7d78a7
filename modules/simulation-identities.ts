import { IamAccessKey } from '@cdktf/provider-aws/lib/iam-access-key';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { IamUser } from '@cdktf/provider-aws/lib/iam-user';
import { IamUserPolicy } from '@cdktf/provider-aws/lib/iam-user-policy';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { Construct } from 'constructs';
import { policyDocument, type PolicyStatement } from '../lib/policy';

/** Names from the lab: the findings, e-mails and remediation refer to them. */
export const COMPROMISED_USER_NAME = 'GuardDuty-Example-Compromised-Simulated';
export const COMPROMISED_ROLE_NAME = 'GuardDuty-Example-EC2-Compromised';

/** Session Manager access without SSH or inbound ports. */
export const SSM_MANAGED_INSTANCE_CORE = 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore';

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
 * An EC2 instance role reachable through Session Manager, with its instance profile.
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
    new IamRolePolicyAttachment(this, 'session-manager', { provider, role: this.role.name, policyArn: SSM_MANAGED_INSTANCE_CORE });
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
  readonly region: string;
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
 * The user's secret access key is necessarily in the Terraform state (of `aws_iam_access_key` and of
 * the parameter that carries it): the state of this stack must be protected like the key itself
 * (encrypted backend, restricted readers). The key never appears in user data or outputs: the
 * malicious instance reads it from SSM SecureString parameters at run time with its own role.
 */
export class SimulationIdentities extends Construct {
  readonly compromisedUser: IamUser;
  /** SSM SecureString parameters holding the user's access key id and secret. */
  readonly accessKeyIdParameter: SsmParameter;
  readonly secretAccessKeyParameter: SsmParameter;
  /** Role `GuardDuty-Example-EC2-Compromised` of the Scenario 3 instance. */
  readonly compromisedRole: InstanceRole;
  readonly maliciousInstanceRole: InstanceRole;
  readonly scenario1Role: InstanceRole;

  constructor(scope: Construct, id: string, props: SimulationIdentitiesProps) {
    super(scope, id);
    const { provider, region, namePrefix } = props;
    const dataAccess = labDataAccess(props.tableArn, props.passwordParameterArn);

    // forceDestroy: keys, login profiles or MFA devices someone adds while exploring must not block
    // `cdktf destroy`.
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
    const accessKey = new IamAccessKey(this, 'compromised-user-key', { provider, user: this.compromisedUser.name });
    const keyParameter = (purpose: string, description: string, value: string) =>
      new SsmParameter(this, purpose, {
        provider,
        region,
        name: `/${namePrefix}/compromised-user/${purpose}`,
        description,
        type: 'SecureString',
        value,
      });
    this.accessKeyIdParameter = keyParameter('access-key-id', `Access key id of ${COMPROMISED_USER_NAME} (scenario 2)`, accessKey.id);
    this.secretAccessKeyParameter = keyParameter(
      'secret-access-key',
      `Secret access key of ${COMPROMISED_USER_NAME} (scenario 2)`,
      accessKey.secret,
    );

    this.compromisedRole = new InstanceRole(this, 'compromised-role', {
      provider,
      name: COMPROMISED_ROLE_NAME,
      description: 'Instance role of the Scenario 3 instance; its credentials are copied and used outside AWS',
      statements: dataAccess,
    });
    this.maliciousInstanceRole = new InstanceRole(this, 'malicious-instance-role', {
      provider,
      name: `${namePrefix}-malicious-instance`,
      description: 'Malicious instance of the simulation: reads the compromised key at run time',
      statements: [
        {
          Sid: 'ReadCompromisedKey',
          Effect: 'Allow',
          Action: 'ssm:GetParameter',
          Resource: [this.accessKeyIdParameter.arn, this.secretAccessKeyParameter.arn],
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
