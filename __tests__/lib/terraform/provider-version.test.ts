import { compareVersions, PROVIDER_FEATURES, providerConstraint, providerFloor, providerReviewLine } from '../../../lib/terraform/provider-version';
import { testConfig } from '../../helpers/synth';
import { flavor } from '../../../lib/terraform/flavor';

describe('provider version range', () => {
  it('compares versions by number, not by text', () => {
    expect(compareVersions('6.19.0', '6.9.0')).toBeGreaterThan(0);
    expect(compareVersions('6.0.0', '6.0.0')).toBe(0);
    expect(compareVersions('5.100.0', '6.0.0')).toBeLessThan(0);
    expect(() => compareVersions('6.1', '6.0.0')).toThrow(/not a provider version: "6.1"/);
  });

  it('puts the floor at the newest feature the configuration uses, below the next major version', () => {
    expect(providerFloor(testConfig()).version).toBe('6.19.0');
    expect(providerFloor(testConfig()).feature).toBe(PROVIDER_FEATURES.lambdaNodejs24);
    expect(providerConstraint(testConfig())).toBe('>= 6.19.0, < 7.0.0');
  });

  it('needs only the per-resource region of 6.0.0 without the remediation functions', () => {
    const config = testConfig({ remediation: { mode: 'off' } });
    expect(providerFloor(config)).toEqual({ version: '6.0.0', feature: PROVIDER_FEATURES.regionArgument });
    expect(providerConstraint(config)).toBe('>= 6.0.0, < 7.0.0');
  });

  it('pins one exact version with providerVersion', () => {
    expect(providerConstraint(testConfig({ providerVersion: '6.66.0' }))).toBe('6.66.0');
  });

  it('says in one review line what the constraint is and why', () => {
    expect(providerReviewLine(testConfig())).toBe(
      `AWS provider: \`hashicorp/aws\` \`>= 6.19.0, < 7.0.0\` (floor 6.19.0 for the Lambda runtime nodejs24.x of the remediation functions; bindings generated from ${flavor().bindingsProviderVersion}).`,
    );
    expect(providerReviewLine(testConfig({ providerVersion: '6.30.1' }))).toMatch(/^AWS provider: `hashicorp\/aws` `6\.30\.1`, pinned by providerVersion \(floor 6\.19\.0 /);
  });

  it('cites where each version comes from', () => {
    for (const feature of Object.values(PROVIDER_FEATURES)) expect(feature.source).toMatch(/^hashicorp\/terraform-provider-aws /);
  });
});
