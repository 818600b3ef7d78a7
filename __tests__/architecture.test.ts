import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './helpers/synth';

/*
 * The layering of .dependency-cruiser.cjs (docs/architecture.md), checked with dependency-cruiser on
 * the real tree, and on a planted tree that breaks every rule once, so that no rule passes for want
 * of a match.
 */

const CRUISER = path.join(REPO_ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const CONFIG = path.join(REPO_ROOT, '.dependency-cruiser.cjs');
const FOLDERS = ['main.ts', 'cli', 'stacks', 'modules', 'functions', 'lib', 'scripts', '__tests__'];

interface Violation {
  readonly rule: { readonly name: string };
  readonly from: string;
  readonly to: string;
  readonly cycle?: readonly { readonly name: string }[];
}

function cruise(cwd: string, folders: readonly string[]): Violation[] {
  const run = spawnSync(process.execPath, [CRUISER, '--config', CONFIG, '--output-type', 'json', ...folders], { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (run.error) throw run.error;
  // Exit status is the number of errors; the report is on stdout either way.
  if (!run.stdout) throw new Error(`dependency-cruiser printed nothing (exit ${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout).summary.violations;
}

const described = (violation: Violation) =>
  `${violation.rule.name}: ${violation.from} → ${violation.to}${violation.cycle ? ` (cycle ${violation.cycle.map((step) => step.name).join(' → ')})` : ''}`;

const ruleNames = (): string[] => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const config = require(CONFIG) as { forbidden: { name: string }[] };
  return config.forbidden.map((rule) => rule.name);
};

describe('the layering', () => {
  it('holds in the repository: no cycles, cli → stacks → modules → lib, lib rooms lowest first, handlers alone', () => {
    expect(cruise(REPO_ROOT, FOLDERS).map(described)).toEqual([]);
  });

  describe('on a planted tree', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'layering-'));
      symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
      // The project's paths: `cdktf` is the installed flavor's package, as in the real tree (with CDK Terrain
      // no `cdktf` is installed, and an import the cruiser cannot resolve would match no rule).
      const { paths } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'tsconfig.json'), 'utf8')).compilerOptions;
      writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'commonjs', strict: true, paths } }));
      const files: Record<string, string> = {
        // A cycle between two rooms, and a fact that reads the configuration.
        'lib/guardduty/plans.ts': "import type { Settings } from '../config/schema';\nexport const plans = (settings: Settings) => settings;\n",
        'lib/config/schema.ts':
          "import { plans } from '../guardduty/plans';\nimport { layout } from '../plan/stacks';\nimport { App } from 'cdktf';\nexport type Settings = { on: boolean };\nexport const all = [plans, layout, App];\n",
        'lib/aws/partition.ts': "import { build } from '../../stacks/app';\nimport { terraform } from '../terraform/addresses';\nexport const partition = [build, terraform];\n",
        'lib/terraform/addresses.ts': "import { TAG } from '../remediation/contract';\nexport const terraform = TAG;\n",
        'lib/remediation/contract.ts': "export const TAG = 'tag';\n",
        'lib/remediation/rules.ts': "import { layout } from '../plan/stacks';\nexport const rules = layout;\n",
        'lib/simulation/user-data.ts': "import { TAG } from '../remediation/contract';\nexport const userData = TAG;\n",
        'lib/plan/stacks.ts': "import { terraform } from '../terraform/addresses';\nexport const layout = terraform;\n",
        'modules/detector.ts': "import { build } from '../stacks/app';\nexport const detector = build;\n",
        'stacks/app.ts': "import { command } from '../cli/synth';\nexport const build = command;\n",
        'cli/synth.ts': "import { fake } from '../__tests__/helpers/fake';\nimport { handler } from '../functions/isolate';\nexport const command = [fake, handler];\n",
        '__tests__/helpers/fake.ts': 'export const fake = 1;\n',
        'functions/isolate.ts': "import { TAG } from '../lib/remediation/contract';\nimport { layout } from '../lib/plan/stacks';\nexport const handler = [TAG, layout];\n",
      };
      for (const [file, text] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        writeFileSync(path.join(dir, file), text);
      }
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('breaks every rule, each reported by its name', () => {
      const violations = cruise(dir, ['lib', 'cli', 'stacks', 'modules', 'functions', '__tests__']);
      const broken = new Set(violations.map((violation) => violation.rule.name));
      expect([...broken].sort()).toEqual(ruleNames().sort());
      expect(violations.map(described)).toEqual(
        expect.arrayContaining([
          'lib-guardduty-imports-only-lower-rooms: lib/guardduty/plans.ts → lib/config/schema.ts',
          'functions-only-own-and-contract: functions/isolate.ts → lib/plan/stacks.ts',
          'not-from-tests: cli/synth.ts → __tests__/helpers/fake.ts',
        ]),
      );
      // The handler's one allowed import from lib/ is not reported.
      expect(violations.filter((violation) => violation.from === 'functions/isolate.ts' && violation.to === 'lib/remediation/contract.ts')).toEqual([]);
    });
  });
});
