import { makeUniqueId } from 'cdktf/lib/private/unique';
import { accountRegionKey, blockName, cdktfLogicalId, instanceAddress, instanceKey } from '../../../lib/terraform/addresses';

describe('addresses', () => {
  it('keys an account’s instance in a region as "<account>/<region>", and other instances by their parts', () => {
    expect(accountRegionKey('333333333333', 'eu-west-1')).toBe('333333333333/eu-west-1');
    expect(instanceKey('333333333333', 'eu-west-1', 'RUNTIME_MONITORING')).toBe('333333333333/eu-west-1/RUNTIME_MONITORING');
    expect(instanceAddress('aws_guardduty_member', 'member', '333333333333/eu-west-1')).toBe('aws_guardduty_member.member["333333333333/eu-west-1"]');
  });

  it('gives the logical ids cdktf 0.21 gave, as its own makeUniqueId computes them', () => {
    const paths = [
      ['member-333333333333', 'eu-west-1'],
      ['detector-us-east-1', 'detector'],
      ['member-444444444444', 'us-west-2', 'detector', 'detector'],
      ['filters', 'eu-west-1-noop.port_probe'],
      ['security-hub-eu-west-1', 'standard-cis-aws-foundations-benchmark-v-1-2-0'],
      ['member-555555555501', 'us-east-1-acceptance'],
      ['central-bus'],
      ['a', 'Default', 'Resource', 'b'],
      ['x'.repeat(300)],
      ['y'.repeat(200), 'z'.repeat(100)],
    ];
    for (const components of paths) expect(cdktfLogicalId(components)).toBe(makeUniqueId(components));
  });

  it('matches real ids of the previous layout', () => {
    expect(cdktfLogicalId(['member-333333333333', 'eu-west-1'])).toBe('member-333333333333_eu-west-1_6056AEBD');
    expect(cdktfLogicalId(['detector-us-east-1', 'detector'])).toBe('detector-us-east-1_detector_4C22C504');
  });

  it('names a block after free text, with a hash only where the text holds a character a name cannot', () => {
    expect(blockName('filter_', 'archive-low_severity')).toBe('filter_archive-low_severity');
    const dotted = blockName('filter_', 'noop.port_probe');
    expect(dotted).toMatch(/^filter_noop_port_probe_[0-9a-f]{8}$/);
    expect(blockName('filter_', 'noop_port.probe')).not.toBe(dotted);
    expect(blockName('filter_', 'noop_port_probe')).not.toBe(dotted);
  });
});
