import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { cliCommand, flavor, FLAVOR_PACKAGES } from '../../../lib/terraform/flavor';
import { REPO_ROOT } from '../../helpers/synth';

const packageJson = (name: string) => JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8'));

/** A project folder with the given packages installed (their package.json only). */
function project(packages: Record<string, object>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'gd-flavor-'));
  writeFileSync(path.join(root, 'package.json'), '{}');
  for (const [name, manifest] of Object.entries(packages)) {
    mkdirSync(path.join(root, 'node_modules', name), { recursive: true });
    writeFileSync(path.join(root, 'node_modules', name, 'package.json'), JSON.stringify({ name, ...manifest }));
  }
  return root;
}

describe('the installed flavor', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

  it('reads every value from the packages this project has installed', () => {
    const installed = flavor();
    const names = FLAVOR_PACKAGES.find((names) => names.framework === installed.framework);
    expect(names).toBeDefined();
    const bindings = packageJson(installed.bindings);
    expect(installed).toEqual({
      framework: names?.framework,
      frameworkVersion: packageJson(installed.framework).version,
      bindings: names?.bindings,
      bindingsVersion: bindings.version,
      bindingsProviderVersion: bindings.cdktf.provider.version,
      providerSource: 'hashicorp/aws',
      cliPackage: names?.cliPackage,
    });
    expect(cliCommand()).toBe(installed.framework);
    expect(Object.keys(packageJson(installed.cliPackage).bin)).toEqual([cliCommand()]);
  });

  it('is CDKTF where both are installed, CDK Terrain where only it is, and says what is missing', () => {
    const provider = (version: string) => ({ version: '1.0.0', cdktf: { provider: { name: 'registry.terraform.io/hashicorp/aws', version } } });
    const both = project({ cdktf: { version: '0.21.0' }, '@cdktf/provider-aws': provider('6.25.0'), cdktn: { version: '0.24.0' }, '@cdktn/provider-aws': provider('6.66.0') });
    const terrain = project({ cdktn: { version: '0.24.0' }, '@cdktn/provider-aws': provider('6.66.0'), 'cdktn-cli': { version: '0.24.0', bin: { cdktn: 'bin/cdktn' } } });
    const noBindings = project({ cdktn: { version: '0.24.0' } });
    const nothing = project({});
    roots.push(both, terrain, noBindings, nothing);
    expect(flavor(both)).toMatchObject({ framework: 'cdktf', frameworkVersion: '0.21.0', bindingsProviderVersion: '6.25.0' });
    expect(flavor(terrain)).toMatchObject({ framework: 'cdktn', frameworkVersion: '0.24.0', bindings: '@cdktn/provider-aws', bindingsProviderVersion: '6.66.0' });
    expect(cliCommand(terrain)).toBe('cdktn');
    expect(() => cliCommand(both)).toThrow('cdktf-cli is not installed: the printed commands run it (npm ci installs it)');
    expect(() => flavor(noBindings)).toThrow('cdktn 0.24.0 is installed without @cdktn/provider-aws: install the project with npm ci');
    expect(() => flavor(nothing)).toThrow(`neither cdktf nor cdktn is installed in ${nothing}: run npm ci`);
    // A cdktf installed further up, outside the project, is not the project's (tsconfig and jest do not see it either).
    cpSync(path.join(terrain, 'node_modules'), path.join(both, 'inner', 'node_modules'), { recursive: true });
    expect(flavor(path.join(both, 'inner'))).toMatchObject({ framework: 'cdktn' });
  });
});

describe('module resolution', () => {
  const tsconfig = JSON.parse(readFileSync(path.join(REPO_ROOT, 'tsconfig.json'), 'utf8'));
  const jest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).jest;
  const launcher = readFileSync(path.join(REPO_ROOT, 'cli/synth/run.cjs'), 'utf8');

  it('maps the code’s imports to the first flavor installed, in the same order everywhere', () => {
    const frameworks = FLAVOR_PACKAGES.map((names) => names.framework);
    const bindings = FLAVOR_PACKAGES.map((names) => names.bindings);
    expect(tsconfig.compilerOptions.paths).toEqual({
      cdktf: frameworks.map((name) => `./node_modules/${name}`),
      'cdktf/*': frameworks.map((name) => `./node_modules/${name}/*`),
      '@cdktf/provider-aws': bindings.map((name) => `./node_modules/${name}`),
      '@cdktf/provider-aws/*': bindings.map((name) => `./node_modules/${name}/*`),
    });
    expect(jest.moduleNameMapper).toEqual({
      '^cdktf(/.*)?$': frameworks.map((name) => `<rootDir>/node_modules/${name}$1`),
      '^@cdktf/provider-aws(/.*)?$': bindings.map((name) => `<rootDir>/node_modules/${name}$1`),
    });
    const launcherFlavors = [...launcher.matchAll(/\{ framework: '([^']+)', alias: (\{[^}]*\}) \}/g)].map(([, framework, alias]) => ({
      framework,
      alias: JSON.parse(alias.replace(/'/g, '"').replace(/(\{ |, )(\w+):/g, '$1"$2":')),
    }));
    expect(launcherFlavors).toEqual(FLAVOR_PACKAGES.map((names) => ({ framework: names.framework, alias: names.framework === 'cdktf' ? {} : { cdktf: names.framework, '@cdktf/provider-aws': names.bindings } })));
  });
});
