import { spawnSync } from 'node:child_process';
import { Testing } from 'cdktf';
import type { OrgConfig } from '../../lib/config/load';
import { planStacks, STACK_IDS } from '../../lib/plan/stacks';
import { scenario3Steps } from '../../lib/simulation/scenario-3';
import { isolationGroupNames } from '../../lib/plan/naming';
import { SimulationStack } from '../../stacks/simulation-stack';
import { withLocals } from '../helpers/locals';
import { synthApp, testConfig } from '../helpers/synth';

const SANDBOX = '333333333333';

function plannedSimulation(config: OrgConfig) {
  const planned = planStacks(config).stacks.find((stack) => stack.id === STACK_IDS.simulation);
  if (!planned) throw new Error('no simulation stack in the plan');
  return planned;
}

/** The simulation stack alone, synthesized: its Terraform JSON. */
function synthSimulation(overrides: Record<string, unknown> = {}): Record<string, any> {
  const config = testConfig(overrides);
  const stack = new SimulationStack(Testing.app(), { config, planned: plannedSimulation(config) });
  return JSON.parse(Testing.synth(stack, true));
}

/** The one resource of a type, or the one whose properties match. */
function only(json: Record<string, any>, type: string, where: Record<string, unknown> = {}): Record<string, any> {
  const matches = Object.values(json.resource[type] ?? {}).filter((resource: any) =>
    Object.entries(where).every(([key, value]) => resource[key] === value),
  ) as Record<string, any>[];
  if (matches.length !== 1) throw new Error(`${matches.length} ${type} match ${JSON.stringify(where)}`);
  return matches[0];
}

function addressOf(json: Record<string, any>, type: string, where: Record<string, unknown>): string {
  const resource = only(json, type, where);
  const name = Object.entries(json.resource[type]).find(([, value]) => value === resource)![0];
  return `${type}.${name}`;
}

const INSTANCE_NAMES = [
  'GuardDuty-Example: Compromised Instance: Scenario 1',
  'GuardDuty-Example: Compromised Instance: Scenario 3',
  'GuardDuty-Example: Malicious Instance',
];

function instance(json: Record<string, any>, name: string): Record<string, any> {
  const found = Object.values(json.resource.aws_instance).filter((resource: any) => resource.tags.Name === name);
  expect(found).toHaveLength(1);
  return found[0] as Record<string, any>;
}

describe('SimulationStack', () => {
  it('exists only when simulation.enabled, in the sandbox account, after the remediation and the sandbox enrollment', () => {
    expect(synthApp(testConfig({ simulation: { enabled: false } })).stackIds).not.toContain(STACK_IDS.simulation);
    const synth = synthApp(testConfig());
    const stack = synth.stack(STACK_IDS.simulation);
    expect(stack.provider.aws).toHaveLength(1);
    expect(stack.provider.aws[0].allowed_account_ids).toEqual([SANDBOX]);
    expect(synth.manifest.stacks[STACK_IDS.simulation].dependencies.sort()).toEqual(['members-wave-1', STACK_IDS.remediation]);
  });

  it('builds the lab VPC: 10.0.0.0/24, one public subnet, an internet gateway and a default route to it', () => {
    const json = synthSimulation();
    const vpc = addressOf(json, 'aws_vpc', { cidr_block: '10.0.0.0/24' });
    const subnet = only(json, 'aws_subnet');
    expect(subnet).toMatchObject({ vpc_id: `\${${vpc}.id}`, cidr_block: '10.0.0.0/24', map_public_ip_on_launch: true });
    const gateway = addressOf(json, 'aws_internet_gateway', { vpc_id: `\${${vpc}.id}` });
    const routeTable = addressOf(json, 'aws_route_table', { vpc_id: `\${${vpc}.id}` });
    expect(only(json, 'aws_route')).toMatchObject({
      route_table_id: `\${${routeTable}.id}`,
      destination_cidr_block: '0.0.0.0/0',
      gateway_id: `\${${gateway}.id}`,
    });
    expect(only(json, 'aws_route_table_association')).toMatchObject({
      route_table_id: `\${${routeTable}.id}`,
      subnet_id: `\${${addressOf(json, 'aws_subnet', {})}.id}`,
    });
  });

  it('puts every regional resource in the home region', () => {
    const json = synthSimulation({ homeRegion: 'eu-west-1' });
    const global = new Set(['aws_iam_user', 'aws_iam_user_policy', 'aws_iam_access_key', 'aws_iam_role', 'aws_iam_role_policy', 'aws_iam_role_policy_attachment', 'aws_iam_instance_profile']);
    const regional = Object.entries(json.resource).filter(([type]) => !global.has(type));
    expect(regional.length).toBeGreaterThan(10);
    for (const [type, resources] of regional) {
      for (const resource of Object.values(resources as Record<string, any>)) expect([type, resource.region]).toEqual([type, 'eu-west-1']);
    }
    expect(Object.values(json.data.aws_ssm_parameter).map((data: any) => data.region)).toEqual(['eu-west-1']);
  });

  it('admits nothing from the internet except ICMP echo requests to the malicious instance, from the Scenario 1 instance only', () => {
    const json = synthSimulation();
    const groups = Object.values(json.resource.aws_security_group) as Record<string, any>[];
    expect(groups.map((group) => group.name).sort()).toEqual([
      'MaliciousSecurityGroup',
      'TargetSecurityGroup',
      'acme-ForensicSecurityGroup',
    ]);
    const scenario1 = addressOf(json, 'aws_instance', { iam_instance_profile: instance(json, INSTANCE_NAMES[0]).iam_instance_profile });
    const ingress = groups.flatMap((group) => group.ingress.map((rule: any) => ({ group: group.name, ...rule })));
    expect(ingress).toEqual([
      {
        group: 'MaliciousSecurityGroup',
        protocol: 'icmp',
        from_port: 8,
        to_port: -1,
        cidr_blocks: [`\${${scenario1}.public_ip}/32`],
        ipv6_cidr_blocks: null,
        prefix_list_ids: null,
        security_groups: null,
        self: null,
        description: 'Scenario 1 pings (ICMP echo request), from the Scenario 1 instance only',
      },
    ]);
    // Inline lists only (Terraform owns every rule), no standalone rule resources that could open more.
    expect(json.resource.aws_vpc_security_group_ingress_rule).toBeUndefined();
    expect(json.resource.aws_security_group_rule).toBeUndefined();
  });

  it("creates the isolation Lambda's forensic group, tagged as its own, without rules, destroyed only after the instances (transition groups are the Lambda's, per instance)", () => {
    const json = synthSimulation();
    const groups = [['acme-ForensicSecurityGroup', 'forensic']];
    for (const [name, purpose] of groups) {
      const group = only(json, 'aws_security_group', { name });
      expect(group).toMatchObject({ ingress: [], egress: [] });
      expect(group.tags.GuardDutyRemediation).toBe(purpose);
    }
    const addresses = groups.map(([name]) => addressOf(json, 'aws_security_group', { name }));
    for (const name of INSTANCE_NAMES) expect(instance(json, name).depends_on).toEqual(addresses);
  });

  it("names the isolation groups exactly as the remediation stack tells its isolation Lambda", () => {
    const synth = withLocals(synthApp(testConfig()));
    const lambdas = Object.values(synth.resources(STACK_IDS.remediation, 'aws_lambda_function')) as Record<string, any>[];
    const isolation = lambdas.filter((lambda) => lambda.environment?.variables?.FORENSIC_GROUP_NAME !== undefined);
    // The isolation and the sweep that finishes its work.
    expect(isolation.map((lambda) => lambda.function_name)).toEqual(['acme-isolate-instance', 'acme-sweep-isolations']);
    const { FORENSIC_GROUP_NAME, TRANSITION_GROUP_PREFIX } = isolation[0].environment.variables;
    const names = (Object.values(synth.resources(STACK_IDS.simulation, 'aws_security_group')) as Record<string, any>[]).map((group) => group.name);
    expect(names).toContain(FORENSIC_GROUP_NAME);
    expect(isolationGroupNames({ name: 'acme' })).toEqual({ forensic: FORENSIC_GROUP_NAME, transition: TRANSITION_GROUP_PREFIX });
  });

  it("keeps GuardDuty-Example-EC2-Compromised within the revocation Lambda's scope", () => {
    const synth = withLocals(synthApp(testConfig()));
    const role = only(synth.stack(STACK_IDS.simulation), 'aws_iam_role', { name: 'GuardDuty-Example-EC2-Compromised' });
    const lambdas = Object.values(synth.resources(STACK_IDS.remediation, 'aws_lambda_function')) as Record<string, any>[];
    const revocation = lambdas.filter((lambda) => lambda.environment?.variables?.ROLE_PATH_PREFIX !== undefined);
    expect(revocation).toHaveLength(1);
    const { ROLE_PATH_PREFIX, ROLE_NAME_PREFIX, PROTECTED_ROLE_NAMES } = revocation[0].environment.variables;
    expect((role.path ?? '/').startsWith(ROLE_PATH_PREFIX)).toBe(true);
    expect(role.name.startsWith(ROLE_NAME_PREFIX)).toBe(true);
    expect(PROTECTED_ROLE_NAMES.split(',')).not.toContain(role.name);
  });

  it('names the isolation groups as told', () => {
    const config = testConfig();
    const stack = new SimulationStack(Testing.app(), {
      config,
      planned: plannedSimulation(config),
      isolationGroupNames: { forensic: 'acme-ForensicSecurityGroup', transition: 'acme-untrack' },
    });
    const json = JSON.parse(Testing.synth(stack, true));
    expect(only(json, 'aws_security_group', { name: 'acme-ForensicSecurityGroup' }).tags.GuardDutyRemediation).toBe('forensic');
    expect((Object.values(json.resource.aws_security_group) as Record<string, any>[]).map((group) => group.name)).not.toContain('acme-untrack');
  });

  it('runs the three lab instances on current Amazon Linux 2023, IMDSv2 only, without a key pair, through Session Manager', () => {
    const json = synthSimulation();
    const image = Object.entries(json.data.aws_ssm_parameter) as [string, any][];
    expect(image).toHaveLength(1);
    expect(image[0][1].name).toBe('/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64');
    expect(Object.keys(json.resource.aws_instance)).toHaveLength(3);
    for (const name of INSTANCE_NAMES) {
      const resource = instance(json, name);
      expect(resource.ami).toBe(`\${data.aws_ssm_parameter.${image[0][0]}.insecure_value}`);
      expect(resource.instance_type).toBe('t3.micro');
      expect(resource.metadata_options).toEqual({ http_endpoint: 'enabled', http_tokens: 'required', http_put_response_hop_limit: 1 });
      expect(resource).not.toHaveProperty('key_name');
      expect(resource.root_block_device).toEqual({ encrypted: true, volume_type: 'gp3' });
      expect(resource.lifecycle.ignore_changes).toEqual(['ami', 'vpc_security_group_ids']);
      const profile = resource.iam_instance_profile.match(/^\$\{aws_iam_instance_profile\.([\w-]+)\.name\}$/)[1];
      const role = json.resource.aws_iam_instance_profile[profile].role;
      const sessionManager = only(json, 'aws_iam_role_policy', { role, name: 'session-manager' });
      expect(JSON.parse(sessionManager.policy).Statement).toEqual([
        {
          Sid: 'SessionManager',
          Effect: 'Allow',
          Action: ['ssm:UpdateInstanceInformation', 'ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'],
          Resource: '*',
        },
      ]);
    }
    // No managed policy anywhere: AmazonSSMManagedInstanceCore's ssm:GetParameter* reaches every parameter.
    expect(json.resource.aws_iam_role_policy_attachment).toBeUndefined();
    expect(JSON.stringify(json)).not.toContain('AmazonSSMManagedInstanceCore');
    expect(json.resource.aws_key_pair).toBeUndefined();
  });

  it('places the malicious instance behind its Elastic IP only, and the other two with their own addresses', () => {
    const json = synthSimulation();
    const target = addressOf(json, 'aws_security_group', { name: 'TargetSecurityGroup' });
    const malicious = addressOf(json, 'aws_security_group', { name: 'MaliciousSecurityGroup' });
    expect(instance(json, INSTANCE_NAMES[2])).toMatchObject({
      associate_public_ip_address: false,
      vpc_security_group_ids: [`\${${target}.id}`, `\${${malicious}.id}`],
    });
    for (const name of INSTANCE_NAMES.slice(0, 2)) {
      expect(instance(json, name)).toMatchObject({ associate_public_ip_address: true, vpc_security_group_ids: [`\${${target}.id}`] });
    }
    const eip = only(json, 'aws_eip');
    expect(eip).toMatchObject({ domain: 'vpc' });
    expect(eip).not.toHaveProperty('instance');
    const maliciousInstance = addressOf(json, 'aws_instance', {
      associate_public_ip_address: false,
    });
    expect(only(json, 'aws_eip_association')).toMatchObject({
      allocation_id: '${aws_eip.malicious-eip.allocation_id}',
      instance_id: `\${${maliciousInstance}.id}`,
    });
    expect(json.output['malicious-ip'].value).toBe('${aws_eip.malicious-eip.public_ip}');
  });

  it('scenario 1: pings the Elastic IP every minute from a systemd timer in the user data', () => {
    const json = synthSimulation();
    const resource = instance(json, INSTANCE_NAMES[0]);
    expect(resource.user_data_replace_on_change).toBe(true);
    expect(resource.user_data).toContain("printf 'TARGET_IP=%s\\n' '${aws_eip.malicious-eip.public_ip}'");
    expect(resource.user_data).toContain('OnUnitActiveSec=1min\n');
    expect(resource.user_data).toContain('ExecStart=/usr/bin/ping -c 5 -W 2 $TARGET_IP\n');
    expect(resource.user_data).toContain('systemctl enable --now guardduty-scenario-1.timer');
  });

  it('scenario 2: the malicious instance makes the compromised user a key itself, with a role limited to that user', () => {
    const json = synthSimulation();
    const user = only(json, 'aws_iam_user');
    expect(user).toMatchObject({ name: 'GuardDuty-Example-Compromised-Simulated', force_destroy: true });
    const userAddress = addressOf(json, 'aws_iam_user', {});

    const malicious = instance(json, INSTANCE_NAMES[2]);
    expect(malicious.user_data).toContain(`printf 'USER_NAME=%s\\n' '\${${userAddress}.name}'`);
    expect(malicious.user_data).toContain("printf 'MALICIOUS_IP=%s\\n' '${aws_eip.malicious-eip.public_ip}'");
    expect(malicious.user_data).toContain('iam create-access-key --user-name "$USER_NAME"');

    // The instance role may list, create and delete the keys of that one user, and do nothing else in IAM.
    const profile = malicious.iam_instance_profile.match(/^\$\{aws_iam_instance_profile\.([\w-]+)\.name\}$/)[1];
    const role = json.resource.aws_iam_instance_profile[profile].role;
    const policy = only(json, 'aws_iam_role_policy', { role, name: 'simulation-permissions' });
    expect(JSON.parse(policy.policy).Statement).toEqual([
      { Sid: 'MakeTheCompromisedUserKey', Effect: 'Allow', Action: ['iam:ListAccessKeys', 'iam:CreateAccessKey', 'iam:DeleteAccessKey'], Resource: `\${${userAddress}.arn}` },
    ]);
  });

  it('keeps no long-term secret in its state: no access key, no parameter carrying one, no secret in outputs', () => {
    const json = synthSimulation();
    expect(json.resource.aws_iam_access_key).toBeUndefined();
    expect((Object.values(json.resource.aws_ssm_parameter) as any[]).map((parameter) => parameter.name)).toEqual(['gd_prod_dbpwd_sample']);
    const text = JSON.stringify(json);
    expect(text).not.toMatch(/\.secret\b|ses_smtp_password|encrypted_secret|aws_iam_access_key/);
    for (const output of Object.values(json.output) as any[]) expect(output.sensitive).toBeUndefined();
  });

  it('scenario 3: the Scenario 3 instance carries GuardDuty-Example-EC2-Compromised, which destroy removes even with RevokeOldSessions', () => {
    const json = synthSimulation();
    const role = only(json, 'aws_iam_role', { name: 'GuardDuty-Example-EC2-Compromised' });
    expect(role.force_detach_policies).toBe(true);
    // Inline permissions live in their own resources, so an apply leaves RevokeOldSessions alone.
    expect(role).not.toHaveProperty('inline_policy');
    expect(JSON.parse(role.assume_role_policy)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    const roleAddress = addressOf(json, 'aws_iam_role', { name: 'GuardDuty-Example-EC2-Compromised' });
    const profile = addressOf(json, 'aws_iam_instance_profile', { role: `\${${roleAddress}.name}` });
    expect(instance(json, INSTANCE_NAMES[1]).iam_instance_profile).toBe(`\${${profile}.name}`);
    expect(instance(json, INSTANCE_NAMES[1])).not.toHaveProperty('user_data');
    const table = addressOf(json, 'aws_dynamodb_table', {});
    const parameter = addressOf(json, 'aws_ssm_parameter', { name: 'gd_prod_dbpwd_sample' });
    const statements = JSON.parse(only(json, 'aws_iam_role_policy', { role: `\${${roleAddress}.name}`, name: 'simulation-permissions' }).policy).Statement;
    expect(statements).toEqual([
      { Sid: 'ListTables', Effect: 'Allow', Action: 'dynamodb:ListTables', Resource: '*' },
      {
        Sid: 'ReadCustomerTable',
        Effect: 'Allow',
        Action: ['dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'],
        Resource: `\${${table}.arn}`,
      },
      { Sid: 'ListParameters', Effect: 'Allow', Action: 'ssm:DescribeParameters', Resource: '*' },
      { Sid: 'ReadPasswordParameter', Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParameters'], Resource: `\${${parameter}.arn}` },
    ]);
    for (const other of Object.values(json.resource.aws_iam_role) as any[]) expect(other.force_detach_policies).toBe(true);
  });

  it('tells the person how to copy the role credentials through Session Manager and use them outside AWS', () => {
    const json = synthSimulation();
    const scenario3 = addressOf(json, 'aws_instance', { iam_instance_profile: instance(json, INSTANCE_NAMES[1]).iam_instance_profile });
    const steps = json.output['scenario-3-steps'].value;
    expect(steps).toBe(scenario3Steps({ instanceId: `\${${scenario3}.id}`, region: 'us-west-2', roleName: 'GuardDuty-Example-EC2-Compromised' }));
    expect(steps).toContain(`aws ssm start-session --region us-west-2 --target \${${scenario3}.id}`);
    expect(steps).toContain("TOKEN=$(curl -s -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')");
    expect(steps).toContain(
      'curl -s -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/iam/security-credentials/GuardDuty-Example-EC2-Compromised',
    );
    expect(steps).toContain('export AWS_ACCESS_KEY_ID=<AccessKeyId> AWS_SECRET_ACCESS_KEY=<SecretAccessKey> AWS_SESSION_TOKEN=<Token>');
    expect(json.output['scenario-3-instance-id'].value).toBe(`\${${scenario3}.id}`);
  });

  it('seeds the data the attacker touches: the customer table with an item, and the SecureString password parameter', () => {
    const json = synthSimulation();
    const table = only(json, 'aws_dynamodb_table');
    expect(table).toMatchObject({
      name: 'GuardDuty-Example-Customer-DB',
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'name',
      attribute: [{ name: 'name', type: 'S' }],
      deletion_protection_enabled: false,
    });
    const tableAddress = addressOf(json, 'aws_dynamodb_table', {});
    const item = only(json, 'aws_dynamodb_table_item');
    expect(item.table_name).toBe(`\${${tableAddress}.name}`);
    expect(JSON.parse(item.item).name).toEqual({ S: 'Joshua Tree' });
    expect(only(json, 'aws_ssm_parameter', { name: 'gd_prod_dbpwd_sample' })).toMatchObject({ type: 'SecureString' });
  });

  it('renders user data that bash accepts, with the Terraform references in place', () => {
    const json = synthSimulation();
    const scripts = Object.values(json.resource.aws_instance)
      .map((resource: any) => resource.user_data)
      .filter(Boolean) as string[];
    expect(scripts).toHaveLength(2);
    for (const script of scripts) {
      const result = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
      // Terraform interpolates only our references; nothing else looks like one.
      for (const [reference] of script.matchAll(/\$\{[^}]*\}|%\{/g)) expect(reference).toMatch(/^\$\{(aws_[\w-]+\.[\w-]+\.\w+)\}$/);
    }
  });

  it('hands maliciousIp to the threat-intel stack, which puts it on the first threat list', () => {
    const synth = synthApp(testConfig());
    const simulation = synth.stack(STACK_IDS.simulation);
    const exported = Object.entries(simulation.output).filter(
      ([id, output]: [string, any]) => id !== 'malicious-ip' && output.value === '${aws_eip.malicious-eip.public_ip}',
    );
    expect(exported).toHaveLength(1);
    const [exportedId] = exported[0];
    const threatIntel = synth.stack(STACK_IDS.threatIntel);
    const remoteState = `cross-stack-reference-input-${STACK_IDS.simulation}`;
    expect(threatIntel.data.terraform_remote_state).toHaveProperty([remoteState]);
    const reference = `\${data.terraform_remote_state.${remoteState}.outputs.${exportedId}}`;
    const lists = Object.values(synth.resources(STACK_IDS.threatIntel, 'aws_s3_object')) as Record<string, any>[];
    const withIp = lists.filter((object) => object.content.split('\n').includes(reference));
    expect(withIp.map((object) => object.key.split('/').slice(0, 2).join('/'))).toEqual(['threat/Example-Threat-List']);
    expect(synth.manifest.stacks[STACK_IDS.threatIntel].dependencies).toContain(STACK_IDS.simulation);
  });
});

describe('no long-term secret in any Terraform state', () => {
  /** Resources whose state holds a long-term secret (a password, a secret key, a private key). */
  const SECRET_TYPES = ['aws_iam_access_key', 'aws_iam_user_login_profile', 'aws_iam_service_specific_credential', 'aws_secretsmanager_secret_version', 'tls_private_key', 'aws_key_pair'];

  it('no stack of the app holds one, and the threat-intel stack reads only the Elastic IP of the simulation state', () => {
    const synth = synthApp(testConfig({ remediation: { deactivateAccessKeys: true } }));
    for (const id of synth.stackIds) {
      const resources = synth.stack(id).resource ?? {};
      expect([id, SECRET_TYPES.filter((type) => type in resources)]).toEqual([id, []]);
    }
    const simulationOutputs = Object.values(synth.stack(STACK_IDS.simulation).output) as Record<string, any>[];
    const crossStack = simulationOutputs.filter((output) => !output.description);
    expect(crossStack.map((output) => output.value)).toEqual(['${aws_eip.malicious-eip.public_ip}']);
    expect(Object.keys(synth.stack(STACK_IDS.threatIntel).data.terraform_remote_state)).toContain(`cross-stack-reference-input-${STACK_IDS.simulation}`);
  });
});
