import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { bundleFunction, clearBundleCache, zipSingleFile } from '../../../lib/terraform/bundle';
import { REPO_ROOT } from '../../helpers/synth';

const ISOLATE = path.join(REPO_ROOT, 'functions', 'isolate-instance.ts');
const REVOKE = path.join(REPO_ROOT, 'functions', 'revoke-role-sessions.ts');

describe('bundleFunction', () => {
  const dirs: string[] = [];
  const freshDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gd-bundle-test-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('writes the same bytes for the same sources, bundled twice from scratch', () => {
    const first = bundleFunction(REVOKE, { outDir: freshDir() });
    clearBundleCache();
    const second = bundleFunction(REVOKE, { outDir: freshDir() });

    expect(second.sha256).toBe(first.sha256);
    expect(readFileSync(second.zipPath).equals(readFileSync(first.zipPath))).toBe(true);
    expect(path.basename(first.zipPath)).toBe(`revoke-role-sessions-${first.sha256.slice(0, 16)}.zip`);
    expect(Buffer.from(first.sha256Base64, 'base64').toString('hex')).toBe(first.sha256);
  });

  it('bundles once per process and folder', () => {
    const dir = freshDir();
    expect(bundleFunction(ISOLATE, { outDir: dir })).toBe(bundleFunction(ISOLATE, { outDir: dir }));
  });

  it('reuses a bundle built by an earlier process until a file it was built from changes', () => {
    const sources = freshDir();
    const entry = path.join(sources, 'handler.ts');
    writeFileSync(path.join(sources, 'words.ts'), 'export const word = "one";\n');
    writeFileSync(entry, 'import { word } from "./words";\nexport const handler = async () => word;\n');
    const outDir = freshDir();
    const first = bundleFunction(entry, { outDir });
    const record = JSON.parse(readFileSync(path.join(outDir, 'handler.inputs.json'), 'utf8'));
    expect(Object.keys(record.inputs).sort()).toEqual(['handler.ts', 'words.ts']);

    // A new process: the zip is taken from the record, not built (a build would rewrite the record).
    clearBundleCache();
    writeFileSync(path.join(outDir, 'handler.inputs.json'), JSON.stringify({ ...record, bundle: { ...record.bundle, codeBytes: -1 } }));
    expect(bundleFunction(entry, { outDir })).toEqual({ ...first, codeBytes: -1 });

    clearBundleCache();
    writeFileSync(path.join(sources, 'words.ts'), 'export const word = "two";\n');
    const changed = bundleFunction(entry, { outDir });
    expect(changed.sha256).not.toBe(first.sha256);
    expect(changed.codeBytes).toBe(first.codeBytes);
    expect(readFileSync(changed.zipPath).equals(readFileSync(first.zipPath))).toBe(false);
  });

  it('zips one index.js with a fixed time and mode, whatever the clock and time zone', () => {
    const zip = zipSingleFile(Buffer.from('exports.handler = 1;\n'), 'index.js');
    // Local file header: signature, version, flags, method (8 = deflate), DOS time, DOS date.
    expect(zip.readUInt32LE(0)).toBe(0x04034b50);
    expect(zip.readUInt16LE(8)).toBe(8);
    expect(zip.readUInt16LE(10)).toBe(0); // 00:00:00
    expect(zip.readUInt16LE(12)).toBe(((2000 - 1980) << 9) | (1 << 5) | 1); // 2000-01-01
    const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    expect(zip.readUInt32LE(central + 38) >>> 16).toBe(0o100644);
    expect(zip.subarray(central + 46, central + 46 + 8).toString()).toBe('index.js');
    expect(zipSingleFile(Buffer.from('exports.handler = 1;\n'), 'index.js').equals(zip)).toBe(true);
  });

  it('produces a bundle that loads on its own, with no node_modules, and exports the handler', () => {
    const bundle = bundleFunction(ISOLATE, { outDir: freshDir() });
    const dir = freshDir();
    execFileSync('unzip', ['-q', bundle.zipPath, '-d', dir]);
    const loaded = execFileSync(process.execPath, ['-e', `process.stdout.write(typeof require(${JSON.stringify(path.join(dir, 'index.js'))}).handler)`], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-west-2' },
    }).toString();

    expect(loaded).toBe('function');
  });
});
