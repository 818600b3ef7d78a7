/**
 * The "usual" variant of the app, made mechanically from its sources: every deep import of a
 * provider class (`@cdktf/provider-aws/lib/<module>`) becomes the package-root namespace import
 * that the default cdktf template and most examples use (`import { <ns> } from '@cdktf/provider-aws'`).
 * The code that uses the classes is left as it is, through an import alias per imported name.
 */

export const PROVIDER_PACKAGE = '@cdktf/provider-aws';

/** Namespace name by module, from the package root's `export * as <ns> from './<module>'` lines (CDK Terrain's bindings add `/index`). */
export function namespacesByModule(rootIndexDts: string): Map<string, string> {
  const namespaces = new Map<string, string>();
  for (const match of rootIndexDts.matchAll(/^export \* as (\w+) from '\.\/([\w-]+)(?:\/index)?';$/gm)) {
    namespaces.set(match[2], match[1]);
  }
  return namespaces;
}

const DEEP_IMPORT = /^import\s+(type\s+)?\{([^}]*)\}\s+from\s+'@cdktf\/provider-aws\/lib\/([\w-]+)';?[ \t]*$/gm;

/** The source with its deep provider imports rewritten; throws on an import form it cannot rewrite. */
export function rewriteDeepImports(source: string, namespaces: ReadonlyMap<string, string>, file = 'source'): string {
  const rewritten = source.replace(DEEP_IMPORT, (_whole, _typeOnly: string | undefined, names: string, module: string) => {
    const namespace = namespaces.get(module);
    if (!namespace) throw new Error(`${file}: ${PROVIDER_PACKAGE} has no root export for lib/${module}`);
    // A prefixed local name, so the namespace cannot collide with a local variable (`provider` is common).
    const local = `aws_${namespace}`;
    const aliases = names
      .split(',')
      .map((name) => name.trim().replace(/^type\s+/, ''))
      .filter((name) => name !== '')
      .map((name) => {
        const [imported, as] = name.split(/\s+as\s+/);
        return `import ${as ?? imported} = ${local}.${imported};`;
      });
    return [`import { ${namespace} as ${local} } from '${PROVIDER_PACKAGE}';`, ...aliases].join('\n');
  });
  const left = /from\s+'@cdktf\/provider-aws\/lib\/[^']*'|require\('@cdktf\/provider-aws\/lib\//.exec(rewritten);
  if (left) throw new Error(`${file}: cannot rewrite ${JSON.stringify(left[0])}; only named imports are handled`);
  return rewritten;
}
