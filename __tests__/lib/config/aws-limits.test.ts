import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { handledTags } from '../../../functions/commons/remediation';
import { loadConfig, MEMBER_QUOTA } from '../../../lib/config/load';
import { ConfigError, formatProblem } from '../../../lib/problems';
import { DEFAULT_TAG_KEYS, MAX_CONFIGURED_TAGS, MAX_TAGS_PER_RESOURCE, PRODUCT_TAGS_PER_RESOURCE } from '../../../lib/config/tags';
import { configProblems } from '../../helpers/config';
import { runApp } from '../../helpers/run-app';
import { exampleData, synthApp, testConfig, writeExample } from '../../helpers/synth';

/** Everything AWS would refuse at apply time is refused when the configuration is read. */

const problemsOf = (data: unknown) => configProblems(data);

function withChanges(change: (data: Record<string, any>) => void): Record<string, any> {
  const data = exampleData();
  change(data);
  return data;
}

/** The problems of a configuration file with this text, as `npm run synth` reads it. */
function fileProblems(text: string): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'gd-limits-'));
  writeExample(dir, text);
  try {
    loadConfig('org.json', { cwd: dir });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map(formatProblem);
    throw error;
  }
  return [];
}

/** The example as formatted text, with the first `"key": value` line matching `after` followed by `line`. */
function exampleTextWith(after: RegExp, line: string): string {
  const lines = JSON.stringify(exampleData(), null, 2).split('\n');
  const at = lines.findIndex((text) => after.test(text));
  lines.splice(at + 1, 0, line);
  return lines.join('\n');
}

describe('duplicate keys', () => {
  it('names both lines and the field, for accounts.admin among others, beside every other problem', () => {
    const text = exampleTextWith(/^ {4}"admin": "222222222222",$/, '    "admin": "999999999999",').replace('"name": "acme"', '"name": "Acme"');
    const lines = text.split('\n');
    const first = lines.findIndex((line) => line.includes('"admin": "222222222222"')) + 1;
    expect(fileProblems(text)).toEqual([
      `org.json:${first + 1}: accounts.admin: is given twice in one object (first at line ${first}); JSON keeps only the last one, so remove one of them`,
      `org.json: name: must be 2-20 lowercase letters, digits or '-', starting with a letter (it goes into bucket names); got "Acme"`,
    ]);
  });

  it('finds them at any depth, in arrays, and under escaped spellings, and not across objects', () => {
    const text = [
      '{',
      '  "members": [',
      '    { "id": "444444444444", "email": "a@example.com" },',
      '    { "id": "555555555555", "email": "b@example.com", "\\u0065mail": "c@example.com" }',
      '  ],',
      '  "filters": [{ "criteria": { "severity": { "lt": 4, "lt": 7 } } }]',
      '}',
    ].join('\n');
    expect(fileProblems(text).filter((problem) => problem.includes('given twice'))).toEqual([
      'org.json:4: members[1].email: is given twice in one object (first at line 4); JSON keeps only the last one, so remove one of them',
      'org.json:6: filters[0].criteria.severity.lt: is given twice in one object (first at line 6); JSON keeps only the last one, so remove one of them',
    ]);
    expect(fileProblems(JSON.stringify(exampleData(), null, 2))).toEqual([]);
  });

  it('stops the app before any stack is written', () => {
    const run = runApp(exampleTextWith(/^ {4}"admin": "222222222222",$/, '    "admin": "999999999999",'));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/org\.json:\d+: accounts\.admin: is given twice in one object \(first at line \d+\)/);
    expect(existsSync(path.join(run.outdir, 'manifest.json'))).toBe(false);
  });
});

describe('tags', () => {
  it.each([
    ['an aws: prefix', { 'AWS:Owner': 'x' }, 'org.json: tags.AWS:Owner: tag keys must not start with "aws:" (reserved by AWS)'],
    ['a key the product sets', { Stack: 'x' }, 'org.json: tags.Stack: is a tag this product sets itself (ManagedBy, GuardDutyDeployment, Stack); choose another key'],
    ['a key past 128 characters', { ['k'.repeat(129)]: 'x' }, `org.json: tags.${'k'.repeat(129)}: tag keys must be 1-128 letters, digits, blanks or + - = . _ : / @; got "${'k'.repeat(129)}"`],
    ['an empty key', { '': 'x' }, 'org.json: tags.: tag keys must be 1-128 letters, digits, blanks or + - = . _ : / @; got ""'],
    ['a character AWS refuses in a key', { 'Cost$Center': 'x' }, 'org.json: tags.Cost$Center: tag keys must be 1-128 letters, digits, blanks or + - = . _ : / @; got "Cost$Center"'],
    ['a value past 256 characters', { Owner: 'v'.repeat(257) }, `org.json: tags.Owner: tag values must be at most 256 letters, digits, blanks or + - = . _ : / @; got "${'v'.repeat(257)}"`],
    ['a template in a value', { Owner: '${file("/etc/passwd")}' }, 'org.json: tags.Owner: tag values must be at most 256 letters, digits, blanks or + - = . _ : / @; got "${file(\\"/etc/passwd\\")}"'],
  ])('refuses %s', (_title, tags, expected) => {
    expect(problemsOf(withChanges((d) => (d.tags = tags)))).toEqual([expected]);
  });

  it('accepts letters of any script, blanks and the allowed punctuation, and an empty value', () => {
    expect(problemsOf(withChanges((d) => (d.tags = { 'Kostenstelle Zürich': 'Sécurité/équipe_1 + ops@acme.example:42=ok', Empty: '' })))).toEqual([]);
  });

  it(`takes at most ${MAX_CONFIGURED_TAGS}, counting the product's own toward AWS's ${MAX_TAGS_PER_RESOURCE}`, () => {
    const tags = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, index) => [`Tag${index}`, 'x']));
    expect(problemsOf(withChanges((d) => (d.tags = tags(MAX_CONFIGURED_TAGS))))).toEqual([]);
    expect(problemsOf(withChanges((d) => (d.tags = tags(MAX_CONFIGURED_TAGS + 1))))).toEqual([
      `org.json: tags: ${MAX_CONFIGURED_TAGS + 1} tags; AWS takes 50 on a resource, and this product adds up to ${50 - MAX_CONFIGURED_TAGS} of its own (ManagedBy, GuardDutyDeployment, Stack and a few on some resources), so at most ${MAX_CONFIGURED_TAGS}`,
    ]);
  });

  it('reserves enough for every tag the product puts on a resource, synthesized or written by the remediation', () => {
    const synth = synthApp(testConfig({ tags: { CostCenter: 'security' } }));
    let most = 0;
    for (const id of synth.stackIds) {
      const stack = synth.stack(id);
      for (const provider of stack.provider.aws) {
        expect(Object.keys(provider.default_tags[0].tags).sort()).toEqual([...DEFAULT_TAG_KEYS, 'CostCenter'].sort());
      }
      for (const [type, resources] of Object.entries<Record<string, any>>(stack.resource ?? {})) {
        // The remediation tags the instances it handles (the simulation's are the only ones deployed here).
        const written = type === 'aws_instance' ? handledTags({ id: 'f', updatedAt: 't' }).length : 0;
        for (const resource of Object.values<any>(resources)) most = Math.max(most, Object.keys(resource.tags ?? {}).length + written);
      }
    }
    expect(most).toBe(PRODUCT_TAGS_PER_RESOURCE);
  });
});

describe('members', () => {
  it.each([
    ['a name past 50 characters', 'n'.repeat(51)],
    ['a line break', 'prod\nweb'],
    ['Markdown that would break the review table', 'prod | admin'],
    ['a link', '[click](https://example.com)'],
    ['a template', '${file("/etc/passwd")}'],
    ['a leading blank', ' prod'],
  ])('refuses %s in a name', (_title, name) => {
    expect(problemsOf(withChanges((d) => (d.members[1].name = name)))).toEqual([
      `org.json: members[1].name: must be 1-50 letters, digits, blanks or _.,()'&+@/:#-, starting with a letter or digit (it is printed in review documents); got ${JSON.stringify(name)}`,
    ]);
  });

  it('accepts names as people write them', () => {
    expect(problemsOf(withChanges((d) => (d.members[1].name = "Zürich prod (web) #2 - R&D's")))).toEqual([]);
  });

  it('checks the CSV Name column the same way, by file:line', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gd-limits-csv-'));
    writeFileSync(path.join(dir, 'accounts.csv'), 'AccountId,EmailAddress,Name\n555555555501,dev@example.com,dev|prod\n');
    writeExample(dir);
    expect(() => loadConfig('org.json', { cwd: dir })).toThrow(
      `accounts.csv:2: Name: must be 1-50 letters, digits, blanks or _.,()'&+@/:#-, starting with a letter or digit (it is printed in review documents); got "dev|prod"`,
    );
  });

  it('refuses an e-mail address longer than GuardDuty takes', () => {
    const email = `${'a'.repeat(53)}@example.com`;
    expect(email).toHaveLength(65);
    expect(problemsOf(withChanges((d) => (d.members[1].email = email)))).toEqual([
      "org.json: members[1].email: must be at most 64 characters (GuardDuty's limit for member e-mail addresses)",
    ]);
  });

  it.each([
    ['invitations', MEMBER_QUOTA.invitations, 5_000],
    ['organizations', MEMBER_QUOTA.organizations, 50_000],
  ] as const)('counts members against the %s-mode quota', (mode, quota, documented) => {
    expect(quota).toBe(documented);
    const members = (count: number) => [
      { id: '333333333333', email: 'sandbox@example.com' },
      ...Array.from({ length: count - 1 }, (_, index) => ({ id: String(400000000000 + index), email: `m${index}@example.com` })),
    ];
    const data = (count: number) => withChanges((d) => {
      d.mode = mode;
      d.membersFile = undefined;
      d.members = members(count);
    });
    expect(problemsOf(data(quota)).filter((problem) => problem.includes('member accounts'))).toEqual([]);
    expect(problemsOf(data(quota + 1))).toEqual([
      `org.json: members: ${(quota + 1).toLocaleString('en-US')} member accounts; a GuardDuty administrator takes at most ${quota.toLocaleString('en-US')} in ${mode} mode`,
    ]);
  });
});
