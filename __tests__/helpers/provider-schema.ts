import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * A provider's schema as a fixture records it (__tests__/fixtures/awscc/, __tests__/fixtures/aws/),
 * for blocks that `terraform validate` cannot check here: resources of a provider not installed
 * (awscc) or newer than the installed one (aws 5.100).
 */
export interface SchemaAttribute {
  readonly type: 'string' | 'bool' | 'list' | 'object' | 'map' | 'set' | 'number';
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
  /** Length of a string, inclusive. */
  readonly length?: readonly [number, number];
  /** Items of a list, inclusive. */
  readonly size?: readonly [number, number];
  readonly oneOf?: readonly string[];
  /** An argument beside it that must not be set too. */
  readonly conflictsWith?: string;
  readonly nested?: Readonly<Record<string, SchemaAttribute>>;
  /** Items of a list of plain values (a list of nested objects has `nested` instead). */
  readonly element?: 'string';
}

export function schemaFixture<T>(...segments: string[]): T {
  return JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', ...segments), 'utf8')) as T;
}

const META = new Set(['//', 'for_each', 'provider', 'depends_on', 'lifecycle', 'count', 'alias']);

/** Every problem of a block against a schema: unknown or read-only arguments, missing required ones, wrong types, lengths, sizes, values, conflicts. */
export function schemaProblems(block: Readonly<Record<string, unknown>>, attributes: Readonly<Record<string, SchemaAttribute>>, where: string): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(block)) {
    if (META.has(name)) continue;
    const attribute = attributes[name];
    if (!attribute) problems.push(`${where}.${name}: not an argument of the schema`);
    else if (!attribute.required && !attribute.optional) problems.push(`${where}.${name}: read-only in the schema`);
    else {
      problems.push(...valueProblems(value, attribute, `${where}.${name}`));
      if (attribute.conflictsWith && attribute.conflictsWith in block) problems.push(`${where}.${name}: conflicts with ${attribute.conflictsWith}`);
    }
  }
  for (const [name, attribute] of Object.entries(attributes)) if (attribute.required && !(name in block)) problems.push(`${where}.${name}: required, missing`);
  return problems;
}

function valueProblems(value: unknown, attribute: SchemaAttribute, where: string): string[] {
  // A Terraform expression is typed by what it refers to; literal values are checked here.
  if (typeof value === 'string' && /^\$\{[^}]*\}$/.test(value)) return [];
  switch (attribute.type) {
    case 'string': {
      if (typeof value !== 'string') return [`${where}: must be a string`];
      const [min, max] = attribute.length ?? [0, Infinity];
      if (value.length < min || value.length > max) return [`${where}: length ${value.length} outside ${min}-${max}`];
      return attribute.oneOf && !attribute.oneOf.includes(value) ? [`${where}: ${JSON.stringify(value)} is not one of ${attribute.oneOf.join(', ')}`] : [];
    }
    case 'bool':
      return typeof value === 'boolean' ? [] : [`${where}: must be a bool`];
    case 'list': {
      if (!Array.isArray(value)) return [`${where}: must be a list`];
      const [min, max] = attribute.size ?? [0, Infinity];
      const size = value.length < min || value.length > max ? [`${where}: ${value.length} items outside ${min}-${max}`] : [];
      if (attribute.element === 'string') return [...size, ...value.flatMap((item, index) => (typeof item === 'string' ? [] : [`${where}[${index}]: must be a string`]))];
      return [...size, ...value.flatMap((item, index) => schemaProblems(item as Record<string, unknown>, attribute.nested ?? {}, `${where}[${index}]`))];
    }
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? schemaProblems(value as Record<string, unknown>, attribute.nested ?? {}, where) : [`${where}: must be an object`];
    default:
      return [];
  }
}
