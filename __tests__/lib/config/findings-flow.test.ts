import { parseConfig } from '../../../lib/config/load';
import { problemsAfter } from '../../helpers/config';
import { EXAMPLE_DIR, exampleData } from '../../helpers/synth';

/** The configuration keys of the findings flow: defaults, and every bad value reported by field. */

function parse(change: (data: Record<string, any>) => void) {
  const data = exampleData();
  change(data);
  return parseConfig(data, { file: 'org.json', cwd: EXAMPLE_DIR });
}

const problemsOf = problemsAfter;

describe('findings flow configuration', () => {
  it('defaults every key when left out', () => {
    const config = parse((d) => {
      delete d.forwarding;
      delete d.sinks;
      delete d.export;
      d.notifications = { emails: [] };
    });
    expect(config.forwarding).toEqual({ minSeverity: 0, archiveRetentionDays: 365 });
    expect(config.notifications).toEqual({ emails: [], minSeverity: 4 });
    expect(config.sinks).toEqual({ logRetentionDays: 365, siemQueue: true });
    expect(config.export).toEqual({ enabled: true, transitionDays: 90, storageClass: 'GLACIER', bucketAccount: 'admin', forceDestroy: false });
    expect(config.organizationId).toBe('o-a1b2c3d4e5');
  });

  it('requires the organization id in organizations mode only', () => {
    expect(problemsOf((d) => delete d.organizationId)).toEqual([
      'org.json: organizationId: is required in organizations mode: the central findings bus accepts events from this organization only (find it with `aws organizations describe-organization`)',
    ]);
    expect(
      problemsOf((d) => {
        delete d.organizationId;
        d.mode = 'invitations';
      }),
    ).toEqual([]);
  });

  it('reports a malformed organization id once, by its pattern', () => {
    expect(problemsOf((d) => (d.organizationId = 'r-abcd'))).toEqual([
      'org.json: organizationId: must be an organization id ("o-" and 10-32 lowercase letters or digits); got "r-abcd"',
    ]);
  });

  it('reports every bad value with its field path at once', () => {
    expect(
      problemsOf((d) => {
        d.forwarding = { minSeverity: 11, archiveRetentionDays: -1 };
        d.notifications = { emails: [], minSeverity: 'high' };
        d.sinks = { logRetentionDays: 10, siemQueu: true };
        d.export = { transitionDays: 0, storageClass: 'COLD' };
      }),
    ).toEqual([
      'org.json: notifications.minSeverity: must be a GuardDuty severity from 0 to 10 (low 1, medium 4, high 7, critical 9; 0 = every finding); got "high"',
      'org.json: forwarding.minSeverity: must be a GuardDuty severity from 0 to 10; got 11',
      'org.json: forwarding.archiveRetentionDays: must be a whole number of days (0 = keep forever); got -1',
      'org.json: sinks.logRetentionDays: must be one of 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (0 = never expire); got 10',
      'org.json: sinks.siemQueu: unknown key; did you mean "siemQueue"?',
      'org.json: export.transitionDays: must be a whole number of days, at least 1; got 0',
      'org.json: export.storageClass: must be one of STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER, DEEP_ARCHIVE; got "COLD"',
    ]);
  });

  it('refuses an expiry that does not come after the transition', () => {
    expect(problemsOf((d) => (d.export = { transitionDays: 90, expirationDays: 90 }))).toEqual([
      'org.json: export.expirationDays: must be more than export.transitionDays (90): S3 expires objects only after they moved to GLACIER',
    ]);
    expect(problemsOf((d) => (d.export = { transitionDays: 90, expirationDays: 91 }))).toEqual([]);
  });
});
