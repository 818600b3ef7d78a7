import {
  AccessDeniedException,
  GetAdministratorAccountCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  ListOrganizationAdminAccountsCommand,
} from '@aws-sdk/client-guardduty';
import { ListDelegatedAdministratorsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { discover, type DiscoveryClients, existingDelegations, existingDetectors, findings, formatDiscovery } from '../../../cli/discover/discover';
import { testConfig } from '../../helpers/synth';

const ADMIN = '222222222222';
const SANDBOX = '333333333333';
const MEMBER = '444444444444';
const MANAGEMENT = '111111111111';
const OTHER_ADMIN = '999999999999';
const OPT_IN = 'eu-south-1';
const detector = (n: number) => n.toString(16).padStart(32, '0');

const config = (mode: 'organizations' | 'invitations' = 'organizations') =>
  testConfig({
    mode,
    regions: ['us-west-2', OPT_IN],
    membersFile: undefined,
    members: [
      { id: SANDBOX, email: 'sandbox@example.com', wave: 1 },
      { id: MEMBER, email: 'member@example.com', wave: 1 },
    ],
  });

function error(name: string, message: string, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(message), { name, $metadata: {}, ...extra });
}

/** One real SDK client per account and region, each mocked on its own, so a test says who answers what. */
class MockedAccounts implements DiscoveryClients {
  readonly guarddutyStubs = new Map<string, AwsClientStub<GuardDutyClient>>();
  readonly organizationsStubs = new Map<string, AwsClientStub<OrganizationsClient>>();
  private readonly clients = new Map<string, GuardDutyClient>();
  private readonly orgClients = new Map<string, OrganizationsClient>();

  /** The stub of an account/region, created with "GuardDuty enabled nowhere" as its default answer. */
  stub(account: string, region: string): AwsClientStub<GuardDutyClient> {
    const key = `${account}/${region}`;
    if (!this.clients.has(key)) {
      const client = new GuardDutyClient({ region });
      const stub = mockClient(client);
      stub.on(ListDetectorsCommand).resolves({ DetectorIds: [] });
      stub.on(ListOrganizationAdminAccountsCommand).resolves({ AdminAccounts: [] });
      this.clients.set(key, client);
      this.guarddutyStubs.set(key, stub);
    }
    return this.guarddutyStubs.get(key) as AwsClientStub<GuardDutyClient>;
  }

  orgStub(account: string): AwsClientStub<OrganizationsClient> {
    if (!this.orgClients.has(account)) {
      const client = new OrganizationsClient({ region: 'us-east-1' });
      const stub = mockClient(client);
      stub.on(ListDelegatedAdministratorsCommand).resolves({ DelegatedAdministrators: [] });
      this.orgClients.set(account, client);
      this.organizationsStubs.set(account, stub);
    }
    return this.organizationsStubs.get(account) as AwsClientStub<OrganizationsClient>;
  }

  guardduty(account: string, region: string): GuardDutyClient {
    this.stub(account, region);
    return this.clients.get(`${account}/${region}`) as GuardDutyClient;
  }

  organizations(account: string): OrganizationsClient {
    this.orgStub(account);
    return this.orgClients.get(account) as OrganizationsClient;
  }
}

const noSleep = { sleep: async () => undefined, random: () => 0.5 };

describe('discover', () => {
  it('finds the admin detector to import, and a member another administrator already manages', async () => {
    const accounts = new MockedAccounts();
    accounts.stub(ADMIN, 'us-west-2').on(ListDetectorsCommand).resolves({ DetectorIds: [detector(1)] });
    accounts.stub(ADMIN, 'us-west-2').on(GetAdministratorAccountCommand).resolves({});
    accounts.stub(MEMBER, 'us-west-2').on(ListDetectorsCommand).resolves({ DetectorIds: [detector(2)] });
    accounts
      .stub(MEMBER, 'us-west-2')
      .on(GetAdministratorAccountCommand, { DetectorId: detector(2) })
      .resolves({ Administrator: { AccountId: OTHER_ADMIN, RelationshipStatus: 'Enabled', InvitationId: 'x', InvitedAt: 'now' } });

    const cfg = config();
    const discovery = await discover(cfg, accounts, { retry: noSleep });

    expect(existingDetectors(cfg, discovery)).toEqual({ [ADMIN]: { 'us-west-2': detector(1) } });
    expect(discovery.accounts).toHaveLength(3 * 2);
    expect(findings(cfg, discovery).managedElsewhere).toEqual([
      {
        accountId: MEMBER,
        roles: ['member'],
        region: 'us-west-2',
        status: 'ok',
        detectorIds: [detector(2)],
        administrator: { accountId: OTHER_ADMIN, relationshipStatus: 'Enabled' },
      },
    ]);
    expect(formatDiscovery(cfg, discovery)).toContain(
      `Accounts already managed by another administrator:\n  - ${MEMBER} (member) us-west-2: administrator ${OTHER_ADMIN} (Enabled); disassociate it there first`,
    );
  });

  it('in invitations mode also lists the members’ detectors for import', async () => {
    const accounts = new MockedAccounts();
    accounts.stub(MEMBER, OPT_IN).on(ListDetectorsCommand).resolves({ DetectorIds: [detector(3)] });
    accounts.stub(MEMBER, OPT_IN).on(GetAdministratorAccountCommand).resolves({});
    const cfg = config('invitations');
    const discovery = await discover(cfg, accounts, { retry: noSleep });
    expect(existingDetectors(cfg, discovery)).toEqual({ [MEMBER]: { [OPT_IN]: detector(3) } });
    expect(discovery.organization).toEqual([]);
    expect(accounts.guarddutyStubs.has(`${MANAGEMENT}/us-west-2`)).toBe(false);
  });

  it('reports an account whose role may not read GuardDuty as access denied, and carries on', async () => {
    const accounts = new MockedAccounts();
    accounts
      .stub(SANDBOX, 'us-west-2')
      .on(ListDetectorsCommand)
      .rejects(new AccessDeniedException({ message: 'User is not authorized to perform: guardduty:ListDetectors', $metadata: {}, Type: 'x' }));
    const cfg = config();
    const discovery = await discover(cfg, accounts, { retry: noSleep });
    const state = discovery.accounts.find((s) => s.accountId === SANDBOX && s.region === 'us-west-2');
    expect(state).toMatchObject({ status: 'access-denied', detectorIds: [], error: 'AccessDeniedException: User is not authorized to perform: guardduty:ListDetectors' });
    expect(findings(cfg, discovery).unreadable).toEqual([state]);
    expect(discovery.accounts.filter((s) => s.status === 'ok')).toHaveLength(5);
  });

  it('treats an invalid token in an opt-in region as a region the account has not enabled', async () => {
    const accounts = new MockedAccounts();
    accounts
      .stub(MEMBER, OPT_IN)
      .on(ListDetectorsCommand)
      .rejects(error('UnrecognizedClientException', 'The security token included in the request is invalid.'));
    accounts.stub(SANDBOX, OPT_IN).on(ListDetectorsCommand).rejects(error('InvalidClientTokenId', 'The security token included in the request is invalid.'));
    const cfg = config();
    const discovery = await discover(cfg, accounts, { retry: noSleep });
    const found = findings(cfg, discovery);
    expect(found.regionsNotEnabled.map((s) => `${s.accountId} ${s.region}`)).toEqual([`${SANDBOX} ${OPT_IN}`, `${MEMBER} ${OPT_IN}`]);
    expect(found.unreadable).toEqual([]);
    expect(formatDiscovery(cfg, discovery)).toContain(`Regions not enabled (opt-in regions the account has not opted in to):\n  - ${SANDBOX} ${OPT_IN}\n  - ${MEMBER} ${OPT_IN}`);
  });

  it('retries a throttled call with growing back-off and then succeeds', async () => {
    const accounts = new MockedAccounts();
    const throttled = () => error('ThrottlingException', 'Rate exceeded', { $retryable: { throttling: true } });
    accounts
      .stub(ADMIN, 'us-west-2')
      .on(ListDetectorsCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .resolves({ DetectorIds: [detector(7)] });
    accounts.stub(ADMIN, 'us-west-2').on(GetAdministratorAccountCommand).resolves({});
    const delays: number[] = [];
    const cfg = config();
    const discovery = await discover(cfg, accounts, { retry: { baseDelayMs: 100, random: () => 1, sleep: async (ms) => void delays.push(ms) } });

    expect(accounts.stub(ADMIN, 'us-west-2').commandCalls(ListDetectorsCommand)).toHaveLength(3);
    expect(delays).toEqual([100, 200]);
    expect(existingDetectors(cfg, discovery)).toEqual({ [ADMIN]: { 'us-west-2': detector(7) } });
  });

  it('gives up on a call still throttled after the last attempt', async () => {
    const accounts = new MockedAccounts();
    accounts.stub(ADMIN, OPT_IN).on(ListDetectorsCommand).rejects(error('TooManyRequestsException', 'slow down'));
    const discovery = await discover(config(), accounts, { retry: { attempts: 3, ...noSleep } });
    expect(accounts.stub(ADMIN, OPT_IN).commandCalls(ListDetectorsCommand)).toHaveLength(3);
    expect(discovery.accounts.find((s) => s.accountId === ADMIN && s.region === OPT_IN)).toMatchObject({ status: 'error', error: 'TooManyRequestsException: slow down' });
  });

  it('says unknown, never none, where the admin account or the management account could not be read', async () => {
    const accounts = new MockedAccounts();
    const denied = () => error('AccessDeniedException', 'not authorized');
    accounts.stub(ADMIN, OPT_IN).on(ListDetectorsCommand).rejects(denied());
    accounts.stub(MANAGEMENT, 'us-west-2').on(ListOrganizationAdminAccountsCommand).rejects(denied());
    accounts.orgStub(MANAGEMENT).on(ListDelegatedAdministratorsCommand).rejects(denied());
    const cfg = config();
    const report = formatDiscovery(cfg, await discover(cfg, accounts, { retry: noSleep }));
    expect(report).toContain(`Existing detectors to import (existingDetectors): unknown\n  - unknown for ${ADMIN} ${OPT_IN} (could not be read)\n`);
    expect(report).toContain('Regions already delegated to accounts.admin, to import (existingDelegations): unknown\n  - unknown for management us-west-2 (could not be read)\n');
    expect(report).toContain('Regions delegated to another administrator: unknown\n  - unknown for management us-west-2 (could not be read)\n');
    expect(report).toContain('Delegated administrators for guardduty.amazonaws.com: unknown (AccessDeniedException: not authorized)\n');
    expect(report).toContain(`Could not read:\n  - ${ADMIN} ${OPT_IN}: access-denied: AccessDeniedException: not authorized\n  - management us-west-2: access-denied: AccessDeniedException: not authorized\n  - management: delegated administrators: AccessDeniedException: not authorized`);
    expect(report).not.toMatch(/: none$/m);
  });

  it('reads the organization’s delegated administrator per region from the management account', async () => {
    const accounts = new MockedAccounts();
    accounts.stub(MANAGEMENT, OPT_IN).on(ListOrganizationAdminAccountsCommand).resolves({ AdminAccounts: [{ AdminAccountId: OTHER_ADMIN, AdminStatus: 'ENABLED' }] });
    accounts.stub(MANAGEMENT, 'us-west-2').on(ListOrganizationAdminAccountsCommand).resolves({ AdminAccounts: [{ AdminAccountId: ADMIN, AdminStatus: 'ENABLED' }] });
    accounts.orgStub(MANAGEMENT).on(ListDelegatedAdministratorsCommand, { ServicePrincipal: 'guardduty.amazonaws.com' }).resolves({ DelegatedAdministrators: [{ Id: ADMIN }, { Id: OTHER_ADMIN }] });
    const cfg = config();
    const discovery = await discover(cfg, accounts, { retry: noSleep });

    expect(findings(cfg, discovery).delegatedElsewhere).toEqual([{ region: OPT_IN, status: 'ok', adminAccounts: [{ accountId: OTHER_ADMIN, status: 'ENABLED' }] }]);
    expect(discovery.delegatedAdministrators).toEqual([ADMIN, OTHER_ADMIN]);
    const report = formatDiscovery(cfg, discovery);
    expect(report).toContain(`Regions delegated to another administrator:\n  - ${OPT_IN}: ${OTHER_ADMIN} (ENABLED)`);
    expect(report).toContain(`Delegated administrators for guardduty.amazonaws.com: ${ADMIN}, ${OTHER_ADMIN}`);
    expect(existingDelegations(cfg, discovery)).toEqual(['us-west-2']);
    expect(report).toContain('Regions already delegated to accounts.admin, to import (existingDelegations): ["us-west-2"]');
  });

  it('follows pagination of ListDetectors', async () => {
    const accounts = new MockedAccounts();
    const stub = accounts.stub(ADMIN, 'us-west-2');
    stub.on(ListDetectorsCommand).resolves({ DetectorIds: [], NextToken: 'page-2' });
    stub.on(ListDetectorsCommand, { NextToken: 'page-2' }).resolves({ DetectorIds: [detector(9)] });
    stub.on(GetAdministratorAccountCommand).resolves({});
    const cfg = config();
    expect(existingDetectors(cfg, await discover(cfg, accounts, { retry: noSleep }))).toEqual({ [ADMIN]: { 'us-west-2': detector(9) } });
  });
});
