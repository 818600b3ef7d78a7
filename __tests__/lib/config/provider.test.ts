import { problemsAfter } from '../../helpers/config';

describe('providerVersion', () => {
  it('accepts an exact 6.x version at or above the floor', () => {
    expect(problemsAfter((d) => (d.providerVersion = '6.19.0'))).toEqual([]);
  });

  it.each([
    ['a range', '~> 6.0', /^org\.json: providerVersion: must be one exact hashicorp\/aws version such as "6\.66\.0"; got "~> 6\.0"$/],
    ['another major version', '5.100.0', /^org\.json: providerVersion: must be a 6\.x version: the stacks are written for hashicorp\/aws 6 \(per-resource region\); got "5\.100\.0"$/],
    ['a version below the floor', '6.18.0', /^org\.json: providerVersion: must be 6\.19\.0 or newer: this configuration uses the Lambda runtime nodejs24\.x of the remediation functions; got "6\.18\.0"$/],
  ])('refuses %s', (_title, version, expected) => {
    expect(problemsAfter((d) => (d.providerVersion = version))).toEqual([expect.stringMatching(expected)]);
  });

  it('lowers the floor with the remediation switched off', () => {
    expect(problemsAfter((d) => { d.providerVersion = '6.0.0'; d.remediation = { mode: 'off' }; })).toEqual([]);
  });
});
