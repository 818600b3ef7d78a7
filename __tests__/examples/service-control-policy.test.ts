import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { remediationScpDocuments } from '../../stacks/remediation-scp-stack';
import { SCP_MAX_CHARACTERS } from '../../lib/remediation/service-control-policy';
import { REPO_ROOT, testConfig } from '../helpers/synth';

const FOLDER = path.join(REPO_ROOT, 'examples', 'service-control-policy');
const text = readFileSync(path.join(FOLDER, 'reserve-remediation-tags.json'), 'utf8');

/**
 * The example is the policy the product deploys with `remediation.serviceControlPolicy` for the demo
 * configuration (config/org.json with the access-key deactivation on and a security team role), as
 * it is: for whoever attaches it by hand, and to read what the stack writes.
 */
describe('examples/service-control-policy', () => {
  const config = testConfig({ remediation: { deactivateAccessKeys: true, serviceControlPolicy: { enabled: true, securityTeamRoles: ['SecurityIncidentResponse'] } } });

  it('is the policy the remediation-scp stack writes for the demo configuration', () => {
    const documents = remediationScpDocuments(config);
    expect(documents).toHaveLength(1);
    expect(JSON.parse(text)).toEqual(JSON.parse(documents[0]));
  });

  it('fits an SCP as written, and its README names every value to replace', () => {
    expect(text.length).toBeLessThan(SCP_MAX_CHARACTERS);
    const readme = readFileSync(path.join(FOLDER, 'README.md'), 'utf8');
    for (const value of ['SecurityIncidentResponse', 'OrganizationAccountAccessRole', '333333333333', '`acme`', 'GuardDutyRemediationExempt', 'remediation.serviceControlPolicy']) expect(readme).toContain(value);
    expect(readme).toContain('--content file://reserve-remediation-tags.json');
  });
});
