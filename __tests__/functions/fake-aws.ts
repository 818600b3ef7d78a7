import { Readable } from 'node:stream';
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSnapshotsCommand,
  CreateTagsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  EC2ServiceException,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type IpPermission,
  type Tag,
} from '@aws-sdk/client-ec2';
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  IAMClient,
  IAMServiceException,
  ListAccessKeysCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  TagUserCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';

/**
 * A small in-memory EC2 account behind a real EC2Client (aws-sdk-client-mock replaces only `send`),
 * so replays and re-runs see the state earlier calls left, as they would in AWS. The isolation role's
 * tag condition is modelled too: rules of a group without the `GuardDutyRemediation` tag cannot be
 * changed (UnauthorizedOperation), as IAM would refuse.
 */

export const REGION = 'us-west-2';
export const ACCOUNT = '333333333333';
export const FUNCTION_ARN = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:acme-${name}`;
export const TEST_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

export function ec2Error(name: string, message = name): EC2ServiceException {
  return new EC2ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message });
}

export function iamError(name: string, message = name): IAMServiceException {
  return new IAMServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 404 }, message });
}

export interface FakeInstance {
  InstanceId: string;
  VpcId?: string;
  State: { Name: 'running' | 'stopped' | 'terminated' };
  Tags: Tag[];
  NetworkInterfaces: FakeNetworkInterface[];
  BlockDeviceMappings: { DeviceName: string; Ebs: { VolumeId: string } }[];
  disableApiTermination: boolean;
}

export interface FakeNetworkInterface {
  NetworkInterfaceId: string;
  VpcId?: string;
  Groups: { GroupId: string; GroupName: string }[];
}

/**
 * Seen by every call before and after it takes effect (commands by class name without `Command`):
 * `before` may throw to fail the call with no effect, `after` may throw to fail it after its effect
 * (a crash, or a reply that never arrived).
 */
export interface CallHooks {
  before?(name: string, input: Record<string, any>): void;
  after?(name: string, input: Record<string, any>): void;
}

export interface FakeGroup {
  GroupId: string;
  GroupName: string;
  VpcId: string;
  Description: string;
  Tags: Tag[];
  IpPermissions: IpPermission[];
  IpPermissionsEgress: IpPermission[];
}

export interface FakeSnapshot {
  SnapshotId: string;
  VolumeId: string;
  Tags: Tag[];
}

export function labInstance(overrides: Partial<FakeInstance> = {}): FakeInstance {
  return {
    InstanceId: 'i-0a1b2c3d4e5f60718',
    VpcId: 'vpc-0a1b2c3d4e5f60001',
    State: { Name: 'running' },
    Tags: [{ Key: 'Name', Value: 'GuardDuty-Example: Compromised Instance: Scenario 1' }],
    NetworkInterfaces: [
      { NetworkInterfaceId: 'eni-0a1b2c3d4e5f60001', Groups: [{ GroupId: 'sg-0a1b2c3d4e5f60001', GroupName: 'TargetSecurityGroup' }] },
      { NetworkInterfaceId: 'eni-0a1b2c3d4e5f60002', Groups: [{ GroupId: 'sg-0a1b2c3d4e5f60001', GroupName: 'TargetSecurityGroup' }] },
    ],
    BlockDeviceMappings: [
      { DeviceName: '/dev/xvda', Ebs: { VolumeId: 'vol-0a1b2c3d4e5f60001' } },
      { DeviceName: '/dev/xvdb', Ebs: { VolumeId: 'vol-0a1b2c3d4e5f60002' } },
    ],
    disableApiTermination: false,
    ...overrides,
  };
}

function samePermission(a: IpPermission, b: IpPermission): boolean {
  const key = (p: IpPermission) =>
    JSON.stringify([p.IpProtocol, p.FromPort, p.ToPort, (p.IpRanges ?? []).map((r) => r.CidrIp).sort(), (p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6).sort()]);
  return key(a) === key(b);
}

export class FakeEc2 {
  readonly client = new EC2Client({ region: REGION, credentials: TEST_CREDENTIALS });
  readonly mock = mockClient(this.client);
  readonly instances = new Map<string, FakeInstance>();
  readonly groups = new Map<string, FakeGroup>();
  readonly snapshots: FakeSnapshot[] = [];
  /** Every ModifyNetworkInterfaceAttribute in order: `eni -> group`. */
  readonly moves: string[] = [];
  /** Commands (by class name) that fail once with the given error (or the error a function returns after its side effects). */
  readonly failOnce = new Map<string, Error | (() => Error)>();
  /** Fault injection around every call. */
  hooks: CallHooks = {};
  private counter = 0;

  constructor(...instances: FakeInstance[]) {
    for (const instance of instances) this.instances.set(instance.InstanceId, instance);
    this.wire();
  }

  /** The commands sent, as `[name, input]`, in order. */
  calls(): [string, Record<string, unknown>][] {
    return commandsSent(this.mock);
  }

  /** Names of the commands that change something. */
  writes(): string[] {
    return this.calls()
      .map(([name]) => name)
      .filter((name) => !name.startsWith('Describe'));
  }

  groupsNamed(name: string): FakeGroup[] {
    return [...this.groups.values()].filter((group) => group.GroupName === name);
  }

  addGroup(group: Omit<FakeGroup, 'GroupId'> & { GroupId?: string }): FakeGroup {
    const full = { ...group, GroupId: group.GroupId ?? this.id('sg') };
    this.groups.set(full.GroupId, full);
    return full;
  }

  /** Every network interface of every instance. */
  networkInterfaces(): FakeNetworkInterface[] {
    return [...this.instances.values()].flatMap((instance) => instance.NetworkInterfaces);
  }

  private id(prefix: string): string {
    this.counter += 1;
    return `${prefix}-0f${String(this.counter).padStart(15, '0')}`;
  }

  private guard(name: string): void {
    const error = this.failOnce.get(name);
    if (error) {
      this.failOnce.delete(name);
      throw typeof error === 'function' ? error() : error;
    }
  }

  private instance(id: string): FakeInstance {
    const instance = this.instances.get(id);
    if (!instance) throw ec2Error('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    return instance;
  }

  private group(id: string): FakeGroup {
    const group = this.groups.get(id);
    if (!group) throw ec2Error('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
    return group;
  }

  /** Answers one command: hooks, the once-failure, then the change itself. */
  private on<I extends Record<string, any>>(command: { name: string }, answer: (input: I) => unknown): void {
    const name = command.name.replace(/Command$/, '');
    (this.mock.on as (c: unknown) => { callsFake(fn: (input: I) => unknown): void })(command).callsFake((input: I) => {
      this.hooks.before?.(name, input);
      this.guard(command.name);
      const output = answer(input);
      this.hooks.after?.(name, input);
      return output;
    });
  }

  private wire(): void {
    this.on(DescribeInstancesCommand, (input) => {
      const instances = (input.InstanceIds ?? []).map((id: string) => this.instance(id));
      return { Reservations: [{ Instances: structuredClone(instances) }] };
    });
    this.on(DescribeSecurityGroupsCommand, (input) => {
      if (input.GroupIds) return { SecurityGroups: structuredClone(input.GroupIds.map((id: string) => this.group(id))) };
      const filters = new Map<string, string[]>((input.Filters ?? []).map((f: { Name: string; Values: string[] }) => [f.Name, f.Values]));
      const groups = [...this.groups.values()].filter(
        (group) => (filters.get('vpc-id')?.includes(group.VpcId) ?? true) && (filters.get('group-name')?.includes(group.GroupName) ?? true),
      );
      return { SecurityGroups: structuredClone(groups) };
    });
    this.on(CreateSecurityGroupCommand, (input) => {
      if ([...this.groups.values()].some((group) => group.VpcId === input.VpcId && group.GroupName === input.GroupName)) {
        throw ec2Error('InvalidGroup.Duplicate', `The security group '${input.GroupName}' already exists for VPC '${input.VpcId}'`);
      }
      const group = this.addGroup({
        GroupName: input.GroupName,
        VpcId: input.VpcId,
        Description: input.Description,
        Tags: input.TagSpecifications?.[0]?.Tags ?? [],
        IpPermissions: [],
        IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] }],
      });
      return { GroupId: group.GroupId };
    });
    const change = (direction: 'IpPermissions' | 'IpPermissionsEgress', add: boolean) => (input: { GroupId: string; IpPermissions: IpPermission[] }) => {
      const group = this.group(input.GroupId);
      if (!group.Tags.some((tag) => tag.Key === 'GuardDutyRemediation')) {
        throw ec2Error('UnauthorizedOperation', `You are not authorized to perform this operation on ${input.GroupId}`);
      }
      // EC2 checks every rule of the call first: one duplicate or missing rule refuses the whole call.
      for (const permission of input.IpPermissions) {
        const present = group[direction].some((existing) => samePermission(existing, permission));
        if (add && present) throw ec2Error('InvalidPermission.Duplicate', 'the specified rule already exists');
        if (!add && !present) throw ec2Error('InvalidPermission.NotFound', 'the specified rule does not exist');
      }
      for (const permission of input.IpPermissions) {
        group[direction] = add ? [...group[direction], permission] : group[direction].filter((existing) => !samePermission(existing, permission));
      }
      return { Return: true };
    };
    this.on(AuthorizeSecurityGroupIngressCommand, change('IpPermissions', true));
    this.on(AuthorizeSecurityGroupEgressCommand, change('IpPermissionsEgress', true));
    this.on(RevokeSecurityGroupIngressCommand, change('IpPermissions', false));
    this.on(RevokeSecurityGroupEgressCommand, change('IpPermissionsEgress', false));
    this.on(ModifyNetworkInterfaceAttributeCommand, (input) => {
      const eni = this.networkInterfaces().find((n) => n.NetworkInterfaceId === input.NetworkInterfaceId);
      if (!eni) throw ec2Error('InvalidNetworkInterfaceID.NotFound', 'no such network interface');
      const groups = input.Groups.map((id: string) => this.group(id));
      const vpc = eni.VpcId ?? [...this.instances.values()].find((instance) => instance.NetworkInterfaces.includes(eni))!.VpcId;
      if (groups.some((group: FakeGroup) => group.VpcId !== vpc)) throw ec2Error('InvalidGroup.NotFound', 'security group of another VPC');
      eni.Groups = groups.map((group: FakeGroup) => ({ GroupId: group.GroupId, GroupName: group.GroupName }));
      this.moves.push(`${input.NetworkInterfaceId} -> ${groups.map((group: FakeGroup) => group.GroupName).join(', ')}`);
      return {};
    });
    this.on(DescribeSnapshotsCommand, (input) => {
      const filters: { Name: string; Values: string[] }[] = input.Filters ?? [];
      const snapshots = this.snapshots.filter((snapshot) =>
        filters.every((filter) => snapshot.Tags.some((tag) => `tag:${tag.Key}` === filter.Name && filter.Values.includes(tag.Value!))),
      );
      return { Snapshots: structuredClone(snapshots) };
    });
    this.on(CreateSnapshotsCommand, (input) => {
      const instance = this.instance(input.InstanceSpecification.InstanceId);
      const created = instance.BlockDeviceMappings.map((mapping) => {
        const snapshot = { SnapshotId: this.id('snap'), VolumeId: mapping.Ebs.VolumeId, Tags: input.TagSpecifications[0].Tags };
        this.snapshots.push(snapshot);
        return snapshot;
      });
      return { Snapshots: created.map(({ SnapshotId, VolumeId }) => ({ SnapshotId, VolumeId })) };
    });
    this.on(DescribeInstanceAttributeCommand, (input) => ({
      InstanceId: input.InstanceId,
      DisableApiTermination: { Value: this.instance(input.InstanceId).disableApiTermination },
    }));
    this.on(ModifyInstanceAttributeCommand, (input) => {
      this.instance(input.InstanceId).disableApiTermination = input.DisableApiTermination.Value;
      return {};
    });
    this.on(CreateTagsCommand, (input) => {
      for (const id of input.Resources) {
        const instance = this.instance(id);
        if (new Set([...instance.Tags.map((tag) => tag.Key), ...input.Tags.map((tag: Tag) => tag.Key)]).size > 50) {
          throw ec2Error('TagLimitExceeded', `The maximum number of tags for resource ${id} has been reached`);
        }
        for (const tag of input.Tags) instance.Tags = [...instance.Tags.filter((t) => t.Key !== tag.Key), tag];
      }
      return {};
    });
  }
}

/** SNS with a list of what was published, behind a real SNSClient, with the same hooks as FakeEc2. */
export class FakeSns {
  readonly client = new SNSClient({ region: REGION, credentials: TEST_CREDENTIALS });
  readonly mock = mockClient(this.client);
  readonly published: Record<string, any>[] = [];
  hooks: CallHooks = {};

  constructor() {
    this.mock.on(PublishCommand).callsFake((input) => {
      this.hooks.before?.('Publish', input);
      this.published.push(input);
      this.hooks.after?.('Publish', input);
      return { MessageId: `message-${this.published.length}` };
    });
  }
}

/**
 * An HTTP handler for a real SDK client that answers from a script, so the client's own middleware
 * (signing, retries, parsing) runs: used to show throttling is retried by the SDK itself.
 */
export function scriptedHttp(responses: { status: number; body: string }[]) {
  const requests: string[] = [];
  return {
    requests,
    handler: {
      async handle(request: { body?: unknown }) {
        requests.push(String(request.body ?? ''));
        const next = responses.shift();
        if (!next) throw new Error('scriptedHttp: no response left');
        return {
          response: {
            statusCode: next.status,
            headers: { 'content-type': 'text/xml', 'x-amzn-requestid': `request-${requests.length}` },
            body: Readable.from([Buffer.from(next.body)]),
          },
        };
      },
      updateHttpClientConfig() {},
      httpHandlerConfigs() {
        return {};
      },
    },
  };
}

export const queryThrottling = (namespace: string) =>
  `<ErrorResponse xmlns="${namespace}"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>throttled</RequestId></ErrorResponse>`;

export interface FakeRole {
  RoleName: string;
  Path: string;
  Tags: { Key: string; Value: string }[];
  policies: Map<string, string>;
  /** The trust policy (JSON). @default EC2 may assume the role */
  trust?: string;
}

/** The trust policy of an EC2 instance role. */
export const EC2_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

export interface FakeUser {
  UserName: string;
  Tags: { Key: string; Value: string }[];
  keys: { AccessKeyId: string; Status: 'Active' | 'Inactive' }[];
}

/** An in-memory IAM account behind a real IAMClient (only `send` is replaced). */
export class FakeIam {
  readonly client = new IAMClient({ region: REGION, credentials: TEST_CREDENTIALS });
  readonly mock = mockClient(this.client);
  readonly roles = new Map<string, FakeRole>();
  readonly users = new Map<string, FakeUser>();
  readonly failOnce = new Map<string, Error>();

  constructor(options: { roles?: FakeRole[]; users?: FakeUser[] } = {}) {
    for (const role of options.roles ?? []) this.roles.set(role.RoleName, role);
    for (const user of options.users ?? []) this.users.set(user.UserName, user);
    this.wire();
  }

  calls(): [string, Record<string, unknown>][] {
    return commandsSent(this.mock);
  }

  writes(): string[] {
    return this.calls()
      .map(([name]) => name)
      .filter((name) => !/^(Get|List)/.test(name));
  }

  private guard(name: string): void {
    const error = this.failOnce.get(name);
    if (error) {
      this.failOnce.delete(name);
      throw error;
    }
  }

  private role(name: string): FakeRole {
    const role = this.roles.get(name);
    if (!role) throw iamError('NoSuchEntityException', `The role with name ${name} cannot be found.`);
    return role;
  }

  private user(name: string): FakeUser {
    const user = this.users.get(name);
    if (!user) throw iamError('NoSuchEntityException', `The user with name ${name} cannot be found.`);
    return user;
  }

  private wire(): void {
    const m = this.mock;
    m.on(GetRoleCommand).callsFake((input) => {
      const role = this.role(input.RoleName);
      return {
        Role: {
          RoleName: role.RoleName,
          Path: role.Path,
          Arn: `arn:aws:iam::${ACCOUNT}:role${role.Path}${role.RoleName}`,
          RoleId: 'AROAEXAMPLECOMPROMISED',
          CreateDate: new Date('2026-11-22T03:58:00Z'),
          // IAM returns documents URL-encoded.
          AssumeRolePolicyDocument: encodeURIComponent(role.trust ?? EC2_TRUST),
          Tags: structuredClone(role.Tags),
        },
      };
    });
    m.on(GetRolePolicyCommand).callsFake((input) => {
      const document = this.role(input.RoleName).policies.get(input.PolicyName);
      if (!document) throw iamError('NoSuchEntityException', `The role policy with name ${input.PolicyName} cannot be found.`);
      // IAM returns documents URL-encoded.
      return { RoleName: input.RoleName, PolicyName: input.PolicyName, PolicyDocument: encodeURIComponent(document) };
    });
    m.on(PutRolePolicyCommand).callsFake((input) => {
      this.guard('PutRolePolicyCommand');
      this.role(input.RoleName).policies.set(input.PolicyName, input.PolicyDocument);
      return {};
    });
    m.on(TagRoleCommand).callsFake((input) => {
      this.guard('TagRoleCommand');
      const role = this.role(input.RoleName);
      if (new Set([...role.Tags.map((tag) => tag.Key), ...input.Tags.map((tag: { Key: string }) => tag.Key)]).size > 50) {
        throw new IAMServiceException({ name: 'LimitExceededException', $fault: 'client', $metadata: { httpStatusCode: 409 }, message: 'Cannot exceed quota for TagsPerRole: 50' });
      }
      for (const tag of input.Tags) role.Tags = [...role.Tags.filter((t) => t.Key !== tag.Key), tag];
      return {};
    });
    m.on(GetUserCommand).callsFake((input) => {
      const user = this.user(input.UserName);
      return { User: { UserName: user.UserName, Path: '/', Arn: `arn:aws:iam::${ACCOUNT}:user/${user.UserName}`, UserId: 'AIDAEXAMPLE', CreateDate: new Date(), Tags: structuredClone(user.Tags) } };
    });
    m.on(ListAccessKeysCommand).callsFake((input) => ({
      AccessKeyMetadata: this.user(input.UserName).keys.map((key) => ({ UserName: input.UserName, ...key })),
    }));
    m.on(UpdateAccessKeyCommand).callsFake((input) => {
      this.guard('UpdateAccessKeyCommand');
      const key = this.user(input.UserName).keys.find((k) => k.AccessKeyId === input.AccessKeyId);
      if (!key) throw iamError('NoSuchEntityException', `The Access Key with id ${input.AccessKeyId} cannot be found.`);
      key.Status = input.Status;
      return {};
    });
    m.on(TagUserCommand).callsFake((input) => {
      this.guard('TagUserCommand');
      const user = this.user(input.UserName);
      for (const tag of input.Tags) user.Tags = [...user.Tags.filter((t) => t.Key !== tag.Key), tag];
      return {};
    });
  }
}

/** The commands a mocked client was sent, as `[name without "Command", input]`, in order. */
function commandsSent(mock: { calls(): { args: unknown[] }[] }): [string, Record<string, unknown>][] {
  return mock.calls().map((call) => {
    const command = call.args[0] as { constructor: { name: string }; input: Record<string, unknown> };
    return [command.constructor.name.replace(/Command$/, ''), command.input];
  });
}
