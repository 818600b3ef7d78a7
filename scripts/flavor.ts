/**
 * Installs a flavor's dependency set into a project folder, or regenerates a flavor's lock file.
 *
 *   npm run flavor -- use cdktn     package.json takes flavors/cdktn/package.json's engines and
 *                                   dependencies, package-lock.json becomes the flavor's; then `npm ci`
 *   npm run flavor -- lock cdktn    regenerates flavors/cdktn/package-lock.json from the project's
 *                                   own lock file, so every package both share keeps its version
 *
 * CDKTF, the default, is the project's own package.json; `git checkout -- package.json
 * package-lock.json` goes back to it. Only the dependency set changes: the code resolves `cdktf` to
 * the flavor installed (lib/terraform/flavor.ts).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const PROJECT = path.resolve(__dirname, '..');
export const FLAVORS_DIR = path.join(PROJECT, 'flavors');

/** The fields of package.json that a flavor replaces; the rest (scripts, jest, allowScripts) is the project's. */
export const FLAVOR_FIELDS = ['engines', 'dependencies', 'devDependencies'] as const;

type PackageJson = Record<string, unknown>;

const readJson = (file: string): PackageJson => JSON.parse(readFileSync(file, 'utf8'));
const writeJson = (file: string, value: unknown) => writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);

/** The flavors there are besides the default (folders of flavors/ with a package.json). */
export function flavorNames(flavorsDir = FLAVORS_DIR): string[] {
  return readdirSync(flavorsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(flavorsDir, entry.name, 'package.json')))
    .map((entry) => entry.name);
}

function flavorDir(name: string, flavorsDir: string): string {
  const names = flavorNames(flavorsDir);
  if (!names.includes(name)) throw new Error(`no flavor ${JSON.stringify(name)}: flavors/ has ${names.join(', ')} (CDKTF, the default, is the project's own package.json)`);
  return path.join(flavorsDir, name);
}

/** The project's package.json with the flavor's dependency set, in the project's key order. */
export function flavoredPackageJson(project: PackageJson, flavor: PackageJson): PackageJson {
  const merged: PackageJson = { ...project };
  for (const field of FLAVOR_FIELDS) {
    if (flavor[field] === undefined) throw new Error(`the flavor's package.json has no "${field}"`);
    merged[field] = flavor[field];
  }
  return merged;
}

/** Writes the flavor's package.json fields and lock file into `project` (which `npm ci` then installs). */
export function useFlavor(name: string, project = PROJECT, flavorsDir = FLAVORS_DIR): void {
  const dir = flavorDir(name, flavorsDir);
  writeJson(path.join(project, 'package.json'), flavoredPackageJson(readJson(path.join(project, 'package.json')), readJson(path.join(dir, 'package.json'))));
  copyFileSync(path.join(dir, 'package-lock.json'), path.join(project, 'package-lock.json'));
}

/**
 * The flavor's lock file, resolved by npm from the project's own: packages both use keep the exact
 * versions of the default install (the Lambda bundles, which carry the AWS SDK, are then the same
 * bytes); only the flavor's packages and what they need are resolved anew.
 */
export function lockFlavor(name: string, project = PROJECT, flavorsDir = FLAVORS_DIR): void {
  const dir = flavorDir(name, flavorsDir);
  const work = mkdtempSync(path.join(tmpdir(), `gd-flavor-${name}-`));
  try {
    copyFileSync(path.join(project, 'package-lock.json'), path.join(work, 'package-lock.json'));
    writeJson(path.join(work, 'package.json'), flavoredPackageJson(readJson(path.join(project, 'package.json')), readJson(path.join(dir, 'package.json'))));
    const npm = spawnSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: work, stdio: 'inherit' });
    if (npm.status !== 0) throw new Error(`npm install --package-lock-only failed (exit ${npm.status})`);
    copyFileSync(path.join(work, 'package-lock.json'), path.join(dir, 'package-lock.json'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const USAGE = 'usage: npm run flavor -- use|lock <flavor>   (flavors: see flavors/)';

if (require.main === module) {
  const [command, name, ...rest] = process.argv.slice(2);
  try {
    if (!name || rest.length > 0 || (command !== 'use' && command !== 'lock')) {
      console.error(USAGE);
      process.exitCode = 2;
    } else if (command === 'use') {
      useFlavor(name);
      console.log(`package.json and package-lock.json now install ${name}: run npm ci (Node.js ${String((readJson(path.join(flavorDir(name, FLAVORS_DIR), 'package.json')).engines as Record<string, string>).node)})`);
    } else {
      lockFlavor(name);
      console.log(`flavors/${name}/package-lock.json regenerated from package-lock.json`);
    }
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 1;
  }
}
