import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FLAVOR_PACKAGES } from '../../lib/terraform/flavor';
import { FLAVORS_DIR, flavoredPackageJson, flavorNames, PROJECT, useFlavor } from '../../scripts/flavor';

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const project = readJson(path.join(PROJECT, 'package.json'));
const projectLock = readJson(path.join(PROJECT, 'package-lock.json'));

describe('the CDK Terrain flavor (flavors/cdktn)', () => {
  const terrain = readJson(path.join(FLAVORS_DIR, 'cdktn/package.json'));
  const lock = readJson(path.join(FLAVORS_DIR, 'cdktn/package-lock.json'));
  const [cdktf, cdktn] = FLAVOR_PACKAGES;

  it('is the project’s dependency set with CDK Terrain’s packages in place of CDKTF’s, pinned exactly', () => {
    expect(flavorNames()).toEqual(['cdktn']);
    const swap = (dependencies: Record<string, string>, replaced: Record<string, string>) => {
      const rest = Object.fromEntries(Object.entries(dependencies).filter(([name]) => !(name in replaced)));
      return Object.keys({ ...rest, ...Object.fromEntries(Object.values(replaced).map((name) => [name, ''])) }).sort();
    };
    expect(Object.keys(terrain.dependencies).sort()).toEqual(swap(project.dependencies, { [cdktf.framework]: cdktn.framework, [cdktf.bindings]: cdktn.bindings }));
    expect(Object.keys(terrain.devDependencies).sort()).toEqual(swap(project.devDependencies, { [cdktf.cliPackage]: cdktn.cliPackage }));
    for (const [name, version] of Object.entries({ ...project.dependencies, ...project.devDependencies })) {
      if (name in terrain.dependencies && name !== 'constructs') expect(`${name} ${terrain.dependencies[name]}`).toBe(`${name} ${version}`);
      if (name in terrain.devDependencies) expect(`${name} ${terrain.devDependencies[name]}`).toBe(`${name} ${version}`);
    }
    expect({ cdktn: terrain.dependencies.cdktn, bindings: terrain.dependencies['@cdktn/provider-aws'], cli: terrain.devDependencies['cdktn-cli'] }).toEqual({
      cdktn: '0.24.0',
      bindings: '25.7.0',
      cli: '0.24.0',
    });
    // cdktn 0.24 requires constructs >= 10.6.0 < 10.8.0; cdktn-cli and its bindings Node.js 22.
    expect(terrain.dependencies.constructs).toMatch(/^10\.7\.\d+$/);
    expect(terrain.engines).toEqual({ node: '>=22.19.0' });
  });

  it('has a lock file that npm ci accepts for it, with the default install’s versions of everything the bundles and checks use', () => {
    const root = lock.packages[''];
    expect({ dependencies: root.dependencies, devDependencies: root.devDependencies, engines: root.engines }).toEqual({
      dependencies: terrain.dependencies,
      devDependencies: terrain.devDependencies,
      engines: terrain.engines,
    });
    // The Lambda bundles carry the AWS SDK: the same versions give the same bytes on both flavors.
    const shared = Object.keys(projectLock.packages).filter((key) => /^node_modules\/(@aws-sdk|@smithy|@aws-crypto|esbuild|@esbuild|typescript$|tsx$|jest$|zod$)/.test(key));
    expect(shared.length).toBeGreaterThan(50);
    for (const key of shared) expect(`${key} ${lock.packages[key]?.version}`).toBe(`${key} ${projectLock.packages[key].version}`);
    for (const name of [cdktf.framework, cdktf.bindings, cdktf.cliPackage]) expect(lock.packages[`node_modules/${name}`]).toBeUndefined();
  });

  it('is installed by replacing the dependency set and the lock file, nothing else', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gd-use-flavor-'));
    try {
      writeFileSync(path.join(dir, 'package.json'), JSON.stringify(project));
      writeFileSync(path.join(dir, 'package-lock.json'), '{}');
      useFlavor('cdktn', dir);
      const used = readJson(path.join(dir, 'package.json'));
      expect(used).toEqual({ ...project, engines: terrain.engines, dependencies: terrain.dependencies, devDependencies: terrain.devDependencies });
      expect(Object.keys(used)).toEqual(Object.keys(project));
      expect(readFileSync(path.join(dir, 'package-lock.json'), 'utf8')).toBe(readFileSync(path.join(FLAVORS_DIR, 'cdktn/package-lock.json'), 'utf8'));
      expect(() => useFlavor('cdktf', dir)).toThrow('no flavor "cdktf": flavors/ has cdktn (CDKTF, the default, is the project\'s own package.json)');
      expect(() => flavoredPackageJson(project, { dependencies: {} })).toThrow('the flavor\'s package.json has no "engines"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
