import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { eachNestedBlock, eachReference, forEachLocalName, instanceReference, Instances, KeyedBlocks } from '../../../lib/terraform/instances';

/** A stack that writes its keyed blocks, as OrgStack does. */
class KeyedStack extends TerraformStack {
  readonly keyed = KeyedBlocks.enable(this);
  override toTerraform(): any {
    const tf = super.toTerraform();
    this.keyed.writeInto(tf);
    return tf;
  }
}

function stack() {
  const scope = new KeyedStack(new App(), 'test');
  new AwsProvider(scope, 'aws', { region: 'us-east-1' });
  return scope;
}

const regions = () => Instances.of(['us-east-1', 'eu-west-1'], (region) => region, (region) => ({ region, tags: [region] }));

describe('keyed blocks', () => {
  it('writes the for_each map once, as a local named by its content, under the readable block name, and reads the instance values from it', () => {
    const scope = stack();
    const instances = regions();
    const queue = KeyedBlocks.add(new SqsQueue(scope, 'queue', { forEach: instances, region: instances.value('region'), name: 'q' }), 'queue', instances);
    eachNestedBlock(queue, 'thing', 'tags', ['name']);
    // Another block over a map with the same content reads the same local.
    const same = regions();
    KeyedBlocks.add(new SqsQueue(scope, 'queue-2', { forEach: same, region: same.value('region'), name: 'q2' }), 'queue2', same);
    const json = scope.toTerraform();
    const map = { 'us-east-1': { region: 'us-east-1', tags: ['us-east-1'] }, 'eu-west-1': { region: 'eu-west-1', tags: ['eu-west-1'] } };
    const local = forEachLocalName(map);
    expect(local).toMatch(/^for_each_[0-9a-f]{12}$/);
    expect(json.locals).toEqual({ [local]: map });
    const { '//': _metadata, ...block } = json.resource.aws_sqs_queue.queue;
    expect(block).toEqual({
      for_each: `\${local.${local}}`,
      region: '${each.value.region}',
      name: 'q',
      dynamic: { thing: { for_each: '${each.value.tags}', content: { name: '${thing.value.name}' } } },
    });
    expect(json.resource.aws_sqs_queue.queue2.for_each).toBe(`\${local.${local}}`);
    const policy = new SqsQueue(scope, 'other', { name: eachReference(queue, '"eu-west-1"', 'arn') });
    expect(scope.toTerraform().resource.aws_sqs_queue[policy.friendlyUniqueId].name).toBe('${aws_sqs_queue.queue["eu-west-1"].arn}');
  });

  it('refers to one instance with a token that other stacks may use too', () => {
    const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'gd-instances-')) });
    const origin = new KeyedStack(app, 'origin');
    new AwsProvider(origin, 'aws', { region: 'us-east-1' });
    const instances = regions();
    const queue = KeyedBlocks.add(new SqsQueue(origin, 'queue', { forEach: instances, region: instances.value('region') }), 'queue', instances);
    const user = new KeyedStack(app, 'user');
    new AwsProvider(user, 'aws', { region: 'us-east-1' });
    new SqsQueue(user, 'other', { name: instanceReference(queue, 'eu-west-1', 'name') });
    app.synth();
    rmSync(app.outdir, { recursive: true, force: true });
    expect(JSON.stringify(origin.toTerraform().output)).toContain('"value":"${aws_sqs_queue.queue[\\"eu-west-1\\"].name}"');
    expect(user.toTerraform().resource.aws_sqs_queue.other.name).toMatch(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-origin\.outputs\./);
  });

  it('writes moved and import blocks, and refuses ones that target no declared instance', () => {
    const scope = stack();
    const instances = regions();
    const queue = KeyedBlocks.add(new SqsQueue(scope, 'queue', { forEach: instances, region: instances.value('region') }), 'queue', instances);
    KeyedBlocks.importInto(queue, 'eu-west-1', 'https://sqs/q');
    KeyedBlocks.of(scope).moved('aws_sqs_queue.old', 'aws_sqs_queue.queue["us-east-1"]');
    const json = scope.toTerraform();
    expect(json.moved).toEqual([{ from: 'aws_sqs_queue.old', to: 'aws_sqs_queue.queue["us-east-1"]' }]);
    expect(json.import).toEqual([{ to: 'aws_sqs_queue.queue["eu-west-1"]', id: 'https://sqs/q', provider: 'aws' }]);
    KeyedBlocks.of(scope).moved('aws_sqs_queue.gone', 'aws_sqs_queue.queue["ap-south-1"]');
    expect(() => scope.toTerraform()).toThrow('moved or import blocks target undeclared instances: aws_sqs_queue.queue["ap-south-1"]');
  });

  it('writes instance text as data (templates escaped), refuses a template in a key, and keeps block names unique', () => {
    const scope = stack();
    const text = Instances.of(['x'], (key) => key, () => ({ name: '${var.secret}', list: [{ name: '%{ if true }' }], plain: 'a$b{c' }));
    expect(text.toForEach().x).toEqual({ name: '$${var.secret}', list: [{ name: '%%{ if true }' }], plain: 'a$b{c' });
    expect(() => Instances.of(['${x}'], (key) => key, () => ({}))).toThrow('instance key "${x}": a key must not hold "${" or "%{"');
    const instances = regions();
    KeyedBlocks.add(new SqsQueue(scope, 'queue', { forEach: instances }), 'queue', instances);
    expect(() => KeyedBlocks.add(new SqsQueue(scope, 'again', { forEach: instances }), 'queue', instances)).toThrow('already has a block aws_sqs_queue.queue');
    expect(() => Instances.of(['a', 'a'], (key) => key, () => ({}))).toThrow('instance key "a" is used twice');
  });

  it('needs a stack that writes keyed blocks', () => {
    const plain = new TerraformStack(new App(), 'plain');
    const instances = regions();
    expect(() => KeyedBlocks.add(new SqsQueue(plain, 'queue', { forEach: instances }), 'queue', instances)).toThrow('stack plain does not write keyed blocks');
  });

  it('refuses to be read by a for expression (CDK Terrain asks an iterator for its input there)', () => {
    expect(() => regions()._getForExpressionInput()).toThrow("instances are only a resource's forEach: read them with value(), or nest blocks with eachNestedBlock()");
  });
});
