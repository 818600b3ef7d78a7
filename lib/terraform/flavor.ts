import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Which Terraform CDK the project is installed with, and the values that differ between the two.
 *
 * The code imports `cdktf` and `@cdktf/provider-aws` everywhere. With CDKTF (the default install,
 * package.json) those are the packages themselves; with CDK Terrain (flavors/cdktn/package.json) they
 * are not installed, and tsconfig `paths`, jest's `moduleNameMapper` and the esbuild alias of
 * cli/synth/run.cjs resolve them to `cdktn` and `@cdktn/provider-aws` instead. Every one of those
 * takes the first flavor whose framework is installed, in the order of FLAVOR_PACKAGES; so does this.
 *
 * Each value below is read from the installed packages' package.json, never written here: a new
 * release of either flavor brings its own.
 */
export interface Flavor {
  /** The framework package: `cdktf` or `cdktn`. */
  readonly framework: string;
  /** Its version, the one cdktf writes into every stack's `//.metadata.version`. */
  readonly frameworkVersion: string;
  /** The prebuilt AWS bindings: `@cdktf/provider-aws` or `@cdktn/provider-aws`. */
  readonly bindings: string;
  readonly bindingsVersion: string;
  /** The `hashicorp/aws` release the bindings were generated from (their types are our schema check). */
  readonly bindingsProviderVersion: string;
  /** The provider's registry source, `hashicorp/aws`, as every stack's `required_providers` names it. */
  readonly providerSource: string;
  /** The CLI package (`cdktf-cli` or `cdktn-cli`), a development dependency. */
  readonly cliPackage: string;
}

/**
 * The package names of each flavor, the default first. The same pairs, in the same order, are in
 * tsconfig.json `paths`, package.json `jest.moduleNameMapper` and cli/synth/run.cjs (a test checks).
 */
export const FLAVOR_PACKAGES = [
  { framework: 'cdktf', bindings: '@cdktf/provider-aws', cliPackage: 'cdktf-cli' },
  { framework: 'cdktn', bindings: '@cdktn/provider-aws', cliPackage: 'cdktn-cli' },
] as const;

const ROOT = path.resolve(__dirname, '..', '..');

interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly bin?: string | Readonly<Record<string, string>>;
  /** Prebuilt bindings say which provider they were generated from (cdktn's under both keys). */
  readonly cdktf?: { readonly provider?: { readonly name?: string; readonly version?: string } };
  readonly cdktn?: { readonly provider?: { readonly name?: string; readonly version?: string } };
}

/**
 * A package's package.json in the project's own node_modules, where tsconfig `paths`, jest and the
 * launcher look too (a `cdktf` in a node_modules further up, outside the project, is not its flavor).
 * Read from disk, not with `require.resolve`: under jest, tsx or the bundle, `cdktf` may be mapped to
 * `cdktn`, and this must see what is installed.
 */
function installedPackage(name: string, root: string): PackageJson | undefined {
  const file = path.join(root, 'node_modules', name, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as PackageJson) : undefined;
}

const cache = new Map<string, Flavor>();

/** The installed flavor (read once per project root). */
export function flavor(root = ROOT): Flavor {
  const known = cache.get(root);
  if (known) return known;
  const found = readFlavor(root);
  cache.set(root, found);
  return found;
}

function readFlavor(root: string): Flavor {
  for (const names of FLAVOR_PACKAGES) {
    const framework = installedPackage(names.framework, root);
    if (!framework) continue;
    const bindings = installedPackage(names.bindings, root);
    if (!bindings) throw new Error(`${names.framework} ${framework.version} is installed without ${names.bindings}: install the project with npm ci`);
    const provider = bindings.cdktn?.provider ?? bindings.cdktf?.provider;
    if (!provider?.name || !provider.version) throw new Error(`${names.bindings} ${bindings.version} does not say which provider it was generated from (package.json "cdktf.provider")`);
    return {
      framework: framework.name,
      frameworkVersion: framework.version,
      bindings: bindings.name,
      bindingsVersion: bindings.version,
      bindingsProviderVersion: provider.version,
      // `registry.terraform.io/hashicorp/aws`: the registry host is Terraform's default, left out as
      // every Terraform configuration writes it.
      providerSource: provider.name.replace(/^registry\.terraform\.io\//, ''),
      cliPackage: names.cliPackage,
    };
  }
  throw new Error(`neither ${FLAVOR_PACKAGES.map((names) => names.framework).join(' nor ')} is installed in ${root}: run npm ci`);
}

/**
 * The command of the flavor's CLI (`cdktf` or `cdktn`), from its package's `bin`, for the commands the
 * rollout prints. The CLI is a development dependency: without it those commands could not run.
 */
export function cliCommand(root = ROOT): string {
  const { cliPackage } = flavor(root);
  const cli = installedPackage(cliPackage, root);
  if (!cli) throw new Error(`${cliPackage} is not installed: the printed commands run it (npm ci installs it)`);
  const commands = typeof cli.bin === 'string' ? [cli.name] : Object.keys(cli.bin ?? {});
  if (commands.length !== 1) throw new Error(`${cliPackage} ${cli.version}: expected one command in its package.json "bin", found ${commands.length}`);
  return commands[0];
}
