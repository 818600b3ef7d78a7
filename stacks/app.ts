import { App } from 'cdktf';
import type { OrgConfig } from '../lib/config/load';
import { planStacks, STACK_IDS, type PlannedStack, type StackPlan } from '../lib/plan/stacks';
import { AdminStack } from './admin-stack';
import { DetectiveMembersStack, DetectiveStack } from './detective-stack';
import { MalwareProtectionStack } from './malware-protection-stack';
import { MemberPlansStack, MembersStack } from './members-stack';
import { OrganizationStack } from './organization-stack';
import { OrgStack } from './org-stack';
import { RemediationScpStack } from './remediation-scp-stack';
import { RemediationStack } from './remediation-stack';
import { SecurityHubMembersStack, SecurityHubStack } from './security-hub-stack';
import { SimulationStack } from './simulation-stack';
import { ThreatIntelStack } from './threat-intel-stack';

export interface BuildOptions {
  /** Where `synth` writes; cdktf's CLI sets this through CDKTF_OUTDIR. @default cdktf.out */
  readonly outdir?: string;
  /** @default planStacks(config) */
  readonly plan?: StackPlan;
}

/** The cdktf app for a configuration: one stack per entry of the stack plan, with its dependencies. */
export function buildApp(config: OrgConfig, options: BuildOptions = {}): App {
  const app = new App({ ...(options.outdir ? { outdir: options.outdir } : {}) });
  addStacks(app, config, options.plan ?? planStacks(config));
  return app;
}

export function addStacks(app: App, config: OrgConfig, plan: StackPlan): Map<string, OrgStack> {
  const stacks = new Map<string, OrgStack>();
  for (const planned of plan.stacks) {
    const stack = createStack(app, config, planned);
    for (const dependency of planned.dependsOn) {
      const required = stacks.get(dependency);
      if (!required) throw new Error(`stack plan: ${planned.id} is ordered before its dependency ${dependency}`);
      stack.addDependency(required);
    }
    stacks.set(planned.id, stack);
  }
  return stacks;
}

function createStack(app: App, config: OrgConfig, planned: PlannedStack): OrgStack {
  const props = { config, planned };
  const adminDetectorIds = () => earlierStack(app, STACK_IDS.admin, AdminStack).detectorIds;
  switch (planned.kind) {
    case 'admin':
      return new AdminStack(app, props);
    case 'organization':
      return new OrganizationStack(app, { ...props, adminDetectorIds: adminDetectorIds() });
    case 'members':
      return new MembersStack(app, { ...props, adminDetectorIds: adminDetectorIds() });
    case 'member-plans':
      return new MemberPlansStack(app, { ...props, adminDetectorIds: adminDetectorIds() });
    case 'threat-intel':
      return new ThreatIntelStack(app, {
        ...props,
        adminDetectorIds: adminDetectorIds(),
        // The simulation's malicious Elastic IP joins the first threat list.
        maliciousIp: config.simulation.enabled ? earlierStack(app, STACK_IDS.simulation, SimulationStack).maliciousIp : undefined,
      });
    case 'remediation':
      return new RemediationStack(app, props);
    case 'remediation-scp':
      return new RemediationScpStack(app, props);
    case 'simulation':
      return new SimulationStack(app, props);
    case 'security-hub':
      return new SecurityHubStack(app, props);
    case 'security-hub-members':
      return new SecurityHubMembersStack(app, props);
    case 'detective':
      return new DetectiveStack(app, props);
    case 'detective-members':
      return new DetectiveMembersStack(app, { ...props, graphArns: earlierStack(app, STACK_IDS.detective, DetectiveStack).graphArns });
    case 'malware-protection':
      return new MalwareProtectionStack(app, props);
  }
}

/** A stack the plan orders before the one being built, whose outputs that one refers to. */
function earlierStack<T extends OrgStack>(app: App, id: string, type: abstract new (...args: never[]) => T): T {
  const stack = app.node.tryFindChild(id);
  if (!(stack instanceof type)) throw new Error(`stack plan: stack ${id} must be built before the stacks that refer to it`);
  return stack;
}
