import { App } from 'cdktf';
import type { OrgConfig } from '../lib/config/load';
import { planStacks, STACK_IDS, type PlannedStack, type StackPlan } from '../lib/plan';
import { AdminStack } from './admin-stack';
import { DetectiveMembersStack, DetectiveStack } from './detective-stack';
import { MembersStack } from './members-stack';
import { OrganizationStack } from './organization-stack';
import { OrgStack } from './org-stack';
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
  let admin: AdminStack | undefined;
  const adminDetectorIds = () => {
    if (!admin) throw new Error('stack plan: the admin stack must come first');
    return admin.detectorIds;
  };
  for (const planned of plan.stacks) {
    const stack = createStack(app, config, planned, adminDetectorIds);
    if (stack instanceof AdminStack) admin = stack;
    for (const dependency of planned.dependsOn) {
      const required = stacks.get(dependency);
      if (!required) throw new Error(`stack plan: ${planned.id} is ordered before its dependency ${dependency}`);
      stack.addDependency(required);
    }
    stacks.set(planned.id, stack);
  }
  return stacks;
}

function createStack(
  app: App,
  config: OrgConfig,
  planned: PlannedStack,
  adminDetectorIds: () => Readonly<Record<string, string>>,
): OrgStack {
  const props = { config, planned };
  switch (planned.kind) {
    case 'admin':
      return new AdminStack(app, props);
    case 'organization':
      return new OrganizationStack(app, { ...props, adminDetectorIds: adminDetectorIds() });
    case 'members':
      return new MembersStack(app, { ...props, adminDetectorIds: adminDetectorIds() });
    case 'threat-intel':
      return new ThreatIntelStack(app, { ...props, adminDetectorIds: adminDetectorIds(), maliciousIp: simulationMaliciousIp(app, config) });
    case 'remediation':
      return new RemediationStack(app, props);
    case 'simulation':
      return new SimulationStack(app, props);
    case 'security-hub':
      return new SecurityHubStack(app, props);
    case 'security-hub-members':
      return new SecurityHubMembersStack(app, props);
    case 'detective':
      return new DetectiveStack(app, props);
    case 'detective-members':
      return new DetectiveMembersStack(app, { ...props, graphArns: detectiveGraphArns(app) });
  }
}

/** The behavior graph ARNs of the detective stack, which the plan orders before its waves. */
function detectiveGraphArns(app: App): Readonly<Record<string, string>> {
  const detective = app.node.tryFindChild(STACK_IDS.detective);
  if (!(detective instanceof DetectiveStack)) throw new Error('stack plan: the detective stack must come before its waves');
  return detective.graphArns;
}

/** The simulation's malicious Elastic IP for the first threat list; the plan orders its stack first. */
function simulationMaliciousIp(app: App, config: OrgConfig): string | undefined {
  if (!config.simulation.enabled) return undefined;
  const simulation = app.node.tryFindChild(STACK_IDS.simulation);
  if (!(simulation instanceof SimulationStack)) throw new Error('stack plan: the simulation stack must come before threat-intel');
  return simulation.maliciousIp;
}
