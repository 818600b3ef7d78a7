import type { StackJson } from '../../../cli/common/synthesized';
import { formatReport, type VerifyReport, type VerifyRow } from '../../../cli/verify/report';
import { selectStacks, synthesizeStacks, verify } from '../../../cli/verify/verify';
import { configuredCriteriaText, foundCriteriaText } from '../../../cli/verify/guardduty';
import type { OrgConfig } from '../../../lib/config/load';
import { planStacks } from '../../../lib/plan/stacks';
import { testConfig } from '../../helpers/synth';
import { awsError, conforming, detectorId, FakeOrganization, fixture, type World } from '../../../cli/verify/fake-organization';

const ADMIN = '222222222222';
const MANAGEMENT = '111111111111';
const SANDBOX = '333333333333';
const MEMBER = '444444444444';
const HOME = 'us-west-2';
const noSleep = { sleep: async () => undefined, random: () => 0.5 };

/** The shipped example with Security Hub and Detective switched on: every kind of check. */
const everything = () =>
  testConfig({ securityHub: { enabled: true, standards: ['aws-foundational-security-best-practices/v/1.0.0'] }, detective: { enabled: true } });

let config: OrgConfig;
let synthesized: Map<string, StackJson>;

beforeAll(() => {
  config = everything();
  synthesized = synthesizeStacks(config, planStacks(config), planStacks(config).stacks.map((stack) => stack.id));
});

async function run(world: World, cfg: OrgConfig = config, synth: ReadonlyMap<string, StackJson> = synthesized, step?: number): Promise<VerifyReport> {
  const plan = planStacks(cfg);
  const stacks = selectStacks(plan, step === undefined ? {} : { step });
  if (typeof stacks === 'string') throw new Error(stacks);
  return verify(cfg, stacks, synth, new FakeOrganization(world), { retry: noSleep });
}

const notOk = (report: VerifyReport) => report.rows.filter((row) => row.result !== 'OK');
const pick = (row: VerifyRow) => ({ check: row.check, account: row.account, region: row.region, subject: row.subject, expected: row.expected, found: row.found, result: row.result });

describe('verify: a conforming organization', () => {
  it('finds every check OK in every region, and says so', async () => {
    const world = conforming(config, synthesized);
    const report = await run(world);
    expect(notOk(report).map(pick)).toEqual([]);
    expect(report.summary.fail + report.summary.unreadable).toBe(0);
    const perCheck = Object.fromEntries([...new Set(report.rows.map((row) => row.check))].map((check) => [check, report.rows.filter((row) => row.check === check).length]));
    // 3 regions; 6 members (2 waves); 8 GuardDuty plans+status rows per detector; 6 plans and 1 auto-enable in the organization configuration.
    expect(perCheck).toEqual({
      detector: 3 * 8,
      'publishing-destination': 3,
      // The attack-sequence e-mail rule, and the sweep's schedule and function too.
      'event-rule': 3 + 7 + 5,
      function: 3,
      'delegated-administrator': 3,
      'organization-configuration': 3 * 7,
      // Per region the hub, a standard, the integration, the delegation and auto-enable; the home region's aggregator.
      'security-hub': 3 * 5 + 1,
      detective: 3 * 3,
      member: 3 * 6,
      'member-features': 3 * 6,
      'security-hub-member': 3 * 6,
      'detective-member': 3 * 6,
      'ip-list': 3 * 2,
      filter: 3,
    });
    expect(report.stacksWithoutChecks).toEqual(['sandbox-simulation']);
    const detectorRow = report.rows.find((row) => row.check === 'detector' && row.subject === 'RUNTIME_MONITORING' && row.region === 'eu-west-1');
    expect(detectorRow?.found).toBe('ENABLED (EKS_ADDON_MANAGEMENT ENABLED, ECS_FARGATE_AGENT_MANAGEMENT ENABLED, EC2_AGENT_MANAGEMENT ENABLED)');
    const trusted = report.rows.find((row) => row.check === 'ip-list' && row.subject === 'trusted IP list Trusted' && row.region === HOME);
    expect(trusted?.expected).toBe(`ACTIVE at ${fixture('guardduty-get-ip-set').Location}`);
    expect(formatReport(report).split('\n').at(-1)).toBe(`CONFORMS: ${report.rows.length} checks, ${report.rows.length} OK, 0 FAIL, 0 could not be read`);
  });

  it("checks an invited member's plans with the stack that sets them, AI Protection with its member-plans stack", async () => {
    const invited = testConfig({ mode: 'invitations', protection: { aiProtection: { excludeRegions: ['eu-west-1'] } } });
    const stacks = synthesizeStacks(invited, planStacks(invited), planStacks(invited).stacks.map((stack) => stack.id));
    const world = conforming(invited, stacks);
    // The recorded organization predates AI Protection: on where configured, off where excluded.
    for (const region of invited.regions) {
      const aiProtection = { Name: 'AI_PROTECTION', Status: region === 'eu-west-1' ? 'DISABLED' : 'ENABLED' };
      world.detectors.get(region)!.Features!.push(aiProtection);
      for (const features of world.memberFeatures.get(region)!.values()) features.push(aiProtection);
    }
    const report = await run(world, invited, stacks);
    expect(notOk(report).map(pick)).toEqual([]);
    const plans = report.rows.filter((row) => row.check === 'member-features');
    // 6 members in 3 regions, once for the six plans of their members stack and once for AI Protection.
    expect(plans.filter((row) => row.stack.startsWith('members-'))).toHaveLength(6 * 3);
    expect(plans.filter((row) => row.stack.startsWith('member-plans-'))).toHaveLength(6 * 3);
    expect(plans.find((row) => row.stack.startsWith('member-plans-'))?.expected).toBe('1 plans as configured');
    // A member's AI Protection switched off by hand: a difference of its member-plans stack only.
    world.memberFeatures.get('us-east-1')!.set(MEMBER, [...world.memberFeatures.get('us-east-1')!.get(MEMBER)!.filter((feature) => feature.Name !== 'AI_PROTECTION'), { Name: 'AI_PROTECTION', Status: 'DISABLED' }]);
    const drifted = notOk(await run(world, invited, stacks));
    expect(drifted.map((row) => [row.stack, row.subject, row.expected, row.found])).toEqual([['member-plans-wave-1', MEMBER, 'AI_PROTECTION ENABLED', 'AI_PROTECTION DISABLED']]);
  });

  it('limits itself to one rollout step', async () => {
    const world = conforming(config, synthesized);
    const report = await run(world, config, synthesized, 3);
    expect(report.stacks).toEqual(['members-wave-1', 'security-hub-wave-1']);
    // The enrolled members' plans are checked with their member-plans stacks, a step later.
    expect([...new Set(report.rows.map((row) => row.check))]).toEqual(['member', 'security-hub-member']);
    expect(report.rows.filter((row) => row.check === 'member').map((row) => `${row.account} ${row.region}`)).toHaveLength(4 * 3);
    expect(world.calls.some((call) => call.startsWith('lambda:') || call.startsWith('detective:'))).toBe(false);
  });
});

describe('verify: each kind of difference', () => {
  const cases: [string, (world: World) => void, Partial<VerifyRow>[]][] = [
    [
      'delegation to another administrator',
      (world) => world.delegations.set('us-east-1', [{ AdminAccountId: '999999999999', AdminStatus: 'ENABLED' }]),
      [{ check: 'delegated-administrator', account: MANAGEMENT, region: 'us-east-1', expected: `${ADMIN} ENABLED`, found: '999999999999 ENABLED' }],
    ],
    [
      'organization auto-enable and a plan turned down',
      (world) => {
        const configuration = world.organizationConfigurations.get(HOME);
        configuration.AutoEnableOrganizationMembers = 'NONE';
        configuration.Features.find((feature: any) => feature.Name === 'RDS_LOGIN_EVENTS').AutoEnable = 'NONE';
      },
      [
        { check: 'organization-configuration', region: HOME, subject: 'auto-enable', expected: 'NEW', found: 'NONE' },
        { check: 'organization-configuration', region: HOME, subject: 'RDS_LOGIN_EVENTS', expected: 'NEW', found: 'NONE' },
      ],
    ],
    [
      'an admin detector with an agent off and another publishing frequency',
      (world) => {
        const detector = world.detectors.get('eu-west-1');
        detector.FindingPublishingFrequency = 'SIX_HOURS';
        detector.Features.find((feature: any) => feature.Name === 'RUNTIME_MONITORING').AdditionalConfiguration[2].Status = 'DISABLED';
      },
      [
        { check: 'detector', region: 'eu-west-1', subject: 'finding publishing frequency', expected: 'FIFTEEN_MINUTES', found: 'SIX_HOURS' },
        {
          check: 'detector',
          region: 'eu-west-1',
          subject: 'RUNTIME_MONITORING',
          expected: 'ENABLED (EKS_ADDON_MANAGEMENT ENABLED, ECS_FARGATE_AGENT_MANAGEMENT ENABLED, EC2_AGENT_MANAGEMENT ENABLED)',
          found: 'ENABLED (EKS_ADDON_MANAGEMENT ENABLED, ECS_FARGATE_AGENT_MANAGEMENT ENABLED, EC2_AGENT_MANAGEMENT DISABLED)',
        },
      ],
    ],
    [
      'no admin detector in a region',
      (world) => world.detectors.delete('us-east-1'),
      [
        { check: 'detector', region: 'us-east-1', subject: 'detector', expected: 'ENABLED', found: 'no detector' },
        { check: 'organization-configuration', region: 'us-east-1', subject: 'auto-enable', found: 'no detector in the admin account' },
        { check: 'publishing-destination', region: 'us-east-1', found: 'no detector in the admin account' },
        { check: 'member', region: 'us-east-1', subject: '4 member accounts', found: 'no detector in the admin account' },
        { check: 'member', region: 'us-east-1', subject: '2 member accounts', found: 'no detector in the admin account' },
        { check: 'member-features', region: 'us-east-1', subject: "4 member accounts' plans", found: 'no detector in the admin account' },
        { check: 'member-features', region: 'us-east-1', subject: "2 member accounts' plans", found: 'no detector in the admin account' },
        { check: 'ip-list', region: 'us-east-1', subject: 'lists', found: 'no detector in the admin account' },
        { check: 'filter', region: 'us-east-1', subject: 'filters', found: 'no detector in the admin account' },
      ],
    ],
    [
      'members removed, missing, failed verification, or under another administrator',
      (world) => {
        const members = world.members.get(HOME) as any[];
        members.find((member) => member.AccountId === MEMBER).RelationshipStatus = 'Removed';
        members.find((member) => member.AccountId === '555555555501').RelationshipStatus = 'EmailVerificationFailed';
        Object.assign(members.find((member) => member.AccountId === '555555555503'), { AdministratorId: '999999999999', MasterId: '999999999999' });
        world.members.set(HOME, members.filter((member) => member.AccountId !== '555555555504'));
        world.memberFeatures.get(HOME)?.delete('555555555504');
      },
      [
        { check: 'member', account: MEMBER, region: HOME, expected: `Enabled, administrator ${ADMIN}`, found: `Removed, administrator ${ADMIN}` },
        { check: 'member', account: '555555555501', region: HOME, found: `EmailVerificationFailed, administrator ${ADMIN}` },
        { check: 'member', account: '555555555503', region: HOME, found: 'Enabled, administrator 999999999999' },
        { check: 'member', account: '555555555504', region: HOME, found: 'not a member' },
        {
          check: 'member-features',
          account: '555555555504',
          region: HOME,
          expected: '6 plans as configured',
          found: 'unprocessed: The request is rejected because the given account ID is not an associated member of account the current account.',
        },
      ],
    ],
    [
      "a member's plan switched off",
      (world) => {
        world.memberFeatures.get('eu-west-1')?.get(SANDBOX)?.forEach((feature) => {
          if (feature.Name === 'EBS_MALWARE_PROTECTION') feature.Status = 'DISABLED';
        });
      },
      [{ check: 'member-features', account: SANDBOX, region: 'eu-west-1', expected: 'EBS_MALWARE_PROTECTION ENABLED', found: 'EBS_MALWARE_PROTECTION DISABLED' }],
    ],
    [
      'a threat list that failed to activate, an old trusted list, a list nobody configured',
      (world) => {
        world.threatIntelSets.get(HOME)![0].Status = 'ERROR';
        world.ipSets.get('us-east-1')![0].Location = fixture('guardduty-get-ip-set').Location.replace(/[0-9a-f]{64}/, 'f'.repeat(64));
        world.threatIntelSets.get('eu-west-1')!.push({ Name: 'Someone-Elses', Format: 'TXT', Location: 'https://s3.amazonaws.com/other/list.txt', Status: 'ACTIVE' });
      },
      [
        { check: 'ip-list', region: HOME, subject: 'threat list Example-Threat-List', found: `ERROR at ${fixture('guardduty-get-threat-intel-set').Location}` },
        { check: 'ip-list', region: 'us-east-1', subject: 'trusted IP list Trusted', found: `ACTIVE at ${fixture('guardduty-get-ip-set').Location.replace(/[0-9a-f]{64}/, 'f'.repeat(64))}` },
        { check: 'ip-list', region: 'eu-west-1', subject: 'threat list Someone-Elses', expected: 'absent (not in the configuration)', found: 'ACTIVE at https://s3.amazonaws.com/other/list.txt' },
      ],
    ],
    [
      'a filter re-ranked, and an unknown filter',
      (world) => {
        world.filters.get(HOME)![0].Rank = 2;
        world.filters.get('us-east-1')!.push({ Name: 'hide-everything', Action: 'ARCHIVE', Rank: 2, FindingCriteria: { Criterion: { severity: { Gte: 0 } } } });
      },
      [
        {
          check: 'filter',
          region: HOME,
          subject: 'archive-low-severity-sandbox',
          expected: `ARCHIVE, rank 1, accountId eq [${SANDBOX}]; severity lt 4`,
          found: `ARCHIVE, rank 2, accountId eq [${SANDBOX}]; severity lt 4`,
        },
        { check: 'filter', region: 'us-east-1', subject: 'hide-everything', expected: 'absent (not in the configuration)', found: 'ARCHIVE, rank 2, severity gte 0' },
      ],
    ],
    [
      'a filter whose criteria were edited in place to archive everything, another whose description changed',
      (world) => {
        // Same name, action and rank: only the conditions say that it now archives every finding.
        world.filters.get('eu-west-1')![0].FindingCriteria = { Criterion: { severity: { Gte: 0, GreaterThanOrEqual: 0 } } };
        world.filters.get('us-east-1')![0].FindingCriteria.Criterion.accountId = { Eq: [SANDBOX, MEMBER], Equals: [SANDBOX, MEMBER] };
        world.filters.get(HOME)![0].Description = 'edited by hand';
      },
      [
        { check: 'filter', region: 'eu-west-1', subject: 'archive-low-severity-sandbox', expected: `ARCHIVE, rank 1, accountId eq [${SANDBOX}]; severity lt 4`, found: 'ARCHIVE, rank 1, severity gte 0' },
        {
          check: 'filter',
          region: 'us-east-1',
          subject: 'archive-low-severity-sandbox',
          expected: `ARCHIVE, rank 1, accountId eq [${SANDBOX}]; severity lt 4`,
          found: `ARCHIVE, rank 1, accountId eq [${SANDBOX}, ${MEMBER}]; severity lt 4`,
        },
        {
          check: 'filter',
          region: HOME,
          subject: 'archive-low-severity-sandbox',
          expected: `ARCHIVE, rank 1, accountId eq [${SANDBOX}]; severity lt 4, description "Low-severity findings of the sandbox account are noise"`,
          found: `ARCHIVE, rank 1, accountId eq [${SANDBOX}]; severity lt 4, description "edited by hand"`,
        },
      ],
    ],
    [
      'a publishing destination that stopped publishing',
      (world) => {
        world.destinations.get('eu-west-1')![0].Status = 'UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY';
      },
      [
        {
          check: 'publishing-destination',
          region: 'eu-west-1',
          expected: `S3 arn:aws:s3:::acme-findings-222222222222-us-west-2 PUBLISHING, KMS key of ${ADMIN} in ${HOME}`,
          found: `S3 arn:aws:s3:::acme-findings-222222222222-us-west-2 UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY, KMS key of ${ADMIN} in ${HOME}`,
        },
      ],
    ],
    [
      'an export to a prefix of the bucket, one with a key of another account, a second destination',
      (world) => {
        world.destinations.get(HOME)![0].DestinationProperties.DestinationArn = 'arn:aws:s3:::acme-findings-222222222222-us-west-2/elsewhere';
        world.destinations.get('us-east-1')![0].DestinationProperties.KmsKeyArn = 'arn:aws:kms:us-west-2:999999999999:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
        world.destinations.get('eu-west-1')!.push({
          ...fixture('guardduty-describe-publishing-destination'),
          DestinationId: 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0',
          DestinationProperties: { DestinationArn: 'arn:aws:s3:::someone-elses-bucket', KmsKeyArn: 'arn:aws:kms:eu-west-1:999999999999:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0' },
        });
      },
      [
        {
          check: 'publishing-destination',
          region: HOME,
          subject: 'findings export',
          found: `S3 arn:aws:s3:::acme-findings-222222222222-us-west-2/elsewhere PUBLISHING, KMS key of ${ADMIN} in ${HOME}`,
        },
        { check: 'publishing-destination', region: 'us-east-1', subject: 'findings export', found: `S3 arn:aws:s3:::acme-findings-222222222222-us-west-2 PUBLISHING, KMS key of 999999999999 in ${HOME}` },
        {
          check: 'publishing-destination',
          region: 'eu-west-1',
          subject: 'destination b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0',
          expected: 'absent (not in the configuration)',
          found: 'S3 arn:aws:s3:::someone-elses-bucket PUBLISHING, KMS key of 999999999999 in eu-west-1',
        },
      ],
    ],
    [
      'a finding aggregator that stopped linking a region',
      (world) => {
        world.findingAggregator!.Regions = ['us-east-1'];
      },
      [{ check: 'security-hub', account: ADMIN, region: HOME, subject: 'finding aggregator', expected: 'in us-west-2, SPECIFIED_REGIONS eu-west-1, us-east-1', found: 'in us-west-2, SPECIFIED_REGIONS us-east-1' }],
    ],
    [
      'no finding aggregator',
      (world) => {
        world.findingAggregator = undefined;
      },
      [{ check: 'security-hub', account: ADMIN, region: HOME, subject: 'finding aggregator', found: 'none' }],
    ],
    [
      'a forwarding rule disabled, a central bus rule gone, a remediation rule without its Lambda target',
      (world) => {
        world.rules.get(`${ADMIN}/us-east-1/default/acme-findings-forward`)!.State = 'DISABLED';
        world.rules.delete(`${ADMIN}/${HOME}/acme-findings/acme-findings-sinks`);
        const rule = world.rules.get(`${SANDBOX}/${HOME}/default/GuardDuty-Event-EC2-MaliciousIPCaller`)!;
        rule.targets = ['email'];
        rule.EventPattern = JSON.stringify({ source: ['aws.guardduty'] });
      },
      [
        { check: 'event-rule', account: ADMIN, region: 'us-east-1', subject: 'acme-findings-forward', expected: 'ENABLED, targets central-bus', found: 'DISABLED, targets central-bus' },
        { check: 'event-rule', account: ADMIN, region: HOME, subject: 'acme-findings-sinks (bus acme-findings)', expected: 'ENABLED, targets log-group, siem-queue', found: 'absent' },
        {
          check: 'event-rule',
          account: SANDBOX,
          region: HOME,
          subject: 'GuardDuty-Event-EC2-MaliciousIPCaller',
          expected: 'ENABLED, targets email, isolate-instance',
          found: 'ENABLED, targets email, event pattern changed',
        },
      ],
    ],
    [
      'a remediation function switched to dry-run, another with other code',
      (world) => {
        world.functions.get(`${SANDBOX}/${HOME}/acme-isolate-instance`)!.Environment!.Variables!.MODE = 'dry-run';
        world.functions.get(`${SANDBOX}/${HOME}/acme-revoke-role-sessions`)!.CodeSha256 = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
      },
      [
        { check: 'function', account: SANDBOX, region: HOME, subject: 'acme-isolate-instance', found: expect.stringMatching(/^Active, MODE=dry-run, code /) },
        { check: 'function', account: SANDBOX, region: HOME, subject: 'acme-revoke-role-sessions', found: 'Active, MODE=auto, code AAAAAAAAAAAA' },
      ],
    ],
    [
      'Security Hub off in a region, a standard that failed, a member removed, auto-enable off',
      (world) => {
        world.hubs.set('eu-west-1', undefined);
        const hub = world.hubs.get(HOME)!;
        hub.standards[0].StandardsStatus = 'FAILED';
        hub.autoEnable = false;
        hub.members.find((member) => member.AccountId === MEMBER)!.MemberStatus = 'Removed';
      },
      [
        { check: 'security-hub', region: HOME, subject: 'standard aws-foundational-security-best-practices/v/1.0.0', expected: 'READY', found: 'FAILED' },
        { check: 'security-hub', account: ADMIN, region: HOME, subject: 'auto-enable new accounts', expected: 'true', found: 'false' },
        { check: 'security-hub', region: 'eu-west-1', subject: 'Security Hub', expected: 'enabled', found: 'not enabled' },
        { check: 'security-hub', account: ADMIN, region: 'eu-west-1', subject: 'auto-enable new accounts', found: 'Security Hub not enabled' },
        { check: 'security-hub-member', region: 'eu-west-1', subject: '4 member accounts', found: 'Security Hub not enabled' },
        { check: 'security-hub-member', region: 'eu-west-1', subject: '2 member accounts', found: 'Security Hub not enabled' },
        { check: 'security-hub-member', account: MEMBER, region: HOME, found: `Removed, administrator ${ADMIN}` },
      ],
    ],
    [
      'Detective without a graph in a region, a member not yet enabled',
      (world) => {
        world.graphs.set('us-east-1', undefined);
        world.graphs.get(HOME)!.members.find((member) => member.AccountId === SANDBOX)!.Status = 'ACCEPTED_BUT_DISABLED';
        world.graphs.get(HOME)!.members.find((member) => member.AccountId === SANDBOX)!.DisabledReason = 'VOLUME_UNKNOWN';
      },
      [
        { check: 'detective', region: 'us-east-1', subject: 'behavior graph', expected: 'a behavior graph', found: 'none' },
        { check: 'detective', region: 'us-east-1', subject: 'auto-enable new accounts', found: 'no behavior graph' },
        { check: 'detective-member', region: 'us-east-1', subject: '4 member accounts', found: 'no behavior graph' },
        { check: 'detective-member', region: 'us-east-1', subject: '2 member accounts', found: 'no behavior graph' },
        { check: 'detective-member', account: SANDBOX, region: HOME, expected: 'ENABLED', found: 'ACCEPTED_BUT_DISABLED (VOLUME_UNKNOWN)' },
      ],
    ],
  ];

  it.each(cases)('%s', async (_name, change, expected) => {
    const world = conforming(config, synthesized);
    change(world);
    const report = await run(world);
    const failing = notOk(report);
    expect(failing.every((row) => row.result === 'FAIL')).toBe(true);
    expect(failing).toHaveLength(expected.length);
    for (const row of expected) expect(failing).toContainEqual(expect.objectContaining(row));
    expect(report.summary.fail).toBe(expected.length);
  });
});

describe('verify: what could not be read', () => {
  it('rides out throttling, and reports a region that stays throttled as unreadable', async () => {
    const world = conforming(config, synthesized);
    world.failures.push({ service: 'guardduty', command: 'GetDetectorCommand', region: HOME, error: awsError('ThrottlingException', 'Rate exceeded'), times: 3 });
    const report = await run(world);
    expect(notOk(report)).toEqual([]);
    expect(world.calls.filter((call) => call === `guardduty:GetDetector ${ADMIN} ${HOME}`)).toHaveLength(4);

    const throttled = conforming(config, synthesized);
    throttled.failures.push({ service: 'guardduty', command: 'GetDetectorCommand', region: HOME, error: awsError('ThrottlingException', 'Rate exceeded') });
    const stuck = await run(throttled);
    expect(notOk(stuck).map(pick)).toEqual([
      { check: 'detector', account: ADMIN, region: HOME, subject: 'detector', expected: 'ENABLED', found: 'could not read: error', result: 'UNREADABLE' },
    ]);
    expect(throttled.calls.filter((call) => call === `guardduty:GetDetector ${ADMIN} ${HOME}`)).toHaveLength(5);
    expect(stuck.rows.find((row) => row.result === 'UNREADABLE')?.error).toBe('ThrottlingException: Rate exceeded');
  });

  it('reports access denied where the role may not read, and carries on elsewhere', async () => {
    const world = conforming(config, synthesized);
    world.failures.push({
      service: 'lambda',
      account: SANDBOX,
      error: awsError('AccessDeniedException', `User: arn:aws:sts::${SANDBOX}:assumed-role/GuardDutyVerify/guardduty-verify-acme is not authorized to perform: lambda:GetFunctionConfiguration`),
    });
    world.failures.push({ service: 'guardduty', command: 'ListOrganizationAdminAccountsCommand', account: MANAGEMENT, error: awsError('AccessDeniedException', 'not authorized') });
    const report = await run(world);
    const unreadable = notOk(report);
    expect(unreadable.map((row) => `${row.check} ${row.account} ${row.region} ${row.found}`)).toEqual([
      ...['us-west-2', 'us-east-1', 'eu-west-1'].map((region) => `delegated-administrator ${MANAGEMENT} ${region} could not read: access denied`),
      ...Array(3).fill(`function ${SANDBOX} ${HOME} could not read: access denied`),
    ]);
    expect(report.summary).toEqual({ checks: report.rows.length, ok: report.rows.length - 6, fail: 0, unreadable: 6 });
  });

  it('reports a region the admin account has not enabled as such, for every check there', async () => {
    const world = conforming(config, synthesized);
    world.failures.push({ service: 'guardduty', account: ADMIN, region: 'eu-west-1', error: awsError('UnrecognizedClientException', 'The security token included in the request is invalid.') });
    const report = await run(world);
    const rows = notOk(report);
    expect(new Set(rows.map((row) => `${row.region} ${row.found}`))).toEqual(new Set(['eu-west-1 could not read: region not enabled for the account']));
    expect(rows.map((row) => `${row.check} ${row.subject}`)).toEqual([
      'detector detector',
      'publishing-destination findings export',
      'runtime-coverage ListCoverage',
      'organization-configuration auto-enable',
      'member 4 member accounts',
      'member 2 member accounts',
      "member-features 4 member accounts' plans",
      "member-features 2 member accounts' plans",
      'ip-list lists',
      'filter filters',
    ]);
    // Read once, reported for each check that needed it.
    expect(world.calls.filter((call) => call === `guardduty:ListDetectors ${ADMIN} eu-west-1`)).toHaveLength(1);
  });
});

describe('verify: pagination', () => {
  it('reads members past one page (ListMembers pages at 50) and asks for plans once a member-plans stack', async () => {
    const members = Array.from({ length: 120 }, (_, index) => ({ id: String(600000000000 + index), email: `m${index}@example.com`, wave: 1 }));
    const cfg = testConfig({ regions: [HOME], membersFile: undefined, members: [{ id: SANDBOX, email: 'sandbox@example.com', wave: 1 }, ...members] });
    const plan = planStacks(cfg);
    const synth = synthesizeStacks(cfg, plan, plan.stacks.map((stack) => stack.id));
    const world = conforming(cfg, synth);
    const report = await run(world, cfg, synth);
    expect(notOk(report)).toEqual([]);
    expect(report.rows.filter((row) => row.check === 'member')).toHaveLength(121);
    expect(world.calls.filter((call) => call.startsWith('guardduty:ListMembers'))).toHaveLength(3);
    // Seven member-plans stacks (six of 19 accounts and one of 7): one GetMemberDetectors each.
    expect(plan.stacks.filter((stack) => stack.id.startsWith('member-plans-wave-')).map((stack) => stack.members.length)).toEqual([19, 19, 19, 19, 19, 19, 7]);
    expect(world.calls.filter((call) => call.startsWith('guardduty:GetMemberDetectors'))).toHaveLength(7);
  });

  it('with autoEnable ALL checks every active account of the organization, listed 20 a page', async () => {
    const cfg = testConfig({ regions: [HOME], autoEnable: 'ALL' });
    const plan = planStacks(cfg);
    const synth = synthesizeStacks(cfg, plan, plan.stacks.map((stack) => stack.id));
    const world = conforming(cfg, synth);
    const extra = Array.from({ length: 40 }, (_, index) => String(700000000000 + index));
    world.organizationAccounts.push(...extra.map((id) => ({ Id: id, State: 'ACTIVE' as const, Status: 'ACTIVE' as const })));
    world.organizationAccounts.push({ Id: '799999999999', State: 'SUSPENDED', Status: 'SUSPENDED' });
    // The management account is an account of the organization like any other.
    const enrolled = [MANAGEMENT, ...extra.slice(1)];
    world.members.get(HOME)!.push(...enrolled.map((id) => ({ AccountId: id, MasterId: ADMIN, AdministratorId: ADMIN, Email: `${id}@example.com`, RelationshipStatus: 'Enabled', UpdatedAt: '2026-11-02T10:00:00.000Z', DetectorId: detectorId(id) })));
    for (const id of enrolled) world.memberFeatures.get(HOME)!.set(id, fixture('guardduty-member-features'));
    world.organizationConfigurations.get(HOME).AutoEnableOrganizationMembers = 'ALL';
    for (const feature of world.organizationConfigurations.get(HOME).Features) {
      if (feature.AutoEnable === 'NEW') feature.AutoEnable = 'ALL';
      for (const agent of feature.AdditionalConfiguration ?? []) if (agent.AutoEnable === 'NEW') agent.AutoEnable = 'ALL';
    }
    const report = await run(world, cfg, synth);
    expect(notOk(report).map(pick)).toEqual([
      { check: 'member', account: extra[0], region: HOME, subject: extra[0], expected: `Enabled, administrator ${ADMIN}`, found: 'not a member', result: 'FAIL' },
      expect.objectContaining({ check: 'member-features', account: extra[0], found: expect.stringMatching(/^unprocessed: /) }),
    ]);
    // The management account and every listed member, the 40 new ones; not the admin, not the suspended one.
    expect(report.rows.filter((row) => row.check === 'member')).toHaveLength(1 + 6 + 40);
    expect(world.calls.filter((call) => call.startsWith('organizations:ListAccounts'))).toHaveLength(3);
  });
});

describe('filter criteria, configured and as GetFilter returns them', () => {
  it('read the same when deployed as configured: times in epoch milliseconds, both spellings, values in any order', () => {
    const configured = configuredCriteriaText({
      type: { eq: ['Recon:EC2/PortProbeUnprotectedPort', 'Recon:EC2/Portscan'] },
      updatedAt: { lt: '2026-01-01T00:00:00Z' },
      'service.eventLastSeen': { greaterThanOrEqual: '2025-01-01T00:00:00.000Z' },
      severity: { gte: 2, lessThanOrEqual: 5 },
    });
    expect(configured).toBe(
      'service.eventLastSeen gte 1735689600000; severity gte 2; severity lte 5; type eq [Recon:EC2/PortProbeUnprotectedPort, Recon:EC2/Portscan]; updatedAt lt 1767225600000',
    );
    const stored = {
      type: { Eq: ['Recon:EC2/Portscan', 'Recon:EC2/PortProbeUnprotectedPort'], Equals: ['Recon:EC2/Portscan', 'Recon:EC2/PortProbeUnprotectedPort'] },
      updatedAt: { Lt: 1767225600000, LessThan: 1767225600000 },
      'service.eventLastSeen': { Gte: 1735689600000, GreaterThanOrEqual: 1735689600000 },
      severity: { Gte: 2, GreaterThanOrEqual: 2, Lte: 5, LessThanOrEqual: 5 },
    };
    expect(foundCriteriaText(stored)).toBe(configured);
    expect(foundCriteriaText({ ...stored, severity: { Gte: 2, Lte: 9 } })).not.toBe(configured);
    expect(foundCriteriaText(undefined)).toBe('no criteria');
  });
});

describe('selectStacks', () => {
  it('chooses the stacks of a step or by id, and says what is wrong with a bad choice', () => {
    const plan = planStacks(config);
    const ids = (choice: ReturnType<typeof selectStacks>) => (typeof choice === 'string' ? choice : choice.map((stack) => stack.id));
    expect(ids(selectStacks(plan, { step: 1 }))).toEqual(['admin', 'sandbox-remediation']);
    expect(ids(selectStacks(plan, { stacks: ['threat-intel', 'admin'] }))).toEqual(['admin', 'threat-intel']);
    expect(ids(selectStacks(plan, { step: 2, stacks: ['detective'] }))).toEqual(['detective']);
    expect(selectStacks(plan, { step: 6 })).toBe('--step 6: the rollout has steps 1 to 5');
    expect(selectStacks(plan, { stacks: ['admin', 'members'] })).toMatch(/^--stacks: unknown stack members; the plan has admin, organization, members-wave-1, /);
    expect(selectStacks(plan, { step: 1, stacks: ['detective'] })).toBe('--stacks detective and --step 1 have no stack in common');
  });
});
