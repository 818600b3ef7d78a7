import { parseConfig } from '../../../lib/config/load';
import { configProblems } from '../../helpers/config';
import { EXAMPLE_DIR, exampleData } from '../../helpers/synth';

function parse(remediation: unknown) {
  return parseConfig({ ...exampleData(), remediation }, { file: 'org.json', cwd: EXAMPLE_DIR });
}

const problemsOf = (remediation: unknown) => configProblems({ ...exampleData(), remediation });

describe('remediation configuration', () => {
  it('defaults to automatic remediation in the home region, roles anywhere but protected ones, keys left alone', () => {
    const data = exampleData();
    delete data.remediation;

    expect(parseConfig(data, { file: 'org.json', cwd: EXAMPLE_DIR }).remediation).toEqual({
      mode: 'auto',
      regions: 'home',
      rolePathPrefix: '/',
      roleNamePrefix: '',
      exemptTag: 'GuardDutyRemediationExempt',
      deactivateAccessKeys: false,
      protectedRoles: [],
      reservedConcurrency: 5,
      exemptions: { instances: [], roles: [], users: [], accounts: [] },
      serviceControlPolicy: { enabled: false, securityTeamRoles: [] },
    });
  });

  it('takes every key', () => {
    expect(
      parse({
        mode: 'dry-run',
        regions: 'all',
        rolePathPrefix: '/workloads/ec2/',
        roleNamePrefix: 'GuardDuty-Example-',
        exemptTag: 'security:exempt',
        deactivateAccessKeys: true,
        emails: ['ir@example.com'],
        protectedRoles: ['BreakGlass', 'incident-response-*'],
        reservedConcurrency: 2,
        exemptions: { instances: ['i-0123456789abcdef0'], roles: ['BreakGlassInstanceRole', 'arn:aws:iam::333333333333:role/ops/db'], users: ['svc-batch'], accounts: ['444444444444'] },
        serviceControlPolicy: { enabled: true, targets: ['ou-ab12-cdef3456', '333333333333'], securityTeamRoles: ['SecurityIncidentResponse'] },
      }).remediation,
    ).toEqual({
      mode: 'dry-run',
      regions: 'all',
      rolePathPrefix: '/workloads/ec2/',
      roleNamePrefix: 'GuardDuty-Example-',
      exemptTag: 'security:exempt',
      deactivateAccessKeys: true,
      emails: ['ir@example.com'],
      protectedRoles: ['BreakGlass', 'incident-response-*'],
      reservedConcurrency: 2,
      exemptions: { instances: ['i-0123456789abcdef0'], roles: ['BreakGlassInstanceRole', 'arn:aws:iam::333333333333:role/ops/db'], users: ['svc-batch'], accounts: ['444444444444'] },
      serviceControlPolicy: { enabled: true, targets: ['ou-ab12-cdef3456', '333333333333'], securityTeamRoles: ['SecurityIncidentResponse'] },
    });
    expect(parse({ reservedConcurrency: 'none' }).remediation.reservedConcurrency).toBe('none');
  });

  it('reports every bad key at once, by field path, with the allowed values', () => {
    expect(
      problemsOf({
        mode: 'on',
        regions: ['us-east-1'],
        rolePathPrefix: 'workloads',
        roleNamePrefix: 'app/*',
        exemptTag: 'aws:exempt',
        deactivateAccessKeys: 'yes',
        emails: ['not-an-address'],
        protectedRoles: ['Break Glass', 'path/Role'],
        reservedConcurrency: 0,
        region: 'all',
      }),
    ).toEqual([
      'org.json: remediation.mode: must be one of auto, dry-run, off; got "on"',
      'org.json: remediation.regions: must be one of home, all; got ["us-east-1"]',
      'org.json: remediation.rolePathPrefix: must be an IAM path that starts and ends with "/", such as "/" or "/workloads/"; got "workloads"',
      'org.json: remediation.roleNamePrefix: must be the start of an IAM role name (letters, digits and +=,.@_-); got "app/*"',
      'org.json: remediation.exemptTag: must not start with "aws:" (reserved by AWS)',
      'org.json: remediation.deactivateAccessKeys: must be true or false; got "yes"',
      'org.json: remediation.emails[0]: must be an e-mail address; got "not-an-address"',
      'org.json: remediation.protectedRoles[0]: must be an IAM role name, where * matches any characters (1-64 of letters, digits, +=,.@_-*); got "Break Glass"',
      'org.json: remediation.protectedRoles[1]: must be an IAM role name, where * matches any characters (1-64 of letters, digits, +=,.@_-*); got "path/Role"',
      'org.json: remediation.reservedConcurrency: must be a whole number from 1 to 1000, or "none" to use the account\'s unreserved concurrency; got 0',
      'org.json: remediation.region: unknown key; did you mean "regions"?',
    ]);
  });

  it('reports bad exemptions and service control policy settings by field path, every one at once', () => {
    expect(
      problemsOf({
        exemptions: { instances: ['web-1'], roles: ['path/Role', 'arn:aws:iam::444444444444:role/x'], users: ['a b'], accounts: ['12345'], groups: [] },
        serviceControlPolicy: { enabled: 'yes', targets: ['sandbox'], securityTeamRoles: ['arn:aws:iam::444444444444:role/SecurityTeam'] },
      }),
    ).toEqual([
      'org.json: remediation.exemptions.instances[0]: must be an EC2 instance id (i-...); got "web-1"',
      'org.json: remediation.exemptions.roles[0]: must be an IAM role name or a role ARN (arn:aws:iam::<account>:role/<path/>name); got "path/Role"',
      'org.json: remediation.exemptions.users[0]: must be an IAM user name; got "a b"',
      'org.json: remediation.exemptions.accounts[0]: must be a 12-digit AWS account id; got "12345"',
      'org.json: remediation.exemptions.groups: unknown key; allowed here: instances, roles, users, accounts',
      'org.json: remediation.serviceControlPolicy.enabled: must be true or false; got "yes"',
      'org.json: remediation.serviceControlPolicy.targets[0]: must be an account id (12 digits), an organizational unit id (ou-...) or the root id (r-...); got "sandbox"',
    ]);
    expect(problemsOf({ exemptions: { roles: ['arn:aws:iam::444444444444:role/x'] }, serviceControlPolicy: { enabled: true, securityTeamRoles: ['arn:aws:iam::444444444444:role/SecurityTeam'] } })).toEqual([
      'org.json: remediation.exemptions.roles[0]: must be a role of the sandbox account (333333333333), where the remediation acts; got one of 444444444444',
      'org.json: remediation.serviceControlPolicy.securityTeamRoles[0]: must be a role of the sandbox account (333333333333), where the remediation acts; got one of 444444444444',
    ]);
    expect(problemsOf({ exemptions: { instances: Array.from({ length: 51 }, (_, index) => `i-${String(index).padStart(17, '0')}`) } })).toEqual([
      'org.json: remediation.exemptions.instances: at most 50 instance ids',
    ]);
  });

  it('takes the service control policy only in organizations mode and with a remediation to protect', () => {
    expect(configProblems({ ...exampleData(), mode: 'invitations', remediation: { serviceControlPolicy: { enabled: true } } })).toContain(
      'org.json: remediation.serviceControlPolicy.enabled: service control policies need AWS Organizations: only in organizations mode (in invitations mode the exemption tag is not honoured; list exemptions under remediation.exemptions)',
    );
    expect(problemsOf({ mode: 'off', serviceControlPolicy: { enabled: true } })).toEqual([
      'org.json: remediation.serviceControlPolicy.enabled: remediation.mode is "off": with no remediation there is nothing to reserve tags for',
    ]);
  });

  it('refuses the remediation\'s tag keys in tags: they would mark every resource of the deployment', () => {
    const problems = configProblems({ ...exampleData(), remediation: { exemptTag: 'security:exempt' }, tags: { 'security:exempt': 'yes', GuardDutyFindingId: 'x', GuardDutyIsolationState: 'isolated', team: 'platform' } });
    const message = 'is a tag key the remediation reads (the exemption, handled-marker and isolation tags): as a default tag it would mark every resource of this deployment; choose another key';
    expect(problems).toEqual([`org.json: tags.security:exempt: ${message}`, `org.json: tags.GuardDutyFindingId: ${message}`, `org.json: tags.GuardDutyIsolationState: ${message}`]);
    expect(configProblems({ ...exampleData(), tags: { GuardDutyRemediationExempt: '' } })).toEqual([`org.json: tags.GuardDutyRemediationExempt: ${message}`]);
  });
});
