import type { Construct } from 'constructs';
import { resourceName } from '../lib/plan/naming';
import { serviceControlPolicies } from '../lib/remediation/service-control-policy';
import { RemediationServiceControlPolicy } from '../modules/remediation-service-control-policy';
import { OrgStack, type OrgStackProps } from './org-stack';
import { deployedFunctions, functionRoleName, remediationRegions, type FunctionKey } from './remediation-stack';

/**
 * The service control policy that reserves the remediation's tags and revocation policies for the
 * security team and the remediation's roles (`remediation.serviceControlPolicy`), in the management
 * account, attached to the targets named (by default the sandbox account). The remediation stack
 * waits for it: the exemption tag is honoured only once it is in force.
 */
export class RemediationScpStack extends OrgStack {
  constructor(scope: Construct, props: OrgStackProps) {
    super(scope, props);
    const { config } = props;
    const { management, sandbox } = config.accounts;
    const scp = config.remediation.serviceControlPolicy;
    const deployed = deployedFunctions(config);
    const roles = (key: FunctionKey) => (deployed.includes(key) ? remediationRegions(config).map((region) => functionRoleName(config, key, region)) : []);
    new RemediationServiceControlPolicy(this, 'scp', {
      provider: this.provider(management),
      policyName: resourceName(config, 'remediation-tags'),
      documents: serviceControlPolicies({
        partitionRegion: config.homeRegion,
        sandboxAccountId: sandbox,
        exemptTag: config.remediation.exemptTag,
        securityTeamRoles: scp.securityTeamRoles,
        deploymentRoleName: config.roleName,
        roles: {
          isolation: roles('isolate-instance'),
          sweep: roles('sweep-isolations'),
          revocation: roles('revoke-role-sessions'),
          deactivation: roles('deactivate-access-key'),
        },
      }),
      targets: scp.targets ?? [sandbox],
    });
  }

  /** A stack kind newer than the layout of lib/terraform/previous-layout.ts: nothing of it moved. */
  protected override get hasPreviousLayout(): boolean {
    return false;
  }
}
