import { Eip } from '@cdktf/provider-aws/lib/eip';
import { EipAssociation } from '@cdktf/provider-aws/lib/eip-association';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { isolationGroupNames, resourceName, type IsolationGroupNames } from '../lib/plan/naming';
import { scenario3Steps } from '../lib/simulation/scenario-3';
import { scenario1UserData, scenario2UserData } from '../lib/simulation/user-data';
import { SimulationData } from '../modules/simulation-data';
import { COMPROMISED_ROLE_NAME, SimulationIdentities } from '../modules/simulation-identities';
import { AmazonLinuxImage, INSTANCE_NAMES, SimulationInstance } from '../modules/simulation-instances';
import { SimulationNetwork } from '../modules/simulation-network';
import { OrgStack, type OrgStackProps } from './org-stack';

export interface SimulationStackProps extends OrgStackProps {
  /** Names the remediation's isolation Lambda uses for its groups. @default isolationGroupNames(config) */
  readonly isolationGroupNames?: IsolationGroupNames;
}

/**
 * The lab's three scenarios in the sandbox account, in the home region: a small VPC, the compromised
 * and malicious instances, the IAM user and role an attacker uses, and the data they touch. Removed
 * with one `cdktf destroy`.
 *
 * No long-term secret is in the state of this stack (which the threat-intel stack reads for the
 * Elastic IP): the malicious instance makes the compromised user's key itself (SimulationIdentities).
 */
export class SimulationStack extends OrgStack {
  /** Public IP of the malicious instance's Elastic IP, for the shared threat list. */
  readonly maliciousIp: string;
  readonly network: SimulationNetwork;
  readonly identities: SimulationIdentities;
  readonly data: SimulationData;
  readonly scenario1: SimulationInstance;
  readonly scenario3: SimulationInstance;
  readonly malicious: SimulationInstance;

  constructor(scope: Construct, props: SimulationStackProps) {
    super(scope, props);
    const { config } = props;
    const provider = this.provider(config.accounts.sandbox);
    const region = config.homeRegion;
    const namePrefix = resourceName(config, 'simulation');

    this.data = new SimulationData(this, 'data', { provider, region });
    this.identities = new SimulationIdentities(this, 'identities', {
      provider,
      namePrefix,
      tableArn: this.data.table.arn,
      passwordParameterArn: this.data.passwordParameter.arn,
    });
    this.network = new SimulationNetwork(this, 'network', {
      provider,
      region,
      namePrefix,
      isolationGroupNames: props.isolationGroupNames ?? isolationGroupNames(config),
    });
    const image = new AmazonLinuxImage(this, 'amazon-linux', { provider, region });

    // Allocated on its own and associated later, so its address is known before any instance boots:
    // the Scenario 1 and malicious scripts get it in their user data.
    const eip = new Eip(this, 'malicious-eip', { provider, region, domain: 'vpc', tags: { Name: `${namePrefix}-malicious` } });
    this.maliciousIp = eip.publicIp;

    const network = this.network;
    const common = {
      provider,
      region,
      imageId: image.imageId,
      subnetId: network.subnet.id,
      // Destroyed before the forensic group, which the Lambda may have moved them into.
      dependsOn: [network.forensicSecurityGroup],
    };
    this.scenario1 = new SimulationInstance(this, 'scenario-1', {
      ...common,
      name: INSTANCE_NAMES.scenario1,
      securityGroupIds: [network.targetSecurityGroup.id],
      instanceProfile: this.identities.scenario1Role.instanceProfile.name,
      userData: scenario1UserData({ targetIp: this.maliciousIp }),
    });
    this.scenario3 = new SimulationInstance(this, 'scenario-3', {
      ...common,
      name: INSTANCE_NAMES.scenario3,
      securityGroupIds: [network.targetSecurityGroup.id],
      instanceProfile: this.identities.compromisedRole.instanceProfile.name,
    });
    this.malicious = new SimulationInstance(this, 'malicious', {
      ...common,
      name: INSTANCE_NAMES.malicious,
      securityGroupIds: [network.targetSecurityGroup.id, network.maliciousSecurityGroup.id],
      instanceProfile: this.identities.maliciousInstanceRole.instanceProfile.name,
      // Its only public address is the Elastic IP, so every call it makes comes from the threat list.
      publicAddress: false,
      userData: scenario2UserData({
        maliciousIp: this.maliciousIp,
        region,
        userName: this.identities.compromisedUser.name,
        tableName: this.data.table.name,
        parameterName: this.data.passwordParameter.name,
      }),
    });
    // The malicious instance answers the pings of the Scenario 1 instance only (from its public address).
    network.allowPingsFrom(this.scenario1.instance.publicIp);
    new EipAssociation(this, 'malicious-eip-association', {
      provider,
      region,
      allocationId: eip.allocationId,
      instanceId: this.malicious.instanceId,
    });

    this.addOutputs(region);
  }

  private addOutputs(region: string): void {
    const output = (id: string, description: string, value: string) => new TerraformOutput(this, id, { description, value });
    output('malicious-ip', 'Elastic IP of the malicious instance; it is on the first threat list', this.maliciousIp);
    output('scenario-1-instance-id', INSTANCE_NAMES.scenario1, this.scenario1.instanceId);
    output('scenario-3-instance-id', INSTANCE_NAMES.scenario3, this.scenario3.instanceId);
    output('malicious-instance-id', INSTANCE_NAMES.malicious, this.malicious.instanceId);
    output(
      'scenario-3-steps',
      'Scenario 3: copy the role credentials off the instance and use them outside AWS',
      scenario3Steps({ instanceId: this.scenario3.instanceId, region, roleName: COMPROMISED_ROLE_NAME }),
    );
  }
}
