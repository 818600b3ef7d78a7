import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../../helpers/synth';

const LAUNCHER = path.join(REPO_ROOT, 'cli', 'synth', 'run.cjs');
const RECORD = path.join(REPO_ROOT, '.synth', 'inputs.json');

/** The app with the default configuration (whatever ORG_CONFIG the test runner has), into a fresh folder. */
function synth(args: string[]): { outdir: string; status: number | null; stdout: string; stderr: string } {
  const outdir = mkdtempSync(path.join(tmpdir(), 'gd-launcher-'));
  const { ORG_CONFIG: _ignored, ...env } = process.env;
  const result = spawnSync(process.execPath, args, { cwd: REPO_ROOT, env: { ...env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1' }, encoding: 'utf8' });
  return { outdir, status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every file under a folder, by relative path, with its bytes. */
function files(folder: string, prefix = ''): Map<string, Buffer> {
  const found = new Map<string, Buffer>();
  for (const entry of readdirSync(path.join(folder, prefix))) {
    const relative = path.join(prefix, entry);
    if (statSync(path.join(folder, relative)).isDirectory()) for (const [file, bytes] of files(folder, relative)) found.set(file, bytes);
    else found.set(relative, readFileSync(path.join(folder, relative)));
  }
  return found;
}

describe('the synth launcher (cdktf.json app)', () => {
  const outdirs: string[] = [];
  afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('is the app cdktf runs', () => {
    expect(JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdktf.json'), 'utf8')).app).toBe('node cli/synth/run.cjs');
  });

  it('writes byte for byte what the app writes from its TypeScript sources under tsx', () => {
    const launched = synth([LAUNCHER]);
    const direct = synth(['--import', 'tsx', 'main.ts']);
    outdirs.push(launched.outdir, direct.outdir);
    expect([launched.status, launched.stderr]).toEqual([0, 'configuration: config/org.json (the default; ORG_CONFIG names another)\n']);
    expect(direct.status).toBe(0);
    const a = files(launched.outdir);
    const b = files(direct.outdir);
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [file, bytes] of a) expect(`${file}: ${bytes.equals(b.get(file) as Buffer)}`).toBe(`${file}: true`);
  });

  it('prints its usage on --help and refuses an argument, writing nothing either way', () => {
    for (const args of [['--help'], ['-h'], ['deploy'], ['--output', 'x']]) {
      const run = synth([LAUNCHER, ...args]);
      outdirs.push(run.outdir);
      const help = args[0].startsWith('-h') || args[0] === '--help';
      expect([args.join(' '), run.status]).toEqual([args.join(' '), help ? 0 : 2]);
      expect(help ? run.stdout : run.stderr).toMatch(/^(unexpected argument "(deploy|--output)"\n\n)?usage: npm run synth /);
      if (!help) expect(run.stdout).toBe('');
      // The output folder the test made stays empty: no manifest, no stacks, no review.md.
      expect(readdirSync(run.outdir)).toEqual([]);
    }
  });

  it('builds the app again when a file it was built from changes, and only then', () => {
    expect(synth([LAUNCHER]).status).toBe(0);
    const record = JSON.parse(readFileSync(RECORD, 'utf8'));
    expect(Object.keys(record.inputs)).toEqual(expect.arrayContaining(['main.ts', 'stacks/app.ts', 'lib/terraform/instances.ts', 'tsconfig.json']));
    expect(Object.keys(record.inputs).some((file) => file.startsWith('node_modules'))).toBe(false);
    const built = statSync(RECORD).mtimeMs;

    const again = synth([LAUNCHER]);
    outdirs.push(again.outdir);
    expect(statSync(RECORD).mtimeMs).toBe(built);

    // As if lib/terraform/instances.ts had changed since the build.
    writeFileSync(RECORD, JSON.stringify({ ...record, inputs: { ...record.inputs, 'lib/terraform/instances.ts': 'an older version' } }));
    const changed = synth([LAUNCHER]);
    outdirs.push(changed.outdir);
    expect(changed.status).toBe(0);
    expect(JSON.parse(readFileSync(RECORD, 'utf8')).inputs['lib/terraform/instances.ts']).toBe(record.inputs['lib/terraform/instances.ts']);
  });
});
