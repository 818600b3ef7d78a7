import type { Layout } from '../lib/terraform/previous-layout';
import type { Construct } from 'constructs';
import type { OrgConfig } from '../lib/config/load';
import { resourceName } from '../lib/plan/naming';
import { serviceControlPolicies } from '../lib/remediation/service-control-policy';
import { RemediationServiceControlPolicy } from '../modules/remediation-service-control-policy';
import { OrgStack, type OrgStackProps } from './org-stack';
import { deployedFunctions, functionRoleName, remediationRegions, type FunctionKey } from './remediation-stack';

/** The policy documents for a configuration: its exemption tag, security team and the roles of the functions it deploys. */
export function remediationScpDocuments(config: OrgConfig): string[] {
  const deployed = deployedFunctions(config);
  const roles = (key: FunctionKey) => (deployed.includes(key) ? remediationRegions(config).map((region) => functionRoleName(config, key, region)) : []);
  return serviceControlPolicies({
    partitionRegion: config.homeRegion,
    sandboxAccountId: config.accounts.sandbox,
    exemptTag: config.remediation.exemptTag,
    securityTeamRoles: config.remediation.serviceControlPolicy.securityTeamRoles,
    deploymentRoleName: config.roleName,
    roles: {
      isolation: roles('isolate-instance'),
      sweep: roles('sweep-isolations'),
      revocation: roles('revoke-role-sessions'),
      deactivation: roles('deactivate-access-key'),
    },
  });
}

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
    new RemediationServiceControlPolicy(this, 'scp', {
      provider: this.provider(config.accounts.management),
      policyName: resourceName(config, 'remediation-tags'),
      documents: remediationScpDocuments(config),
      targets: config.remediation.serviceControlPolicy.targets ?? [config.accounts.sandbox],
    });
  }

  /** A stack kind newer than the layout of lib/terraform/previous-layout.ts: nothing of it moved. */
  protected override get previousLayouts(): readonly Layout[] {
    return [];
  }
}
