import { DescribeRuleCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { isDeepStrictEqual } from 'node:util';
import { instanceAttributes, literalValue, resourceAccount, resourceInstances, withLocalEntries, type StackJson } from '../common/synthesized';
import { allPages, type Task } from './context';
import { compared, unreadable, type RowBase } from './report';

/**
 * EventBridge rules and Lambda functions, expected as the synthesized stacks declare them. Their
 * names, buses, targets and environments are put together inside the stacks and modules (the
 * forwarders, the central bus's rules, the remediation); reading the stack JSON, as `cdktf deploy`
 * does, keeps verify on exactly what is deployed, for any stack that declares them.
 */

export interface RuleExpectation {
  readonly stack: string;
  readonly account: string;
  readonly region: string;
  readonly name: string;
  readonly busName: string;
  /** Target ids, sorted. */
  readonly targetIds: readonly string[];
  /** The event pattern, parsed, when the JSON holds it literally. */
  readonly pattern?: unknown;
}

export interface FunctionExpectation {
  readonly stack: string;
  readonly account: string;
  readonly region: string;
  readonly name: string;
  /** `source_code_hash`: what Lambda reports as CodeSha256 for the reviewed bundle. */
  readonly codeSha256?: string;
  /** The environment variables whose values are literal (references to other resources are left out). */
  readonly environment: Readonly<Record<string, string>>;
}

export interface SynthesizedExpectations {
  readonly rules: readonly RuleExpectation[];
  readonly functions: readonly FunctionExpectation[];
  /** Resources whose name, region or account is only known at apply time: not verifiable, and said so. */
  readonly unresolved: readonly string[];
}

/**
 * The instances of one resource type, by address without the type (`forwarder["us-east-1"]`), with
 * the arguments each has (a keyed block's `each.value...` read from its `for_each` map, and what it
 * reads by key from a local map).
 */
function instancesOf(stack: StackJson, type: string): [string, Record<string, any>][] {
  return resourceInstances({ resource: { [type]: stack.resource?.[type] ?? {} }, locals: stack.locals }).map((instance) => [
    instance.address.slice(type.length + 1),
    withLocalEntries(stack, instanceAttributes(instance)) as Record<string, any>,
  ]);
}

export function synthesizedExpectations(stackId: string, stack: StackJson): SynthesizedExpectations {
  const rules: RuleExpectation[] = [];
  const functions: FunctionExpectation[] = [];
  const unresolved: string[] = [];
  const targets = instancesOf(stack, 'aws_cloudwatch_event_target').map(([, target]) => target);
  for (const [key, rule] of instancesOf(stack, 'aws_cloudwatch_event_rule')) {
    const where = located(stack, rule, rule.name);
    if (!where) {
      unresolved.push(`${stackId}: aws_cloudwatch_event_rule.${key}`);
      continue;
    }
    const reference = `\${aws_cloudwatch_event_rule.${key}.name}`;
    const pattern = literalValue(stack, rule.event_pattern);
    rules.push({
      stack: stackId,
      ...where,
      busName: literalValue(stack, rule.event_bus_name ?? 'default') ?? '?',
      targetIds: targets.filter((target) => target.rule === reference).map((target) => String(target.target_id)).sort(),
      ...(pattern !== undefined ? { pattern: JSON.parse(pattern) } : {}),
    });
  }
  for (const [key, fn] of instancesOf(stack, 'aws_lambda_function')) {
    const where = located(stack, fn, fn.function_name);
    if (!where) {
      unresolved.push(`${stackId}: aws_lambda_function.${key}`);
      continue;
    }
    const variables: Record<string, unknown> = fn.environment?.variables ?? {};
    const environment = Object.fromEntries(Object.entries(variables).flatMap(([name, value]) => {
      const literal = literalValue(stack, value);
      return literal === undefined || literal !== value ? [] : [[name, literal]];
    }));
    functions.push({ stack: stackId, ...where, ...(typeof fn.source_code_hash === 'string' ? { codeSha256: fn.source_code_hash } : {}), environment });
  }
  return { rules, functions, unresolved };
}

function located(stack: StackJson, attributes: Record<string, unknown>, name: unknown): { account: string; region: string; name: string } | undefined {
  const account = resourceAccount(stack, attributes);
  const region = literalValue(stack, attributes.region) ?? literalValue(stack, stack.provider?.aws?.[0]?.region);
  const literal = literalValue(stack, name);
  return account && region && literal ? { account, region, name: literal } : undefined;
}

const RULE_OK_STATES = new Set(['ENABLED']);

/** A rule: present on its bus, enabled, with its targets and (when literal) its event pattern. */
export function ruleTask(rule: RuleExpectation): Task {
  const base: RowBase = { check: 'event-rule', stack: rule.stack, account: rule.account, region: rule.region };
  const subject = rule.busName === 'default' ? rule.name : `${rule.name} (bus ${rule.busName})`;
  const expected = `ENABLED, targets ${rule.targetIds.join(', ') || 'none'}`;
  return {
    label: `${rule.account} ${rule.region}: rule ${rule.name}`,
    run: async (context) => {
      const client = context.clients.eventbridge(rule.account, rule.region);
      try {
        const described = await context.call(() => client.send(new DescribeRuleCommand({ Name: rule.name, EventBusName: rule.busName })));
        const targets = await allPages(async (token) => {
          const page = await context.call(() => client.send(new ListTargetsByRuleCommand({ Rule: rule.name, EventBusName: rule.busName, NextToken: token })));
          return { items: page.Targets ?? [], next: page.NextToken };
        });
        const ids = targets.map((target) => target.Id ?? '?').sort();
        const samePattern = rule.pattern === undefined || isDeepStrictEqual(parse(described.EventPattern), rule.pattern);
        const found = `${described.State}, targets ${ids.join(', ') || 'none'}${samePattern ? '' : ', event pattern changed'}`;
        return [compared(base, subject, expected, found, RULE_OK_STATES.has(described.State ?? '') && isDeepStrictEqual(ids, rule.targetIds) && samePattern)];
      } catch (error) {
        if ((error as { name?: string }).name === 'ResourceNotFoundException') return [compared(base, subject, expected, 'absent')];
        return [unreadable(base, subject, expected, error)];
      }
    },
  };
}

function parse(pattern: string | undefined): unknown {
  try {
    return pattern === undefined ? undefined : JSON.parse(pattern);
  } catch {
    return pattern;
  }
}

/** An idle function goes Inactive and wakes on its next event; both states run the code. */
const FUNCTION_OK_STATES = new Set(['Active', 'Inactive']);

/** A function: present, runnable, the reviewed code, the configured environment (its MODE above all). */
export function functionTask(fn: FunctionExpectation): Task {
  const base: RowBase = { check: 'function', stack: fn.stack, account: fn.account, region: fn.region };
  const mode = fn.environment.MODE === undefined ? '' : `, MODE=${fn.environment.MODE}`;
  const code = (sha: string | undefined) => (sha ? `, code ${sha.slice(0, 12)}` : '');
  const expected = `Active${mode}${code(fn.codeSha256)}`;
  return {
    label: `${fn.account} ${fn.region}: function ${fn.name}`,
    run: async (context) => {
      const client = context.clients.lambda(fn.account, fn.region);
      try {
        const found = await context.call(() => client.send(new GetFunctionConfigurationCommand({ FunctionName: fn.name })));
        const variables = found.Environment?.Variables ?? {};
        const changed = Object.keys(fn.environment).filter((name) => name !== 'MODE' && variables[name] !== fn.environment[name]);
        const foundMode = fn.environment.MODE === undefined ? '' : `, MODE=${variables.MODE ?? 'unset'}`;
        const text = `${found.State}${foundMode}${code(found.CodeSha256)}${changed.map((name) => `, ${name}=${variables[name] ?? 'unset'}`).join('')}`;
        const ok =
          FUNCTION_OK_STATES.has(found.State ?? '') &&
          variables.MODE === fn.environment.MODE &&
          changed.length === 0 &&
          (fn.codeSha256 === undefined || found.CodeSha256 === fn.codeSha256);
        return [compared(base, fn.name, expected, text, ok)];
      } catch (error) {
        if ((error as { name?: string }).name === 'ResourceNotFoundException') return [compared(base, fn.name, expected, 'absent')];
        return [unreadable(base, fn.name, expected, error)];
      }
    },
  };
}
