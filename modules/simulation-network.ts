import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { Construct } from 'constructs';
import type { IsolationGroupNames } from '../lib/plan/naming';
import { FORENSIC_GROUP_PURPOSE, REMEDIATION_GROUP_TAG } from '../lib/remediation/contract';

/** The lab's VPC: 256 addresses, one public subnet. */
export const SIMULATION_VPC_CIDR = '10.0.0.0/24';
export const TARGET_SECURITY_GROUP_NAME = 'TargetSecurityGroup';
export const MALICIOUS_SECURITY_GROUP_NAME = 'MaliciousSecurityGroup';

const ANYWHERE = '0.0.0.0/0';
/** ICMP echo request: type 8 (from_port), any code (to_port -1). */
const ECHO_REQUEST = { protocol: 'icmp', fromPort: 8, toPort: -1 } as const;
const ALL_EGRESS = { protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: [ANYWHERE] } as const;


export interface SimulationNetworkProps {
  /** Provider of the sandbox account. */
  readonly provider: AwsProvider;
  readonly region: string;
  /** Prefix of the Name tags (`<name>-simulation`). */
  readonly namePrefix: string;
  /**
   * Names of the groups the isolation Lambda looks up in the instance's VPC. The forensic group is
   * created here, so the Lambda finds it instead of creating a group outside Terraform, which would
   * keep `cdktf destroy` from deleting the VPC. Transition groups are the Lambda's own, one per
   * isolated instance, deleted when it is done (and by the sweep when a run failed).
   */
  readonly isolationGroupNames: Pick<IsolationGroupNames, 'forensic'>;
}

/**
 * The simulation's network: a VPC with one public subnet routed to an internet gateway, so the
 * instances reach the AWS APIs and Session Manager without NAT or endpoints. Endpoints would even
 * defeat scenario 2: calls through them do not come from the Elastic IP on the threat list.
 *
 * No group admits anything from the internet except ICMP echo requests to the malicious instance from
 * the Scenario 1 instance's public address (`allowPingsFrom`), which is where its pings come from.
 */
export class SimulationNetwork extends Construct {
  readonly vpc: Vpc;
  readonly subnet: Subnet;
  /** All three instances: no ingress, all egress. */
  readonly targetSecurityGroup: SecurityGroup;
  /** The malicious instance only: answers the Scenario 1 instance's pings (`allowPingsFrom`). */
  readonly maliciousSecurityGroup: SecurityGroup;
  /** The remediation Lambda's forensic group; instances are destroyed before it. */
  readonly forensicSecurityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: SimulationNetworkProps) {
    super(scope, id);
    const { provider, region, namePrefix } = props;
    const tags = (name: string) => ({ Name: `${namePrefix}-${name}` });

    this.vpc = new Vpc(this, 'vpc', {
      provider,
      region,
      cidrBlock: SIMULATION_VPC_CIDR,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: tags('vpc'),
    });
    this.subnet = new Subnet(this, 'public-subnet', {
      provider,
      region,
      vpcId: this.vpc.id,
      cidrBlock: SIMULATION_VPC_CIDR,
      // The Scenario 1 and 3 instances reach Session Manager and the AWS APIs through it.
      mapPublicIpOnLaunch: true,
      tags: tags('public'),
    });
    const gateway = new InternetGateway(this, 'internet-gateway', { provider, region, vpcId: this.vpc.id, tags: tags('igw') });
    const routes = new RouteTable(this, 'public-routes', { provider, region, vpcId: this.vpc.id, tags: tags('public') });
    new Route(this, 'default-route', {
      provider,
      region,
      routeTableId: routes.id,
      destinationCidrBlock: ANYWHERE,
      gatewayId: gateway.id,
    });
    new RouteTableAssociation(this, 'public-subnet-routes', { provider, region, subnetId: this.subnet.id, routeTableId: routes.id });

    this.targetSecurityGroup = new SecurityGroup(this, 'target-security-group', {
      provider,
      region,
      vpcId: this.vpc.id,
      name: TARGET_SECURITY_GROUP_NAME,
      description: 'GuardDuty simulation instances: no inbound, all outbound',
      ingress: [],
      egress: [{ ...ALL_EGRESS, cidrBlocks: [...ALL_EGRESS.cidrBlocks], description: 'AWS APIs, Session Manager, scenario traffic' }],
      tags: tags('target'),
    });
    this.maliciousSecurityGroup = new SecurityGroup(this, 'malicious-security-group', {
      provider,
      region,
      vpcId: this.vpc.id,
      name: MALICIOUS_SECURITY_GROUP_NAME,
      description: 'GuardDuty simulation malicious instance: answers the pings of scenario 1',
      // Nothing until allowPingsFrom names the Scenario 1 instance. The rules stay inline, so Terraform
      // owns the whole list: an upgrade replaces the earlier rule from anywhere rather than adding to it.
      ingress: [],
      egress: [],
      tags: tags('malicious'),
    });
    // Without rules here (an empty list removes the default egress rule). The Lambda may change only
    // groups tagged as its own, hence the tag.
    this.forensicSecurityGroup = new SecurityGroup(this, 'forensic-security-group', {
      provider,
      region,
      vpcId: this.vpc.id,
      name: props.isolationGroupNames.forensic,
      description: 'GuardDuty remediation: isolates compromised instances (no inbound, no outbound)',
      ingress: [],
      egress: [],
      tags: { ...tags(FORENSIC_GROUP_PURPOSE), [REMEDIATION_GROUP_TAG]: FORENSIC_GROUP_PURPOSE },
    });
  }

  /**
   * Lets the malicious instance answer ICMP echo requests from one address: the Scenario 1 instance's
   * public IP, where its pings come from (they reach the Elastic IP through the internet gateway).
   */
  allowPingsFrom(publicIp: string): void {
    this.maliciousSecurityGroup.putIngress([
      { ...ECHO_REQUEST, cidrBlocks: [`${publicIp}/32`], description: 'Scenario 1 pings (ICMP echo request), from the Scenario 1 instance only' },
    ]);
  }
}
