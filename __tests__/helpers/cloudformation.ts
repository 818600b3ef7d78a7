import type { PolicyDocument } from './iam-simulator';

/*
 * CloudFormation templates as CloudFormation reads them: YAML with the short-form intrinsic
 * functions (`!Sub`, `!Ref`, `!If`, ...) or JSON, and the few functions the roles templates use
 * evaluated for one account's parameters, so that a test sees the policies that account gets.
 */

// js-yaml 3 ships no types.
const yaml: { safeLoad(text: string, options?: Record<string, unknown>): unknown; Schema: any; Type: any; DEFAULT_SAFE_SCHEMA: any } = require('js-yaml');

const FUNCTIONS = ['Base64', 'Cidr', 'FindInMap', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform', 'And', 'Equals', 'If', 'Not', 'Or', 'Contains', 'Length', 'ToJsonString'];
const types = [
  ...FUNCTIONS.flatMap((name) =>
    (['scalar', 'sequence', 'mapping'] as const).map((kind) => new yaml.Type(`!${name}`, { kind, construct: (data: unknown) => ({ [`Fn::${name}`]: data }) })),
  ),
  ...(['scalar', 'sequence', 'mapping'] as const).map((kind) => new yaml.Type('!Ref', { kind, construct: (data: unknown) => ({ Ref: data }) })),
  new yaml.Type('!Condition', { kind: 'scalar', construct: (data: unknown) => ({ Condition: data }) }),
  new yaml.Type('!GetAtt', { kind: 'scalar', construct: (data: string) => ({ 'Fn::GetAtt': data.split('.') }) }),
  new yaml.Type('!GetAtt', { kind: 'sequence', construct: (data: unknown) => ({ 'Fn::GetAtt': data }) }),
];
const SCHEMA = yaml.Schema.create(yaml.DEFAULT_SAFE_SCHEMA, types);

export type Template = { Parameters?: Record<string, { Type?: string; Default?: unknown }>; Conditions?: Record<string, unknown>; Resources: Record<string, { Type: string; Condition?: string; Properties: Record<string, any> }> };

/** A template's text, YAML (short or long form) or JSON, as data in the long form. */
export function parseTemplate(text: string): Template {
  return yaml.safeLoad(text, { schema: SCHEMA }) as Template;
}

type Values = Readonly<Record<string, string | string[]>>;

/** Evaluates the intrinsic functions the templates use, for the parameters (and pseudo parameters) given. */
export function evaluate(value: unknown, values: Values, template: Template): any {
  // AWS::NoValue takes its item out of a list, its key out of an object.
  if (Array.isArray(value)) return value.map((item) => evaluate(item, values, template)).filter((item) => item !== NO_VALUE);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [[key, argument]] = entries;
    const parameter = (name: string) => {
      if (name === 'AWS::NoValue') return NO_VALUE;
      const given = values[name] ?? template.Parameters?.[name]?.Default;
      if (given === undefined) throw new Error(`no value for ${name}`);
      // A list parameter's default is written as its text.
      return (template.Parameters?.[name]?.Type === 'CommaDelimitedList' && typeof given === 'string' ? given.split(',') : given) as string | string[];
    };
    switch (key) {
      case 'Ref':
        return parameter(argument as string);
      case 'Fn::Sub':
        return (argument as string).replace(/\$\{([\w:]+)\}/g, (_match, name: string) => String(parameter(name)));
      case 'Fn::Join': {
        const [separator, list] = argument as [string, unknown];
        return (evaluate(list, values, template) as string[]).join(separator);
      }
      case 'Fn::Split': {
        const [separator, text] = argument as [string, unknown];
        return (evaluate(text, values, template) as string).split(separator);
      }
      case 'Fn::Equals': {
        const [left, right] = evaluate(argument, values, template) as [unknown, unknown];
        return left === right;
      }
      case 'Fn::And':
        return (argument as unknown[]).every((item) => evaluate(item, values, template));
      case 'Fn::Or':
        return (argument as unknown[]).some((item) => evaluate(item, values, template));
      case 'Condition':
        if (typeof argument === 'string') return conditionHolds(template, argument, values);
        break;
      case 'Fn::Not':
        return !evaluate((argument as unknown[])[0], values, template);
      case 'Fn::If': {
        const [condition, yes, no] = argument as [string, unknown, unknown];
        return conditionHolds(template, condition, values) ? evaluate(yes, values, template) : evaluate(no, values, template);
      }
      default:
        if (key.startsWith('Fn::')) throw new Error(`${key} is not evaluated here`);
    }
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, evaluate(item, values, template)]).filter(([, item]) => item !== NO_VALUE));
}

const NO_VALUE = Symbol('AWS::NoValue');

/** Whether a condition of the template holds for the values. */
export function conditionHolds(template: Template, name: string, values: Values): boolean {
  const condition = template.Conditions?.[name];
  if (condition === undefined) throw new Error(`no condition ${name}`);
  return Boolean(evaluate(condition, values, template));
}

/** The resources an account gets: those without a condition, and those whose condition holds. */
export function resourcesFor(template: Template, values: Values): Template['Resources'] {
  return Object.fromEntries(Object.entries(template.Resources).filter(([, resource]) => !resource.Condition || conditionHolds(template, resource.Condition, values)));
}

/** The policies (managed and inline) attached to a role of the template, evaluated for the values. */
export function rolePolicies(template: Template, roleId: string, values: Values): { id: string; document: PolicyDocument }[] {
  const resources = resourcesFor(template, values);
  return Object.entries(resources)
    .filter(([, resource]) => resource.Type === 'AWS::IAM::ManagedPolicy' && (resource.Properties.Roles as unknown[]).some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId })))
    .map(([id, resource]) => ({ id, document: evaluate(resource.Properties.PolicyDocument, values, template) as PolicyDocument }));
}
