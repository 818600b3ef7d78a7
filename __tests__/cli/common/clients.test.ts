import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { assumeRoleClients } from '../../../cli/common/clients';
import { testConfig } from '../../helpers/synth';

const ADMIN = '222222222222';
const MEMBER = '444444444444';
const MANAGEMENT = '111111111111';

function stsAnsweringPerAccount() {
  const sts = new STSClient({ region: 'us-west-2' });
  const stub = mockClient(sts);
  stub.on(AssumeRoleCommand).callsFake((input: { RoleArn: string }) => ({
    Credentials: { AccessKeyId: `AKIA-${input.RoleArn.split(':')[4]}`, SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date('2030-01-01T00:00:00Z') },
  }));
  return { sts, stub };
}

describe('assumeRoleClients', () => {
  it('assumes the deployment role once per account, and the management role in the management account', async () => {
    const { sts, stub } = stsAnsweringPerAccount();
    const clients = assumeRoleClients(testConfig(), { sts, command: 'discover' });

    const first = await clients.guardduty(MEMBER, 'us-west-2').config.credentials();
    const second = await clients.guardduty(MEMBER, 'eu-south-1').config.credentials();
    await clients.organizations(MANAGEMENT).config.credentials();

    expect(first).toMatchObject({ accessKeyId: `AKIA-${MEMBER}`, sessionToken: 'token' });
    expect(second.accessKeyId).toBe(`AKIA-${MEMBER}`);
    expect(stub.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input)).toEqual([
      { RoleArn: `arn:aws:iam::${MEMBER}:role/OrganizationAccountAccessRole`, RoleSessionName: 'guardduty-discover-acme', DurationSeconds: 3600 },
      { RoleArn: `arn:aws:iam::${MANAGEMENT}:role/GuardDutyDeployment`, RoleSessionName: 'guardduty-discover-acme', DurationSeconds: 3600 },
    ]);
  });

  it('assumes one given role in every account, the management account included, for every service', async () => {
    const { sts, stub } = stsAnsweringPerAccount();
    const clients = assumeRoleClients(testConfig(), { sts, command: 'verify', roleName: 'GuardDutyVerify' });
    const region = 'us-east-1';
    const used = [
      clients.eventbridge(ADMIN, region),
      clients.lambda(ADMIN, region),
      clients.securityhub(ADMIN, region),
      clients.detective(ADMIN, region),
      clients.guardduty(MANAGEMENT, region),
    ];
    for (const client of used) await client.config.credentials();
    expect(await used[0].config.region()).toBe(region);
    expect(stub.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input)).toEqual([
      { RoleArn: `arn:aws:iam::${ADMIN}:role/GuardDutyVerify`, RoleSessionName: 'guardduty-verify-acme', DurationSeconds: 3600 },
      { RoleArn: `arn:aws:iam::${MANAGEMENT}:role/GuardDutyVerify`, RoleSessionName: 'guardduty-verify-acme', DurationSeconds: 3600 },
    ]);
  });

  it('tries AssumeRole again after a failure instead of keeping the error', async () => {
    const sts = new STSClient({ region: 'us-west-2' });
    const stub = mockClient(sts);
    stub
      .on(AssumeRoleCommand)
      .rejectsOnce(Object.assign(new Error('not authorized to perform sts:AssumeRole'), { name: 'AccessDenied', $metadata: {} }))
      .resolves({ Credentials: { AccessKeyId: 'AKIA', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date('2030-01-01T00:00:00Z') } });
    const clients = assumeRoleClients(testConfig(), { sts, command: 'discover' });
    const client = clients.guardduty(ADMIN, 'us-west-2');
    await expect(client.config.credentials()).rejects.toThrow('not authorized to perform sts:AssumeRole');
    await expect(client.config.credentials()).resolves.toMatchObject({ accessKeyId: 'AKIA' });
  });
});
