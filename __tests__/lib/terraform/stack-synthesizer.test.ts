import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { Annotations, App, AssetType, TerraformAsset, TerraformStack } from 'cdktf';
import { JsonStackSynthesizer, stackJson } from '../../../lib/terraform/stack-synthesizer';
import { buildApp } from '../../../stacks/app';
import { testConfig } from '../../helpers/synth';

describe('JsonStackSynthesizer', () => {
  const dirs: string[] = [];
  const freshDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gd-synthesizer-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  function app(configure: (stack: TerraformStack) => void) {
    const outdir = freshDir();
    const root = new App({ outdir });
    const stack = new TerraformStack(root, 'stack');
    stack.synthesizer = new JsonStackSynthesizer(stack);
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    configure(stack);
    return { root, stack, outdir };
  }

  it('writes what the stack synthesizes, copies its assets, and records warnings in the manifest', () => {
    const source = path.join(freshDir(), 'code.zip');
    writeFileSync(source, 'zip bytes');
    const { root, stack, outdir } = app((scope) => {
      const queue = new SqsQueue(scope, 'queue', { name: 'q' });
      Annotations.of(queue).addWarning('look at this');
      new TerraformAsset(scope, 'code', { path: source, type: AssetType.FILE });
    });
    root.synth();
    const written = readFileSync(path.join(outdir, 'stacks', 'stack', 'cdk.tf.json'), 'utf8');
    expect(JSON.parse(written)).toEqual(JSON.parse(JSON.stringify(stack.toTerraform())));
    expect(written.startsWith('{\n  "')).toBe(true);
    expect((stack.synthesizer as JsonStackSynthesizer).written).toEqual(JSON.parse(written));
    const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    expect(manifest.stacks.stack.annotations).toEqual([expect.objectContaining({ constructPath: 'stack/queue', level: '@cdktf/warn', message: 'look at this' })]);
    const assetDir = path.join(outdir, 'stacks', 'stack', 'assets');
    expect(existsSync(assetDir)).toBe(true);
  });

  it('stops at an error annotation, naming the construct', () => {
    const { root } = app((scope) => Annotations.of(new SqsQueue(scope, 'queue', {})).addError('no name'));
    expect(() => root.synth()).toThrow('[stack/queue] no name');
  });
});

describe('stackJson', () => {
  it.each([
    ['organizations', { type: 's3', bucket: 'acme-tfstate', region: 'us-west-2' }],
    ['invitations', { type: 'local' }],
  ])('builds what cdktf’s TerraformStack.toTerraform builds, for every stack of the app (%s mode)', (mode, backend) => {
    const config = testConfig({ mode, backend, securityHub: { enabled: true }, detective: { enabled: true } });
    const app = buildApp(config, { outdir: mkdtempSync(path.join(tmpdir(), 'gd-stack-json-')) });
    try {
      const stacks = app.node.children.filter((child): child is TerraformStack => TerraformStack.isStack(child));
      for (const stack of stacks) stack.prepareStack();
      expect(stacks.length).toBeGreaterThan(8);
      for (const stack of stacks) expect(stackJson(stack)).toEqual(TerraformStack.prototype.toTerraform.call(stack));
    } finally {
      rmSync(app.outdir, { recursive: true, force: true });
    }
  });
});
