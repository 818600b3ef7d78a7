import { DETECTIVE_MEMBER_QUOTA } from '../../../lib/config/investigation';
import { problemsAfter } from '../../helpers/config';
import { testConfig } from '../../helpers/synth';

/** malwareScanSettings, runtimeCoverage and Detective's member quota (issue 27). */

describe('malwareScanSettings', () => {
  it('is left unmanaged by default, and read with its defaults when set', () => {
    expect(testConfig().malwareScanSettings).toBeUndefined();
    expect(testConfig({ providerVersion: '6.67.0', malwareScanSettings: { includeTags: [{ key: 'scan' }] } }).malwareScanSettings).toEqual({
      snapshotRetention: false,
      includeTags: [{ key: 'scan' }],
    });
  });

  it('needs a pinned providerVersion: its first release is not known', () => {
    expect(problemsAfter((data) => (data.malwareScanSettings = { snapshotRetention: true }))).toEqual([
      'org.json: malwareScanSettings: needs providerVersion pinned to a hashicorp/aws release you have checked has aws_guardduty_malware_scan_settings (6.67.0 or newer): its first release is not known here (see docs/configuration.md)',
    ]);
    expect(problemsAfter((data) => Object.assign(data, { providerVersion: '6.66.0', malwareScanSettings: { snapshotRetention: true } }))).toEqual([
      'org.json: providerVersion: must be 6.67.0 or newer: this configuration uses the resource aws_guardduty_malware_scan_settings (malwareScanSettings); got "6.66.0"',
    ]);
  });

  it('refuses include and exclude tags together, scan settings with EC2 malware protection off, and bad tags', () => {
    expect(
      problemsAfter((data) => {
        data.providerVersion = '6.67.0';
        data.protection = { ...data.protection, ebsMalware: false };
        data.malwareScanSettings = { includeTags: [{ key: 'scan', value: 'yes' }], excludeTags: [{ key: 'GuardDutyExcluded', value: 'true' }] };
      }),
    ).toEqual([
      'org.json: malwareScanSettings.excludeTags: give includeTags or excludeTags, not both: GuardDuty scans either only the instances with an include tag, or every instance without an exclude tag',
      'org.json: malwareScanSettings: configures GuardDuty-initiated scans of Malware Protection for EC2, which protection.ebsMalware switches off; switch it on or remove malwareScanSettings',
    ]);
    expect(
      problemsAfter((data) => {
        data.providerVersion = '6.67.0';
        data.malwareScanSettings = { includeTags: [], excludeTags: [{ key: '', value: 'v'.repeat(257) }], retention: true };
      }),
    ).toEqual([
      'org.json: malwareScanSettings.includeTags: must list at least one tag, or be left out',
      'org.json: malwareScanSettings.excludeTags[0].key: must be a tag key, not empty',
      'org.json: malwareScanSettings.excludeTags[0].value: must be at most 256 characters',
      'org.json: malwareScanSettings.retention: unknown key; allowed here: snapshotRetention, includeTags, excludeTags',
    ]);
  });
});

describe('runtimeCoverage', () => {
  it('warns below 90% by default and takes a percentage', () => {
    expect(testConfig().runtimeCoverage).toEqual({ warnBelowPercent: 90 });
    expect(testConfig({ runtimeCoverage: { warnBelowPercent: 75 } }).runtimeCoverage).toEqual({ warnBelowPercent: 75 });
    expect(problemsAfter((data) => (data.runtimeCoverage = { warnBelowPercent: 120 }))).toEqual(['org.json: runtimeCoverage.warnBelowPercent: must be a percentage from 0 to 100; got 120']);
  });
});

describe('Detective member quota', () => {
  const members = (count: number) => [
    { id: '333333333333', email: 'sandbox@example.com' },
    ...Array.from({ length: count - 1 }, (_, index) => ({ id: String(500000000000 + index), email: `m${index}@example.com` })),
  ];

  it(`refuses Detective with more than ${DETECTIVE_MEMBER_QUOTA.toLocaleString('en-US')} listed members`, () => {
    expect(
      problemsAfter((data) => {
        data.members = members(DETECTIVE_MEMBER_QUOTA + 1);
        data.membersFile = undefined;
        data.detective = { enabled: true };
      }),
    ).toEqual([
      'org.json: detective.enabled: 1,201 member accounts are listed; a Detective behavior graph holds at most 1,200 members (GuardDuty takes 50,000): switch Detective off here and enroll a subset another way, or split the organization between administrators',
    ]);
  });

  it('takes exactly the quota, and any number without Detective', () => {
    const at = (count: number, enabled: boolean) =>
      problemsAfter((data) => {
        data.members = members(count);
        data.membersFile = undefined;
        data.detective = { enabled };
      });
    expect(at(DETECTIVE_MEMBER_QUOTA, true)).toEqual([]);
    expect(at(DETECTIVE_MEMBER_QUOTA + 1, false)).toEqual([]);
  });
});
