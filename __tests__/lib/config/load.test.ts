import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { configFileFromEnv, loadConfig, parseConfig } from '../../../lib/config/load';
import { jsonSyntaxError } from '../../../lib/config/json-syntax';
import { ConfigError, formatProblem } from '../../../lib/problems';
import { configProblems } from '../../helpers/config';
import { EXAMPLE_DIR, exampleData, REPO_ROOT } from '../../helpers/synth';

const problemsOf = configProblems;

function withChanges(change: (data: Record<string, any>) => void): Record<string, any> {
  const data = exampleData();
  change(data);
  return data;
}

/** A configuration folder with these files and the example's lists. */
function tempDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gd-config-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  cpSync(path.join(EXAMPLE_DIR, 'lists'), path.join(dir, 'lists'), { recursive: true });
  return dir;
}

describe('the shipped example', () => {
  it('loads with members from the inline list and the CSV file, in listing order', () => {
    const config = loadConfig('config/org.json', { cwd: REPO_ROOT });
    expect(config.members.map((member) => [member.id, member.wave, member.source])).toEqual([
      ['333333333333', 1, 'config/org.json: members[0]'],
      ['444444444444', 1, 'config/org.json: members[1]'],
      ['555555555501', 1, 'config/accounts.csv:2'],
      ['555555555502', 1, 'config/accounts.csv:3'],
      ['555555555503', 2, 'config/accounts.csv:4'],
      ['555555555504', 2, 'config/accounts.csv:5'],
    ]);
    expect(config.regions).toHaveLength(3);
    expect(config.managementRoleName).toBe('GuardDutyDeployment');
    expect(config.threatLists[0].path).toBe(path.join(REPO_ROOT, 'config/lists/example-threat-list.txt'));
  });

  it('fills defaults for optional keys', () => {
    const config = parseConfig(
      withChanges((data) => {
        for (const key of ['autoEnable', 'findingPublishingFrequency', 'protection', 'backend', 'managementRoleName', 'members', 'membersFile']) delete data[key];
        data.remediation = { mode: 'off' };
        data.simulation = { enabled: false };
      }),
      { file: 'org.json', cwd: EXAMPLE_DIR },
    );
    expect(config.autoEnable).toBe('ALL');
    expect(config.findingPublishingFrequency).toBe('FIFTEEN_MINUTES');
    expect(Object.values(config.protection).every(Boolean)).toBe(true);
    expect(config.backend).toEqual({ type: 'local' });
    expect(config.managementRoleName).toBe(config.roleName);
    expect(config.members).toEqual([]);
  });

  it('reads ORG_CONFIG, defaulting to config/org.json', () => {
    expect(configFileFromEnv({})).toBe('config/org.json');
    expect(configFileFromEnv({ ORG_CONFIG: 'other/org.json' })).toBe('other/org.json');
  });
});

describe('bad configuration: every problem names its field', () => {
  const cases: [string, (data: Record<string, any>) => void, RegExp][] = [
    ['a short account id', (d) => (d.accounts.admin = '2222'), /^org\.json: accounts\.admin: must be a 12-digit AWS account id; got "2222"$/],
    ['an account id as a number', (d) => (d.accounts.sandbox = 333333333333), /^org\.json: accounts\.sandbox: must be a 12-digit AWS account id written as a string \(in quotes\); got 333333333333$/],
    ['a missing account role', (d) => delete d.accounts.sandbox, /^org\.json: accounts\.sandbox: is required$/],
    ['admin equal to management', (d) => (d.accounts.admin = d.accounts.management), /^org\.json: accounts\.admin: must not be the management account \(111111111111\)/],
    ['sandbox equal to admin', (d) => (d.accounts.sandbox = d.accounts.admin), /^org\.json: accounts\.sandbox: must not be the admin account \(222222222222\)/],
    ['sandbox equal to management', (d) => (d.accounts.sandbox = d.accounts.management), /^org\.json: accounts\.sandbox: must not be the management account/],
    ['a member listed twice inline', (d) => d.members.push({ ...d.members[1] }), /^org\.json: members\[2\]\.id: account 444444444444 is listed twice \(also at org\.json: members\[1\]\)$/],
    ['a member inline and in the CSV', (d) => d.members.push({ id: '555555555503', email: 'x@example.com' }), /^accounts\.csv:4: AccountId: account 555555555503 is listed twice \(also at org\.json: members\[2\]\)$/],
    ['the admin account as a member', (d) => d.members.push({ id: '222222222222', email: 'a@example.com' }), /^org\.json: members\[2\]\.id: account 222222222222 is the admin account/],
    ['a bad member e-mail', (d) => (d.members[1].email = 'ops@'), /^org\.json: members\[1\]\.email: must be an e-mail address; got "ops@"$/],
    ['wave zero', (d) => (d.members[1].wave = 0), /^org\.json: members\[1\]\.wave: must be a positive whole number; got 0$/],
    ['a fractional wave', (d) => (d.members[1].wave = 1.5), /^org\.json: members\[1\]\.wave: must be a positive whole number; got 1\.5$/],
    ['an unknown region with a typo', (d) => (d.regions = ['us-west-2', 'us-est-1']), /^org\.json: regions\[1\]: unknown region "us-est-1"; did you mean "us-east-1"\?$/],
    ['an unknown region far from any name', (d) => (d.regions = ['us-west-2', 'mars-north-9']), /^org\.json: regions\[1\]: unknown region "mars-north-9"; if it is newer than this tool's region table, also list it in additionalRegions$/],
    ['a region listed twice', (d) => (d.regions = ['us-west-2', 'us-west-2']), /^org\.json: regions\[1\]: "us-west-2" is listed twice$/],
    ['homeRegion outside regions', (d) => (d.homeRegion = 'eu-central-1'), /^org\.json: homeRegion: "eu-central-1" must also be listed in regions \(us-west-2, us-east-1, eu-west-1\)$/],
    ['no regions', (d) => (d.regions = []), /^org\.json: regions: must list at least one region$/],
    ['a bad mode', (d) => (d.mode = 'organisation'), /^org\.json: mode: must be one of organizations, invitations; got "organisation"$/],
    ['a bad autoEnable', (d) => (d.autoEnable = 'all'), /^org\.json: autoEnable: must be one of ALL, NEW, NONE; got "all"$/],
    ['a bad publishing frequency', (d) => (d.findingPublishingFrequency = 'HOURLY'), /^org\.json: findingPublishingFrequency: must be one of FIFTEEN_MINUTES, ONE_HOUR, SIX_HOURS; got "HOURLY"$/],
    ['a bad remediation mode', (d) => (d.remediation.mode = 'dryrun'), /^org\.json: remediation\.mode: must be one of auto, dry-run, off; got "dryrun"$/],
    ['a bad backend type', (d) => (d.backend = { type: 'gcs' }), /^org\.json: backend\.type: must be one of local, s3, cloud; got "gcs"$/],
    ['an s3 backend without bucket', (d) => (d.backend = { type: 's3', region: 'us-west-2' }), /^org\.json: backend\.bucket: is required$/],
    ['a misspelled protection key', (d) => (d.protection.s3Logs = true), /^org\.json: protection\.s3Logs: unknown key; did you mean "s3"\?$/],
    ['a misspelled top-level key', (d) => (d.homeregion = 'us-west-2'), /^org\.json: homeregion: unknown key; did you mean "homeRegion"\?$/],
    ['a string boolean', (d) => (d.protection.ebsMalware = 'true'), /^org\.json: protection\.ebsMalware: must be true, false or \{ enabled, excludeRegions \}; got "true"$/],
    ['a name with capitals', (d) => (d.name = 'Acme'), /^org\.json: name: must be 2-20 lowercase letters, digits or '-', starting with a letter/],
    ['a missing members file', (d) => (d.membersFile = 'nope.csv'), /^org\.json: membersFile: file "nope\.csv" not found in \.\/ \(paths are relative to the configuration's folder\)$/],
    ['a missing threat list file', (d) => (d.threatLists[0].file = 'lists/nope.txt'), /^org\.json: threatLists\[0\]\.file: file "lists\/nope\.txt" not found in \.\//],
    ['a threat list name used twice', (d) => d.threatLists.push({ ...d.threatLists[0] }), /^org\.json: threatLists\[1\]\.name: "Example-Threat-List" is used twice$/],
    ['a bad notification e-mail', (d) => (d.notifications.emails = ['secops']), /^org\.json: notifications\.emails\[0\]: must be an e-mail address; got "secops"$/],
    ['an existing detector of a member in organizations mode', (d) => (d.existingDetectors = { '444444444444': { 'us-east-1': 'a'.repeat(32) } }), /^org\.json: existingDetectors\.444444444444: is not the admin account; in organizations mode only the admin detector is managed here/],
    ['an existing detector in an unlisted region', (d) => (d.existingDetectors = { '222222222222': { 'eu-central-1': 'a'.repeat(32) } }), /^org\.json: existingDetectors\.222222222222\.eu-central-1: region is not in regions/],
    ['a malformed detector id', (d) => (d.existingDetectors = { '222222222222': { 'us-east-1': 'not-a-detector' } }), /^org\.json: existingDetectors\.222222222222\.us-east-1: must be a GuardDuty detector id \(32 lowercase hex characters\); got "not-a-detector"$/],
    ['an unenrolled sandbox with autoEnable NEW', (d) => d.members.shift(), /^org\.json: accounts\.sandbox: 333333333333 is not enrolled with autoEnable NEW: list it in members/],
    ['additionalRegions naming a known region', (d) => (d.additionalRegions = ['us-east-1']), /^org\.json: additionalRegions\[0\]: "us-east-1" is already known; list it in regions only$/],
    ['an existing delegation outside regions', (d) => (d.existingDelegations = ['eu-central-1']), /^org\.json: existingDelegations\[0\]: "eu-central-1" is not in regions \(us-west-2, us-east-1, eu-west-1\)$/],
    ['an existing delegation in invitations mode', (d) => { d.mode = 'invitations'; d.existingDelegations = ['us-east-1']; }, /^org\.json: existingDelegations: applies to organizations mode only/],
    ['a bad IAM role name', (d) => (d.roleName = 'Org Access'), /^org\.json: roleName: must be an IAM role name/],
  ];

  it.each(cases)('%s', (_title, change, expected) => {
    const problems = problemsOf(withChanges(change));
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  it('reports every problem at once', () => {
    const problems = problemsOf(
      withChanges((d) => {
        d.accounts.admin = '2222';
        d.mode = 'x';
        d.regions = ['us-west-2', 'us-est-1'];
        d.members[1].email = 'bad';
      }),
    );
    expect(problems).toHaveLength(4);
  });

  it('does not blame the sandbox for not being enrolled when its member entry has a problem of its own', () => {
    // members[0] is the sandbox: its own problem is reported, not an absence it causes.
    expect(problemsOf(withChanges((d) => (d.members[0].name = 'x'.repeat(51))))).toEqual([
      expect.stringMatching(/^org\.json: members\[0\]\.name: must be 1-50 letters/),
    ]);
    expect(problemsOf(withChanges((d) => (d.membersFile = 'missing.csv')))).toEqual([expect.stringMatching(/^org\.json: membersFile: /)]);
    // In invitations mode an existing detector of a member whose entry is invalid is not "unlisted" either.
    const invitations = (d: Record<string, any>) => {
      d.mode = 'invitations';
      delete d.organizationId;
      delete d.autoEnable;
      d.existingDetectors = { '444444444444': { 'us-west-2': 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6' } };
    };
    expect(problemsOf(withChanges((d) => (invitations(d), (d.members[1].email = 'bad'))))).toEqual([
      expect.stringMatching(/^org\.json: members\[1\]\.email: must be an e-mail address/),
    ]);
    // The absence is still reported when every entry is valid.
    expect(problemsOf(withChanges((d) => (invitations(d), d.members.splice(1, 1))))).toEqual([
      'org.json: existingDetectors.444444444444: is neither the admin account nor a listed member; only their detectors are managed here',
    ]);
  });

  it('accepts a region newer than the table when it is listed in additionalRegions', () => {
    const data = withChanges((d) => {
      d.additionalRegions = ['xx-east-1'];
      d.regions = ['us-west-2', 'xx-east-1'];
    });
    expect(problemsOf(data)).toEqual([]);
  });

  it('accepts opt-in regions', () => {
    expect(problemsOf(withChanges((d) => (d.regions = ['us-west-2', 'af-south-1', 'mx-central-1'])))).toEqual([]);
  });
});

describe('the configuration file', () => {
  it('names a missing file and how to point elsewhere', () => {
    expect(() => loadConfig('nowhere/org.json', { cwd: REPO_ROOT })).toThrow(/nowhere\/org\.json: cannot read the configuration \(file not found\); set ORG_CONFIG/);
  });

  it('gives the line of a JSON syntax error', () => {
    const dir = tempDir({ 'org.json': '{\n  "name": "acme",\n  "mode": "organizations",\n}\n' });
    expect(() => loadConfig('org.json', { cwd: dir })).toThrow(/org\.json:4: not valid JSON \(column 1\)/);
  });

  it.each([
    ['a comma before }', '{\n  "name": "acme",\n}\n', 'org.json:3: not valid JSON (column 1): expected a property name after \',\'; JSON takes no comma before \'}\'; found "}"'],
    ['a missing comma', '{\n  "name": "acme"\n  "mode": "organizations"\n}\n', 'org.json:3: not valid JSON (column 3): expected \',\' or \'}\' after a property; found "\\""'],
    ['a missing value', '{\n  "name": \n}', 'org.json:3: not valid JSON (column 1): expected a value (a string in double quotes, a number, true, false, null, an object or a list); found "}"'],
    ['a file that ends early', '{\n  "regions": ["us-east-1",', 'org.json:2: not valid JSON (column 27): expected a value (a string in double quotes, a number, true, false, null, an object or a list); found the end of the file'],
    ['an empty file', '', 'org.json:1: not valid JSON (column 1): expected a value (a string in double quotes, a number, true, false, null, an object or a list); found the end of the file'],
    ['a comment', '{\n  // the demo\n  "name": "acme"\n}', 'org.json:2: not valid JSON (column 3): expected a property name in double quotes; found "/"'],
    ['single quotes', "{ 'name': 'acme' }", 'org.json:1: not valid JSON (column 3): expected a property name in double quotes; found "\'"'],
    ['a line break in a string', '{ "name": "ac\nme" }', 'org.json:1: not valid JSON (column 14): expected no line break or control character inside a string (write \\n or \\t); found a line break'],
    ['a leading zero', '{ "wave": 01 }', 'org.json:1: not valid JSON (column 12): expected the end of the number; found "1"'],
    ['a misspelt literal', '{ "enabled": tru }', 'org.json:1: not valid JSON (column 14): expected a value (a string in double quotes, a number, true, false, null, an object or a list); found "t"'],
    ['text after the object', '{ "name": "acme" }\n}', 'org.json:2: not valid JSON (column 1): expected the end of the file after the configuration object; found "}"'],
    ['a byte order mark', '\uFEFF{ "name": "acme" }', 'org.json:1: not valid JSON (column 1): expected no byte order mark: save the file as UTF-8 without BOM; found "\uFEFF"'],
  ])('says where and what of %s, without quoting the file', (_title, text, message) => {
    const dir = tempDir({ 'org.json': text });
    let problems: string[] = [];
    try {
      loadConfig('org.json', { cwd: dir });
    } catch (error) {
      problems = (error as ConfigError).problems.map(formatProblem);
    }
    expect(problems).toEqual([message]);
  });

  it('finds an error wherever JSON.parse does, and none where it finds none', () => {
    const valid = JSON.stringify(exampleData(), null, 2);
    expect(jsonSyntaxError(valid)).toBeUndefined();
    expect(jsonSyntaxError('{"a":[1,-2.5e+3,true,false,null,"\\u00e9\\n"],"b":{}}')).toBeUndefined();
    // Every prefix of a valid file is invalid, and found so.
    for (let cut = 0; cut < valid.length; cut += 97) expect([cut, jsonSyntaxError(valid.slice(0, cut))]).toEqual([cut, expect.objectContaining({ message: expect.any(String) })]);
  });
});

describe('the members CSV file', () => {
  function csvProblems(csv: string): string[] {
    return problemsOf(withChanges((d) => (d.membersFile = 'accounts.csv')), tempDir({ 'accounts.csv': csv }));
  }

  it('accepts the header-less format of the multi-account scripts', () => {
    const dir = tempDir({ 'accounts.csv': '555555555501,dev@example.com\n555555555502,"staging@example.com"\n' });
    const config = parseConfig(withChanges((d) => (d.membersFile = 'accounts.csv')), { file: 'org.json', cwd: dir });
    expect(config.members.slice(2).map((member) => [member.id, member.email, member.wave])).toEqual([
      ['555555555501', 'dev@example.com', 1],
      ['555555555502', 'staging@example.com', 1],
    ]);
  });

  it('skips comments and blank lines but keeps line numbers true', () => {
    expect(csvProblems('AccountId,EmailAddress\n# a comment\n\n55555555550,dev@example.com\n')).toEqual([
      'accounts.csv:4: AccountId: must be a 12-digit AWS account id; got "55555555550" (11 digits: a spreadsheet drops a leading zero; format the column as text and write "055555555550")',
    ]);
  });

  it("says when a spreadsheet saved the file with ';' between values, with or without a header", () => {
    const hint = "the values are separated by ';' (a spreadsheet's regional setting): save the file with ',' between values";
    expect(csvProblems('AccountId;EmailAddress;Name;Wave\n555555555501;dev@example.com;dev;1\n')).toEqual([
      `accounts.csv:1: header must be AccountId,EmailAddress[,Name][,Wave]; got "AccountId;EmailAddress;Name;Wave"; ${hint}`,
    ]);
    expect(csvProblems('555555555501,dev@example.com\n555555555502;staging@example.com\n')).toEqual([
      "accounts.csv:2: has its values separated by ';' (a spreadsheet's regional setting); save the file with ',' between values",
    ]);
  });

  it('quotes no line of a file that is not a member list', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const problems = [
      ...csvProblems(`[default]\naws_secret_access_key = ${secret}\n`),
      ...csvProblems(`123456789012,${secret}\n`),
      ...csvProblems(`AccountId,EmailAddress\n555555555501,"dev@example.com"${secret}\n`),
    ];
    expect(problems).toEqual([
      'accounts.csv:1: header must be AccountId,EmailAddress[,Name][,Wave]; got "[d…" (9 characters; the rest is not shown)',
      'accounts.csv:1: EmailAddress: must be an e-mail address; got "wJal…" (40 characters; the rest is not shown)',
      'accounts.csv:2: not a valid CSV file: a quoted value goes on after its closing quote',
    ]);
    expect(problems.join('\n')).not.toContain(secret.slice(4));
  });

  it.each([
    ['a bad e-mail', 'AccountId,EmailAddress\n555555555501,dev-at-example.com\n', 'accounts.csv:2: EmailAddress: must be an e-mail address; got "dev-at-example.com"'],
    ['a missing e-mail', 'AccountId,EmailAddress\n555555555501\n', 'accounts.csv:2: EmailAddress: is required'],
    ['a wave that is not a number', 'AccountId,EmailAddress,Name,Wave\n555555555501,dev@example.com,dev,first\n', 'accounts.csv:2: Wave: must be a positive whole number; got "first"'],
    ['a negative wave', 'AccountId,EmailAddress,Name,Wave\n555555555501,dev@example.com,dev,-1\n', 'accounts.csv:2: Wave: must be a positive whole number; got -1'],
    ['a wrong header', 'Account,Email\n555555555501,dev@example.com\n', 'accounts.csv:1: header must be AccountId,EmailAddress[,Name][,Wave]; got "Account,Email"'],
    ['too many values', 'AccountId,EmailAddress\n555555555501,dev@example.com,dev\n', 'accounts.csv:2: has 3 values; expected at most 2 (AccountId,EmailAddress)'],
    ['an empty file', '', 'accounts.csv: is empty; expected a header AccountId,EmailAddress,Name,Wave and one account a line'],
    ['an unclosed quote', 'AccountId,EmailAddress\n555555555501,"dev@example.com\n', 'accounts.csv:2: not a valid CSV file: a quoted value is never closed'],
  ])('reports %s with file:line', (_title, csv, expected) => {
    expect(csvProblems(csv)).toEqual([expect.stringContaining(expected)]);
  });
});
