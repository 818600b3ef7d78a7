import { Readable } from 'node:stream';
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSnapshotsCommand,
  CreateTagsCommand,
  DeleteSecurityGroupCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
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
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  DeletePolicyCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  IAMClient,
  IAMServiceException,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListPolicyVersionsCommand,
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
  /** @default the instance's VPC */
  VpcId?: string;
  /** @default a subnet of the interface's VPC */
  SubnetId?: string;
  Groups: { GroupId: string; GroupName: string }[];
  Tags?: Tag[];
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

/** An EC2 filter value match: `*` in a pattern matches any characters. */
function like(value: string | undefined, patterns: readonly string[]): boolean {
  const escape = (part: string) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  return value !== undefined && patterns.some((pattern) => new RegExp(`^${pattern.split('*').map(escape).join('.*')}$`).test(value));
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
  /** Milliseconds every call takes (a real timer), for measurements; 0 answers at once. */
  latencyMs = 0;
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

  /** The instance an interface is attached to. */
  instanceOf(eni: FakeNetworkInterface): FakeInstance {
    return [...this.instances.values()].find((instance) => instance.NetworkInterfaces.includes(eni))!;
  }

  vpcOf(eni: FakeNetworkInterface): string {
    return eni.VpcId ?? this.instanceOf(eni).VpcId!;
  }

  /** An interface's tag value. */
  tagOf(eni: FakeNetworkInterface, key: string): string | undefined {
    return eni.Tags?.find((tag) => tag.Key === key)?.Value;
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

  /** Answers one command: hooks, the once-failure, then the change itself (after the latency, if any). */
  private on<I extends Record<string, any>>(command: { name: string }, answer: (input: I) => unknown): void {
    const name = command.name.replace(/Command$/, '');
    const respond = (input: I) => {
      this.hooks.before?.(name, input);
      this.guard(command.name);
      const output = answer(input);
      this.hooks.after?.(name, input);
      return output;
    };
    (this.mock.on as (c: unknown) => { callsFake(fn: (input: I) => unknown): void })(command).callsFake((input: I) =>
      this.latencyMs > 0 ? new Promise((resolve) => setTimeout(resolve, this.latencyMs)).then(() => respond(input)) : respond(input),
    );
  }

  /** The interfaces that match DescribeNetworkInterfaces filters (`*` in a value matches any characters). */
  private filterInterfaces(filters: { Name: string; Values: string[] }[]): FakeNetworkInterface[] {
    return this.networkInterfaces().filter((eni) =>
      filters.every(({ Name, Values }) => {
        if (Name === 'attachment.instance-id') return like(this.instanceOf(eni).InstanceId, Values);
        if (Name === 'vpc-id') return like(this.vpcOf(eni), Values);
        if (Name === 'group-id') return eni.Groups.some((group) => like(group.GroupId, Values));
        if (Name === 'group-name') return eni.Groups.some((group) => like(this.groups.get(group.GroupId)?.GroupName, Values));
        if (Name.startsWith('tag:')) return like(this.tagOf(eni, Name.slice(4)), Values);
        throw new Error(`fake EC2: filter ${Name} is not modelled`);
      }),
    );
  }

  /** A resource that takes tags, by id. */
  private taggable(id: string): { Tags?: Tag[] } {
    const found = this.instances.get(id) ?? this.networkInterfaces().find((eni) => eni.NetworkInterfaceId === id) ?? this.groups.get(id) ?? this.snapshots.find((snapshot) => snapshot.SnapshotId === id);
    if (!found) throw ec2Error(id.startsWith('i-') ? 'InvalidInstanceID.NotFound' : 'InvalidID', `The ID '${id}' does not exist`);
    return found;
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
        (group) =>
          like(group.VpcId, filters.get('vpc-id') ?? ['*']) &&
          like(group.GroupName, filters.get('group-name') ?? ['*']) &&
          [...filters.keys()].filter((name) => name.startsWith('tag:')).every((name) => like(group.Tags.find((tag) => tag.Key === name.slice(4))?.Value, filters.get(name)!)),
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
    this.on(DescribeNetworkInterfacesCommand, (input) => ({
      NetworkInterfaces: structuredClone(
        this.filterInterfaces(input.Filters ?? []).map((eni) => ({
          NetworkInterfaceId: eni.NetworkInterfaceId,
          VpcId: this.vpcOf(eni),
          SubnetId: eni.SubnetId ?? `subnet-of-${this.vpcOf(eni)}`,
          Groups: eni.Groups,
          TagSet: eni.Tags ?? [],
          Attachment: { InstanceId: this.instanceOf(eni).InstanceId, Status: 'attached' },
        })),
      ),
    }));
    this.on(DeleteSecurityGroupCommand, (input) => {
      const group = this.group(input.GroupId);
      if (!group.Tags.some((tag) => tag.Key === 'GuardDutyRemediation' && tag.Value === 'untrack')) {
        throw ec2Error('UnauthorizedOperation', `You are not authorized to perform this operation on ${input.GroupId}`);
      }
      if (this.networkInterfaces().some((eni) => eni.Groups.some((member) => member.GroupId === input.GroupId))) {
        throw ec2Error('DependencyViolation', `resource ${input.GroupId} has a dependent object`);
      }
      this.groups.delete(input.GroupId);
      return {};
    });
    this.on(ModifyNetworkInterfaceAttributeCommand, (input) => {
      const eni = this.networkInterfaces().find((n) => n.NetworkInterfaceId === input.NetworkInterfaceId);
      if (!eni) throw ec2Error('InvalidNetworkInterfaceID.NotFound', 'no such network interface');
      const groups = input.Groups.map((id: string) => this.group(id));
      const vpc = this.vpcOf(eni);
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
      // Only what the isolation role may do: termination protection, by attribute name.
      if (input.Attribute !== 'disableApiTermination') throw ec2Error('UnauthorizedOperation', `not authorized to change ${input.Attribute ?? 'that attribute'}`);
      this.instance(input.InstanceId).disableApiTermination = input.Value === 'true';
      return {};
    });
    this.on(CreateTagsCommand, (input) => {
      const resources: { Tags?: Tag[] }[] = input.Resources.map((id: string) => this.taggable(id));
      for (const [index, resource] of resources.entries()) {
        const tags: Tag[] = resource.Tags ?? [];
        if (new Set([...tags.map((tag) => tag.Key), ...input.Tags.map((tag: Tag) => tag.Key)]).size > 50) {
          throw ec2Error('TagLimitExceeded', `The maximum number of tags for resource ${input.Resources[index]} has been reached`);
        }
      }
      for (const resource of resources) {
        for (const tag of input.Tags as Tag[]) resource.Tags = [...(resource.Tags ?? []).filter((t) => t.Key !== tag.Key), tag];
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
  /** Inline policies by name. */
  policies: Map<string, string>;
  /** ARNs of the managed policies attached. @default none */
  attached?: string[];
  /** The trust policy (JSON). @default EC2 may assume the role */
  trust?: string;
}

/** A customer managed policy: its default version's document. */
export interface FakePolicy {
  PolicyName: string;
  Path: string;
  document: string;
  /** Its version ids, the default (the document) first. @default ['v1'] */
  versions?: string[];
  /** Attachments to users, groups or roles not in this fake. @default 0 */
  attachedElsewhere?: number;
}

/** The ARN IAM gives a customer managed policy. */
export const policyArn = (path: string, name: string) => `arn:aws:iam::${ACCOUNT}:policy${path}${name}`;

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
  /** Customer managed policies by ARN. */
  readonly managed = new Map<string, FakePolicy>();
  readonly failOnce = new Map<string, Error>();
  /** Commands that fail at their n-th call (1-based, counted from construction) with the given error. */
  readonly failOnCall = new Map<string, { call: number; error: Error }>();
  private readonly callCounts = new Map<string, number>();

  constructor(options: { roles?: FakeRole[]; users?: FakeUser[]; policies?: FakePolicy[] } = {}) {
    for (const role of options.roles ?? []) this.roles.set(role.RoleName, role);
    for (const policy of options.policies ?? []) this.managed.set(policyArn(policy.Path, policy.PolicyName), policy);
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
    const call = (this.callCounts.get(name) ?? 0) + 1;
    this.callCounts.set(name, call);
    const planned = this.failOnCall.get(name);
    if (planned?.call === call) throw planned.error;
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
    const managedPolicy = (arn: string) => {
      const policy = this.managed.get(arn);
      if (!policy) throw iamError('NoSuchEntityException', `Policy ${arn} does not exist or is not attachable.`);
      return policy;
    };
    m.on(ListAttachedRolePoliciesCommand).callsFake((input) => ({
      AttachedPolicies: (this.role(input.RoleName).attached ?? [])
        .filter((arn) => managedPolicy(arn).Path.startsWith(input.PathPrefix ?? '/'))
        .map((arn) => ({ PolicyArn: arn, PolicyName: managedPolicy(arn).PolicyName })),
      IsTruncated: false,
    }));
    const attachmentCount = (arn: string) =>
      [...this.roles.values()].filter((role) => (role.attached ?? []).includes(arn)).length + (managedPolicy(arn).attachedElsewhere ?? 0);
    const versions = (arn: string) => managedPolicy(arn).versions ?? ['v1'];
    m.on(GetPolicyCommand).callsFake((input) => {
      this.guard('GetPolicyCommand');
      const policy = managedPolicy(input.PolicyArn);
      return {
        Policy: { PolicyName: policy.PolicyName, Path: policy.Path, Arn: input.PolicyArn, DefaultVersionId: versions(input.PolicyArn)[0], AttachmentCount: attachmentCount(input.PolicyArn) },
      };
    });
    m.on(ListPolicyVersionsCommand).callsFake((input) => {
      this.guard('ListPolicyVersionsCommand');
      return { Versions: versions(input.PolicyArn).map((id, index) => ({ VersionId: id, IsDefaultVersion: index === 0 })), IsTruncated: false };
    });
    m.on(DeletePolicyCommand).callsFake((input) => {
      this.guard('DeletePolicyCommand');
      if (attachmentCount(input.PolicyArn) > 0 || versions(input.PolicyArn).length > 1) {
        throw new IAMServiceException({ name: 'DeleteConflictException', $fault: 'client', $metadata: { httpStatusCode: 409 }, message: 'Cannot delete a policy attached to entities or with non-default versions.' });
      }
      this.managed.delete(input.PolicyArn);
      return {};
    });
    m.on(GetPolicyVersionCommand).callsFake((input) => {
      if (input.VersionId !== versions(input.PolicyArn)[0]) throw iamError('NoSuchEntityException', `version ${input.VersionId} does not exist`);
      // IAM returns documents URL-encoded.
      return { PolicyVersion: { Document: encodeURIComponent(managedPolicy(input.PolicyArn).document), VersionId: 'v1', IsDefaultVersion: true } };
    });
    m.on(CreatePolicyCommand).callsFake((input) => {
      this.guard('CreatePolicyCommand');
      const arn = policyArn(input.Path ?? '/', input.PolicyName);
      if (this.managed.has(arn)) {
        throw new IAMServiceException({ name: 'EntityAlreadyExistsException', $fault: 'client', $metadata: { httpStatusCode: 409 }, message: `A policy called ${input.PolicyName} already exists.` });
      }
      this.managed.set(arn, { PolicyName: input.PolicyName, Path: input.Path ?? '/', document: input.PolicyDocument });
      return { Policy: { Arn: arn, PolicyName: input.PolicyName, Path: input.Path, DefaultVersionId: 'v1' } };
    });
    m.on(AttachRolePolicyCommand).callsFake((input) => {
      this.guard('AttachRolePolicyCommand');
      const role = this.role(input.RoleName);
      managedPolicy(input.PolicyArn);
      const attached = role.attached ?? [];
      if (!attached.includes(input.PolicyArn) && attached.length >= 10) {
        throw new IAMServiceException({ name: 'LimitExceededException', $fault: 'client', $metadata: { httpStatusCode: 409 }, message: 'Cannot exceed quota for PoliciesPerRole: 10' });
      }
      role.attached = [...attached.filter((arn) => arn !== input.PolicyArn), input.PolicyArn];
      return {};
    });
    m.on(DetachRolePolicyCommand).callsFake((input) => {
      this.guard('DetachRolePolicyCommand');
      const role = this.role(input.RoleName);
      if (!(role.attached ?? []).includes(input.PolicyArn)) throw iamError('NoSuchEntityException', `Policy ${input.PolicyArn} was not found.`);
      role.attached = (role.attached ?? []).filter((arn) => arn !== input.PolicyArn);
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
