import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { Instance } from '@cdktf/provider-aws/lib/instance';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';

/** Amazon's public parameter with the current Amazon Linux 2023 image for x86_64. */
export const AMAZON_LINUX_PARAMETER = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';
/** Enough memory for the SSM agent and the AWS CLI; burstable, free-tier eligible in most regions. */
export const SIMULATION_INSTANCE_TYPE = 't3.micro';

/** Names from the lab; the findings and e-mails show them. */
export const INSTANCE_NAMES = {
  scenario1: 'GuardDuty-Example: Compromised Instance: Scenario 1',
  scenario3: 'GuardDuty-Example: Compromised Instance: Scenario 3',
  malicious: 'GuardDuty-Example: Malicious Instance',
} as const;

export interface AmazonLinuxImageProps {
  readonly provider: AwsProvider;
  readonly region: string;
}

/** The current Amazon Linux 2023 image id of a region, from Amazon's public SSM parameter. */
export class AmazonLinuxImage extends Construct {
  readonly imageId: string;

  constructor(scope: Construct, id: string, props: AmazonLinuxImageProps) {
    super(scope, id);
    const parameter = new DataAwsSsmParameter(this, 'parameter', { ...props, name: AMAZON_LINUX_PARAMETER });
    // An image id is not a secret; `insecure_value` keeps it readable in plans.
    this.imageId = parameter.insecureValue;
  }
}

export interface SimulationInstanceProps {
  readonly provider: AwsProvider;
  readonly region: string;
  /** The Name tag, as the lab spells it. */
  readonly name: string;
  readonly imageId: string;
  readonly subnetId: string;
  readonly securityGroupIds: readonly string[];
  /** Instance profile name; its role must allow Session Manager. */
  readonly instanceProfile: string;
  /** Bash script run at first boot. @default none */
  readonly userData?: string;
  /** Whether the instance gets a public address of its own. @default true */
  readonly publicAddress?: boolean;
  /** Resources the instance must be created after and destroyed before. @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * One instance of the lab: reachable only through Session Manager (no key pair, no inbound rule),
 * IMDSv2 only (a stolen instance credential in scenario 3 has to be fetched with a session token,
 * as an attacker on a current instance would), encrypted root volume.
 */
export class SimulationInstance extends Construct {
  readonly instance: Instance;
  readonly instanceId: string;

  constructor(scope: Construct, id: string, props: SimulationInstanceProps) {
    super(scope, id);
    const { provider, region } = props;
    this.instance = new Instance(this, 'instance', {
      provider,
      region,
      ami: props.imageId,
      instanceType: SIMULATION_INSTANCE_TYPE,
      subnetId: props.subnetId,
      vpcSecurityGroupIds: [...props.securityGroupIds],
      associatePublicIpAddress: props.publicAddress ?? true,
      iamInstanceProfile: props.instanceProfile,
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1 },
      rootBlockDevice: { encrypted: true, volumeType: 'gp3' },
      // Standard credits: a looping script must not run up unlimited-mode CPU charges.
      creditSpecification: { cpuCredits: 'standard' },
      ...(props.userData ? { userData: props.userData, userDataReplaceOnChange: true } : {}),
      tags: { Name: props.name },
      ...(props.dependsOn ? { dependsOn: [...props.dependsOn] } : {}),
      lifecycle: {
        // A new Amazon Linux release should not replace the instances in the middle of a run; a new
        // instance is a `cdktf deploy` with -replace away. Security groups are changed by the
        // remediation Lambda on purpose: isolation must hold until the person redeploys.
        ignoreChanges: ['ami', 'vpc_security_group_ids'],
      },
    });
    this.instanceId = this.instance.id;
  }
}
