import type { Problem } from '../problems';
import { RESERVED_EC2_TAG_KEYS, RESERVED_IAM_TAG_KEYS } from '../remediation/contract';
import type { RawConfig } from './schema';

/** The fields the remediation checks read; any of them may be missing when invalid. */
export interface RemediationFields {
  readonly mode?: RawConfig['mode'];
  readonly accounts?: Partial<RawConfig['accounts']>;
  readonly remediation?: RawConfig['remediation'];
}

/**
 * The remediation's exemptions and service control policy against the rest of the configuration:
 * the policy exists only in organizations mode, and the roles named by ARN are the sandbox
 * account's, where the remediation acts (a role of another account would match nothing, and an
 * exception for it in the policy would let a role of that name elsewhere pass).
 */
export function checkRemediation(fields: RemediationFields, file: string, problems: Problem[]): void {
  const remediation = fields.remediation;
  if (!remediation) return;
  const scp = remediation.serviceControlPolicy;
  if (scp.enabled && remediation.mode === 'off') {
    problems.push({ file, path: 'remediation.serviceControlPolicy.enabled', message: 'remediation.mode is "off": with no remediation there is nothing to reserve tags for' });
  }
  if (scp.enabled && fields.mode === 'invitations') {
    problems.push({
      file,
      path: 'remediation.serviceControlPolicy.enabled',
      message: 'service control policies need AWS Organizations: only in organizations mode (in invitations mode the exemption tag is not honoured; list exemptions under remediation.exemptions)',
    });
  }
  const sandbox = fields.accounts?.sandbox;
  const roleArns: [string, readonly string[]][] = [
    ['remediation.exemptions.roles', remediation.exemptions.roles],
    ['remediation.serviceControlPolicy.securityTeamRoles', scp.securityTeamRoles],
  ];
  for (const [path, roles] of roleArns) {
    roles.forEach((role, index) => {
      const account = /^arn:[\w-]+:iam::(\d{12}):/.exec(role)?.[1];
      if (account !== undefined && sandbox !== undefined && account !== sandbox) {
        problems.push({ file, path: `${path}[${index}]`, message: `must be a role of the sandbox account (${sandbox}), where the remediation acts; got one of ${account}` });
      }
    });
  }
}

/** The tag keys `tags` may not hold: every key the remediation reads, and this deployment's exemption tag. */
export function remediationTagKeys(remediation: Pick<RawConfig['remediation'], 'exemptTag'> | undefined): string[] {
  return [...new Set([...(remediation ? [remediation.exemptTag] : []), ...RESERVED_EC2_TAG_KEYS, ...RESERVED_IAM_TAG_KEYS])];
}
