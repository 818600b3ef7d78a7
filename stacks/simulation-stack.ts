import { Eip } from '@cdktf/provider-aws/lib/eip';
import type { Construct } from 'constructs';
import { resourceName } from '../lib/naming';
import { OrgStack, type OrgStackProps } from './org-stack';

/**
 * The lab's three scenarios in the sandbox account, in the home region: a small VPC, the compromised
 * and malicious instances, the IAM user and role an attacker uses, and the data they touch. Removed
 * with one `cdktf destroy`.
 */
export class SimulationStack extends OrgStack {
  /** Public IP of the malicious instance's Elastic IP, for the shared threat list. */
  readonly maliciousIp: string;

  constructor(scope: Construct, props: OrgStackProps) {
    super(scope, props);
    const { config } = props;
    const provider = this.provider(config.accounts.sandbox);
    const region = config.homeRegion;
    const eip = new Eip(this, 'malicious-eip', {
      provider,
      region,
      domain: 'vpc',
      tags: { Name: resourceName(config, 'simulation-malicious') },
    });
    this.maliciousIp = eip.publicIp;
  }
}
