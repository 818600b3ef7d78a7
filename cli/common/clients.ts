import { DetectiveClient } from '@aws-sdk/client-detective';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { OrgConfig } from '../../lib/config/load';
import { iamArn, organizationsRegion } from '../../lib/aws/partition';

interface AwsCredentialIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}
type AwsCredentialIdentityProvider = () => Promise<AwsCredentialIdentity>;

/**
 * How a command reaches each account: injected, so tests hand in clients mocked with
 * aws-sdk-client-mock and the real commands assume a role in every account. A command takes the
 * part it uses (`Pick<AccountClients, 'guardduty'>`), so a test mocks only that.
 */
export interface AccountClients {
  guardduty(accountId: string, region: string): GuardDutyClient;
  /** The Organizations API of the management account. */
  organizations(accountId: string): OrganizationsClient;
  eventbridge(accountId: string, region: string): EventBridgeClient;
  lambda(accountId: string, region: string): LambdaClient;
  securityhub(accountId: string, region: string): SecurityHubClient;
  detective(accountId: string, region: string): DetectiveClient;
}

export interface AssumeRoleOptions {
  /** Calls AssumeRole with the pipeline's own credentials. @default an STS client in the home region */
  readonly sts?: STSClient;
  /** Names the sessions in CloudTrail: `guardduty-<command>-<name>`. */
  readonly command: string;
  /**
   * Role assumed in every account, the management account included (a read-only role, say).
   * @default roleName, and managementRoleName in the management account
   */
  readonly roleName?: string;
}

/** Role assumed in an account: the management account has its own (see `managementRoleName`). */
export function roleArn(config: Pick<OrgConfig, 'accounts' | 'roleName' | 'managementRoleName' | 'homeRegion'>, accountId: string, roleName?: string): string {
  const role = roleName ?? (accountId === config.accounts.management ? config.managementRoleName : config.roleName);
  return iamArn(config.homeRegion, accountId, `role/${role}`);
}

/**
 * Real clients: a role of each account, assumed once per account through a regional STS endpoint
 * (its session tokens are valid in opt-in regions too, unlike the global endpoint's).
 */
export function assumeRoleClients(config: OrgConfig, options: AssumeRoleOptions): AccountClients {
  const sts = options.sts ?? new STSClient({ region: config.homeRegion });
  const sessions = new Map<string, AwsCredentialIdentityProvider>();
  const credentials = (accountId: string): AwsCredentialIdentityProvider => {
    let provider = sessions.get(accountId);
    if (!provider) {
      let pending: Promise<AwsCredentialIdentity> | undefined;
      provider = () => {
        // A failed attempt (throttled, say) is not cached: the next call tries again.
        pending ??= assume(sts, roleArn(config, accountId, options.roleName), `guardduty-${options.command}-${config.name}`).catch((error: unknown) => {
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
    organizations: (accountId) => new OrganizationsClient({ region: organizationsRegion(config.homeRegion), credentials: credentials(accountId) }),
    eventbridge: (accountId, region) => new EventBridgeClient({ region, credentials: credentials(accountId) }),
    lambda: (accountId, region) => new LambdaClient({ region, credentials: credentials(accountId) }),
    securityhub: (accountId, region) => new SecurityHubClient({ region, credentials: credentials(accountId) }),
    detective: (accountId, region) => new DetectiveClient({ region, credentials: credentials(accountId) }),
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
