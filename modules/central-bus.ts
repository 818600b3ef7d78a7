import { CloudwatchEventArchive } from '@cdktf/provider-aws/lib/cloudwatch-event-archive';
import { CloudwatchEventBus } from '@cdktf/provider-aws/lib/cloudwatch-event-bus';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { servicePrincipal } from '../lib/aws/partition';
import { findingPattern } from '../lib/guardduty/findings';
import { policyDocument, serviceTrustPolicy } from '../lib/aws/policy';

export interface CentralBusProps {
  /** Provider of the account that owns the bus (the GuardDuty administrator). */
  readonly provider: AwsProvider;
  /** The home region. */
  readonly region: string;
  /** Account id of the provider's account: only EventBridge on its behalf may assume the sender role. */
  readonly accountId: string;
  /** Physical name of the bus, its archive and its sender role. */
  readonly busName: string;
  /** Days the archive keeps findings for replay; 0 keeps them forever. */
  readonly archiveRetentionDays: number;
}

/**
 * The custom EventBridge bus where the findings of every region and account arrive, with the archive
 * that lets a new consumer replay them, and the role through which forwarding rules put events on it.
 *
 * No resource policy: every forwarder runs in the bus's own account (GuardDuty delivers every
 * member's findings to the administrator's default bus in each region), so its role's IAM policy is
 * all it needs, and no other account or organization may put events on the bus.
 */
export class CentralBus extends Construct {
  readonly bus: CloudwatchEventBus;
  /** The bus ARN: the target of every forwarder. */
  readonly busArn: string;
  /** The bus name, for rules on it. */
  readonly busName: string;
  /** The role EventBridge assumes to forward to the bus; it may do nothing else. */
  readonly senderRole: IamRole;
  readonly archive: CloudwatchEventArchive;

  constructor(scope: Construct, id: string, props: CentralBusProps) {
    super(scope, id);
    const { provider, region } = props;
    this.bus = new CloudwatchEventBus(this, 'bus', {
      provider,
      region,
      name: props.busName,
      description: 'GuardDuty findings of every account and region',
    });
    this.busArn = this.bus.arn;
    this.busName = this.bus.name;

    this.archive = new CloudwatchEventArchive(this, 'archive', {
      provider,
      region,
      name: props.busName,
      description: 'Every GuardDuty finding that reached the central bus, for replay',
      eventSourceArn: this.bus.arn,
      retentionDays: props.archiveRetentionDays,
      eventPattern: JSON.stringify(findingPattern()),
    });

    this.senderRole = new IamRole(this, 'sender-role', {
      provider,
      name: `${props.busName}-forwarder`,
      description: `EventBridge forwards GuardDuty findings to the ${props.busName} bus`,
      assumeRolePolicy: serviceTrustPolicy(servicePrincipal('events', region), props.accountId),
    });
    new IamRolePolicy(this, 'sender-policy', {
      provider,
      role: this.senderRole.id,
      name: 'PutEventsOnCentralBus',
      policy: policyDocument({ Effect: 'Allow', Action: 'events:PutEvents', Resource: this.bus.arn }),
    });
  }
}
