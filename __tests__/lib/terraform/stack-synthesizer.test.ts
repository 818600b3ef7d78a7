import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { Annotations, App, AssetType, Lazy, TerraformAsset, TerraformLocal, TerraformStack, Token } from 'cdktf';
import { StackSynthesizer } from 'cdktf/lib/synthesize/synthesizer';
import { call } from 'cdktf/lib/tfExpression';
import { flavor } from '../../../lib/terraform/flavor';
import { JsonStackSynthesizer, prepareStack, stackJson } from '../../../lib/terraform/stack-synthesizer';
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

describe('JsonStackSynthesizer, step by step as the installed framework’s StackSynthesizer', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  /** A stack as OrgStack builds one: this synthesizer, and the preparation of lib/terraform/stack-synthesizer.ts. */
  class OurStack extends TerraformStack {
    constructor(scope: App, id: string) {
      super(scope, id);
      this.synthesizer = new JsonStackSynthesizer(this);
    }

    override prepareStack(): void {
      prepareStack(this, () => false);
    }
  }

  /**
   * What a synthesis gives, pass after pass: the stack's JSON as written, or the error. The local's
   * value renders `templatestring` (Terraform 1.9) in the passes `constrained` names: CDK Terrain
   * validates the functions a pass renders against its target versions (by default every Terraform
   * from 1.5.7), cdktf 0.21 does not.
   */
  function passes(kind: 'ours' | 'upstream', constrained: (pass: number) => boolean, synthesize: (app: App, stack: TerraformStack) => void, count: number) {
    const outdir = mkdtempSync(path.join(tmpdir(), 'gd-synthesizer-steps-'));
    dirs.push(outdir);
    const app = new App({ outdir });
    const stack = kind === 'ours' ? new OurStack(app, 'stack') : new TerraformStack(app, 'stack');
    if (kind === 'upstream') expect(stack.synthesizer).toBeInstanceOf(StackSynthesizer);
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    let pass = 0;
    new TerraformLocal(stack, 'greeting', Lazy.stringValue({ produce: () => (constrained(pass) ? Token.asString(call('templatestring', ['hello', {}])) : 'hello') }));
    const results: unknown[] = [];
    for (pass = 1; pass <= count; pass += 1) {
      try {
        synthesize(app, stack);
        results.push(JSON.parse(readFileSync(path.join(outdir, 'stacks/stack/cdk.tf.json'), 'utf8')));
      } catch (error) {
        results.push({ error: (error as Error).message });
      }
    }
    return results;
  }

  const validatesFunctions = flavor().framework === 'cdktn';
  const refused = expect.objectContaining({ error: expect.stringContaining('templatestring') });

  it('validates only what this pass renders: the usage of the pass before is cleared', () => {
    const firstOnly = (pass: number) => pass === 1;
    const appSynth = (app: App) => app.synth();
    const upstream = passes('upstream', firstOnly, appSynth, 2);
    expect(passes('ours', firstOnly, appSynth, 2)).toEqual(upstream);
    expect(upstream[0]).toEqual(validatesFunctions ? refused : expect.objectContaining({ locals: { greeting: '${templatestring("hello", {})}' } }));
    expect(upstream[1]).toEqual(expect.objectContaining({ locals: { greeting: 'hello' } }));
  });

  it('prepares the stack itself when the session did not, so the functions it renders are validated', () => {
    const direct = (app: App, stack: TerraformStack) => stack.synthesizer.synthesize({ outdir: app.outdir, skipValidation: false, manifest: app.manifest });
    const upstream = passes('upstream', () => true, direct, 1);
    expect(passes('ours', () => true, direct, 1)).toEqual(upstream);
    expect(upstream[0]).toEqual(validatesFunctions ? refused : expect.objectContaining({ locals: { greeting: '${templatestring("hello", {})}' } }));
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
