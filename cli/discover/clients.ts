import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { OrgConfig } from '../../lib/config/load';

interface AwsCredentialIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}
type AwsCredentialIdentityProvider = () => Promise<AwsCredentialIdentity>;

/**
 * How the scan reaches each account: injected, so tests hand in clients mocked with
 * aws-sdk-client-mock and the real scan assumes the deployment role in every account.
 */
export interface DiscoveryClients {
  guardduty(accountId: string, region: string): GuardDutyClient;
  /** The Organizations API of the management account. */
  organizations(accountId: string): OrganizationsClient;
}

export interface AssumeRoleOptions {
  /** Calls AssumeRole with the pipeline's own credentials. @default an STS client in the home region */
  readonly sts?: STSClient;
}

/** Role assumed in an account: the management account has its own (see `managementRoleName`). */
export function roleArn(config: Pick<OrgConfig, 'accounts' | 'roleName' | 'managementRoleName'>, accountId: string): string {
  const role = accountId === config.accounts.management ? config.managementRoleName : config.roleName;
  return `arn:aws:iam::${accountId}:role/${role}`;
}

/**
 * Real clients: the deployment role of each account, assumed once per account through a regional STS
 * endpoint (its session tokens are valid in opt-in regions too, unlike the global endpoint's).
 */
export function assumeRoleClients(config: OrgConfig, options: AssumeRoleOptions = {}): DiscoveryClients {
  const sts = options.sts ?? new STSClient({ region: config.homeRegion });
  const sessions = new Map<string, AwsCredentialIdentityProvider>();
  const credentials = (accountId: string): AwsCredentialIdentityProvider => {
    let provider = sessions.get(accountId);
    if (!provider) {
      let pending: Promise<AwsCredentialIdentity> | undefined;
      provider = () => {
        // A failed attempt (throttled, say) is not cached: the next call tries again.
        pending ??= assume(sts, roleArn(config, accountId), `guardduty-discover-${config.name}`).catch((error: unknown) => {
          pending = undefined;
          throw error;
        });
        return pending;
      };
      sessions.set(accountId, provider);
    }
    return provider;
  };
  return {
    guardduty: (accountId, region) => new GuardDutyClient({ region, credentials: credentials(accountId) }),
    organizations: (accountId) => new OrganizationsClient({ region: 'us-east-1', credentials: credentials(accountId) }),
  };
}

async function assume(sts: STSClient, arn: string, sessionName: string): Promise<AwsCredentialIdentity> {
  const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: sessionName, DurationSeconds: 3600 }));
  if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey) throw new Error(`AssumeRole ${arn} returned no credentials`);
  return {
    accessKeyId: Credentials.AccessKeyId,
    secretAccessKey: Credentials.SecretAccessKey,
    sessionToken: Credentials.SessionToken,
    expiration: Credentials.Expiration,
  };
}
