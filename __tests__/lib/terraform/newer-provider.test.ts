import { GuarddutyDetector } from '@cdktf/provider-aws/lib/guardduty-detector';
import { GuarddutyFilter } from '@cdktf/provider-aws/lib/guardduty-filter';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, TerraformStack, Testing } from 'cdktf';
import { constrainProvider, requireProvider, writeNewerArgument, type NewerArgument } from '../../../lib/terraform/newer-provider';
import { flavor } from '../../../lib/terraform/flavor';
import { synthApp, testConfig } from '../../helpers/synth';

/** A made-up argument of a provider release after the bindings, as a real one would be declared. */
const FUTURE_SETTING: NewerArgument<{ mode: string }[]> = {
  what: 'the detector setting future_setting',
  since: '6.70.0',
  source: 'hashicorp/terraform-provider-aws (test)',
  usedBy: () => false,
  resourceType: 'aws_guardduty_detector',
  argument: 'future_setting',
};

function detectorStack(pinned?: string) {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  constrainProvider(stack, { remediation: { mode: 'off' }, ...(pinned ? { providerVersion: pinned } : {}) });
  const detector = new GuarddutyDetector(stack, 'detector', { enable: true });
  return { stack, detector };
}

describe('the escape hatch for what is newer than the bindings', () => {
  it('the bindings alone would pin every stack to exactly the version they were generated from', () => {
    const stack = new TerraformStack(new App(), 'bare');
    // `aws` with CDKTF's bindings, `hashicorp/aws` with CDK Terrain's.
    const { terraformProviderSource } = new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    expect(JSON.parse(Testing.synth(stack)).terraform.required_providers.aws).toEqual({ source: terraformProviderSource, version: flavor().bindingsProviderVersion });
  });

  it('gives every stack of the app the configuration range instead', () => {
    const synth = synthApp(testConfig());
    for (const id of synth.stackIds) expect([id, synth.stack(id).terraform.required_providers.aws]).toEqual([id, { source: 'hashicorp/aws', version: '>= 6.19.0, < 7.0.0' }]);
    const pinned = synthApp(testConfig({ providerVersion: '6.66.0' }));
    for (const id of pinned.stackIds) expect(pinned.stack(id).terraform.required_providers.aws.version).toBe('6.66.0');
  });

  it('writes a newer argument into the resource, typed by its Terraform value', () => {
    const { stack, detector } = detectorStack('6.70.0');
    writeNewerArgument(detector, FUTURE_SETTING, [{ mode: 'ON' }]);
    const json = JSON.parse(Testing.synth(stack, true));
    expect(json.resource.aws_guardduty_detector.detector).toEqual({ enable: true, future_setting: [{ mode: 'ON' }] });
    expect(json.terraform.required_providers.aws.version).toBe('6.70.0');
  });

  it('fails synth, naming the feature, when the configuration does not guarantee its provider version', () => {
    const { stack, detector } = detectorStack();
    writeNewerArgument(detector, FUTURE_SETTING, [{ mode: 'ON' }]);
    expect(() => Testing.synth(stack, true)).toThrow(/uses the detector setting future_setting, which needs hashicorp\/aws 6\.70\.0, but the configuration only guarantees 6\.0\.0/);
  });

  it('checks a newer value the same way', () => {
    const { stack, detector } = detectorStack();
    requireProvider(detector, { ...FUTURE_SETTING, what: 'the feature name FUTURE_PLAN' });
    expect(() => Testing.synth(stack, true)).toThrow(/uses the feature name FUTURE_PLAN, which needs hashicorp\/aws 6\.70\.0/);
  });

  it('fails synth for a value whose first release is unverified unless the provider is pinned', () => {
    const unverified = { ...FUTURE_SETTING, what: 'the setting name FUTURE_RISK', since: '6.1.0', pinRequired: true };
    const { stack, detector } = detectorStack();
    requireProvider(detector, unverified);
    expect(() => Testing.synth(stack, true)).toThrow(/uses the setting name FUTURE_RISK, whose first hashicorp\/aws release is unverified, without a pinned providerVersion/);
    const pinned = detectorStack('6.66.0');
    requireProvider(pinned.detector, unverified);
    expect(() => Testing.synth(pinned.stack, true)).not.toThrow();
  });

  it('refuses an argument on a resource type it does not belong to', () => {
    const { stack } = detectorStack('6.70.0');
    const filter = new GuarddutyFilter(stack, 'filter', { detectorId: 'd', name: 'f', action: 'NOOP', rank: 1, findingCriteria: { criterion: [] } });
    expect(() => writeNewerArgument(filter, FUTURE_SETTING, [{ mode: 'ON' }])).toThrow('future_setting is an argument of aws_guardduty_detector, not of aws_guardduty_filter');
  });
});
