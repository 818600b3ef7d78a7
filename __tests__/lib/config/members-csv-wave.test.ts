import { parseMembersCsv } from '../../../lib/config/members-csv';

/** An empty Wave cell would put its account in wave 1, the first to be enrolled: refused, with the line. */
describe('the Wave column of the members CSV file', () => {
  const problems = (csv: string) => parseMembersCsv(csv, 'accounts.csv').problems.map((problem) => `${problem.file}:${problem.line}: ${problem.path}: ${problem.message}`);
  const waves = (csv: string) => parseMembersCsv(csv, 'accounts.csv').members.map((member) => [member.id, member.wave]);
  const EMPTY = 'is empty; every line of a file with a Wave column needs its wave (wave 1 is the first to be enrolled)';

  it('refuses an empty Wave cell under a header that has the column, naming every such line', () => {
    const csv = 'AccountId,EmailAddress,Name,Wave\n555555555501,dev@example.com,dev,2\n555555555502,staging@example.com,staging,\n# a comment\n555555555503,web@example.com,web\n';
    expect(problems(csv)).toEqual([`accounts.csv:3: Wave: ${EMPTY}`, `accounts.csv:5: Wave: ${EMPTY}`]);
    expect(waves(csv)).toEqual([['555555555501', 2]]);
  });

  it('refuses an empty Wave cell in a file without a header once any line gives a wave', () => {
    expect(problems('555555555501,dev@example.com,dev,3\n555555555502,staging@example.com,staging,\n')).toEqual([`accounts.csv:2: Wave: ${EMPTY}`]);
    expect(problems('555555555501,dev@example.com,dev,3\n555555555502,staging@example.com\n')).toEqual([`accounts.csv:2: Wave: ${EMPTY}`]);
  });

  it('keeps wave 1 for files without waves: the header-less format of the multi-account scripts, or a header without the column', () => {
    expect(waves('555555555501,dev@example.com\n555555555502,staging@example.com,staging\n')).toEqual([['555555555501', 1], ['555555555502', 1]]);
    expect(waves('AccountId,EmailAddress,Name\n555555555501,dev@example.com,dev\n555555555502,staging@example.com,\n')).toEqual([['555555555501', 1], ['555555555502', 1]]);
    expect(problems('AccountId,EmailAddress,Name\n555555555501,dev@example.com,dev\n')).toEqual([]);
  });
});
