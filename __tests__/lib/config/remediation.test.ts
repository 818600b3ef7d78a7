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
});
