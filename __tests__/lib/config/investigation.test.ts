import { parseConfig } from '../../../lib/config/load';
import { SECURITY_HUB_STANDARDS } from '../../../lib/aws/security-hub';
import { configProblems } from '../../helpers/config';
import { EXAMPLE_DIR, exampleData } from '../../helpers/synth';

const problemsOf = (overrides: Record<string, unknown>) => configProblems({ ...exampleData(), ...overrides });

const INVITATIONS = { mode: 'invitations', autoEnable: undefined, membersFile: undefined };
const GRAPH = (region: string, account = '222222222222') => `arn:aws:detective:${region}:${account}:graph:0123456789abcdef0123456789abcdef`;

describe('securityHub and detective configuration', () => {
  it('defaults both to off, with no standards and no graphs to import', () => {
    const config = parseConfig(exampleData(), { file: 'org.json', cwd: EXAMPLE_DIR });
    expect(config.securityHub).toEqual({ enabled: false, standards: [] });
    expect(config.detective).toEqual({ enabled: false, existingGraphs: {} });
  });

  it('accepts every known standard and valid graphs', () => {
    expect(
      problemsOf({
        securityHub: { enabled: true, standards: [...SECURITY_HUB_STANDARDS], autoEnable: false },
        detective: { enabled: true, autoEnable: true, existingGraphs: { 'us-east-1': GRAPH('us-east-1'), 'eu-west-1': GRAPH('eu-west-1') } },
      }),
    ).toEqual([]);
  });

  it.each([
    [{ securityHub: { enabled: 'yes' } }, 'org.json: securityHub.enabled: must be true or false; got "yes"'],
    [{ detective: { enabled: 1 } }, 'org.json: detective.enabled: must be true or false; got 1'],
    [{ detective: true }, 'org.json: detective: must be { "enabled": true or false, "autoEnable"?: true or false, "existingGraphs"?: { region: graph ARN } }'],
    [{ securityHub: 'on' }, 'org.json: securityHub: must be { "enabled": true or false, "standards"?: [...], "autoEnable"?: true or false }'],
    [
      { securityHub: { enabled: true, standards: ['cis-aws-foundations-benchmark/v/1.3.0'] } },
      `org.json: securityHub.standards[0]: must be one of ${SECURITY_HUB_STANDARDS.join(', ')}; got "cis-aws-foundations-benchmark/v/1.3.0"`,
    ],
    [
      { securityHub: { enabled: true, standards: 'pci-dss/v/4.0.1' } },
      `org.json: securityHub.standards: must be a list of standards, from: ${SECURITY_HUB_STANDARDS.join(', ')}`,
    ],
    [{ securityHub: { enabled: true, standard: [] } }, 'org.json: securityHub.standard: unknown key; did you mean "standards"?'],
    [{ detective: { enabled: true, existingGraph: {} } }, 'org.json: detective.existingGraph: unknown key; did you mean "existingGraphs"?'],
  ])('reports %j', (overrides, expected) => {
    expect(problemsOf(overrides)).toEqual([expected]);
  });

  it('reports a standard listed twice', () => {
    expect(problemsOf({ securityHub: { enabled: true, standards: ['pci-dss/v/4.0.1', 'nist-800-53/v/5.0.0', 'pci-dss/v/4.0.1'] } })).toEqual([
      'org.json: securityHub.standards[2]: "pci-dss/v/4.0.1" is listed twice',
    ]);
  });

  it('reports autoEnable in invitations mode, where there is no organization to auto-enable', () => {
    expect(problemsOf({ ...INVITATIONS, securityHub: { enabled: true, autoEnable: true }, detective: { enabled: true, autoEnable: false } })).toEqual([
      'org.json: securityHub.autoEnable: applies to organizations mode only (Security Hub enables new accounts of the organization); in invitations mode every account is enrolled from members, so remove it',
      'org.json: detective.autoEnable: applies to organizations mode only (Detective enables new accounts of the organization); in invitations mode every account is enrolled from members, so remove it',
    ]);
    expect(problemsOf({ ...INVITATIONS, securityHub: { enabled: true }, detective: { enabled: true } })).toEqual([]);
  });

  it('checks each graph to import: its ARN, its region, and that it is the admin account’s', () => {
    expect(
      problemsOf({
        detective: {
          enabled: true,
          existingGraphs: {
            'us-east-1': 'graph-123',
            'eu-west-1': GRAPH('us-east-1'),
            'us-west-2': GRAPH('us-west-2', '999999999999'),
            'ap-south-1': GRAPH('ap-south-1'),
          },
        },
      }),
    ).toEqual([
      'org.json: detective.existingGraphs.us-east-1: must be a behavior graph ARN, arn:aws:detective:us-east-1:222222222222:graph:<32 lowercase hex characters>; got "graph-123"',
      'org.json: detective.existingGraphs.eu-west-1: is a graph in us-east-1, not in eu-west-1',
      "org.json: detective.existingGraphs.us-west-2: belongs to account 999999999999, not to the admin account (accounts.admin 222222222222); only the admin account's graphs are managed here",
      'org.json: detective.existingGraphs.ap-south-1: region is not in regions (us-west-2, us-east-1, eu-west-1)',
    ]);
  });

  it('reports every problem of both services at once, beside problems elsewhere', () => {
    const problems = problemsOf({
      name: 'X',
      securityHub: { enabled: true, standards: ['pci-dss'] },
      detective: { enabled: 'no', existingGraphs: { 'us-east-1': 'nope' } },
    });
    expect(problems).toHaveLength(4);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^org\.json: name: /),
        expect.stringMatching(/^org\.json: securityHub\.standards\[0\]: must be one of .*; got "pci-dss"$/),
        'org.json: detective.enabled: must be true or false; got "no"',
        expect.stringMatching(/^org\.json: detective\.existingGraphs\.us-east-1: must be a behavior graph ARN/),
      ]),
    );
  });
});
