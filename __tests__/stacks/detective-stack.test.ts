import { synthApp, testConfig, type Synthesized } from '../helpers/synth';

const REGIONS = ['us-west-2', 'us-east-1', 'eu-west-1'];
const SANDBOX = { id: '333333333333', email: 'sandbox@example.com', wave: 1 };
const OUTSIDER = { id: '444444444444', email: 'outsider@example.com', wave: 2 };
const EXISTING_GRAPH = 'arn:aws:detective:us-east-1:222222222222:graph:0123456789abcdef0123456789abcdef';

/** The resource instances of one type without cdktf's metadata, with their addresses (`graph["us-east-1"]`). */
function entries(synth: Synthesized, stackId: string, type: string): [string, Record<string, any>][] {
  return Object.entries(synth.resources(stackId, type)).map(([name, { '//': _metadata, ...rest }]) => [name, rest]);
}

function byRegion(synth: Synthesized, stackId: string, type: string): Record<string, Record<string, any>> {
  return Object.fromEntries(entries(synth, stackId, type).map(([, resource]) => [resource.region, resource]));
}

function addresses(synth: Synthesized, stackId: string, type: string): Record<string, string> {
  return Object.fromEntries(entries(synth, stackId, type).map(([name, resource]) => [resource.region, `${type}.${name}`]));
}

describe('DetectiveStack, organizations mode', () => {
  const synth = synthApp(testConfig({ detective: { enabled: true } }));

  it('creates a behavior graph in the admin account in every region, after the admin stack', () => {
    expect(byRegion(synth, 'detective', 'aws_detective_graph')).toEqual(Object.fromEntries(REGIONS.map((region) => [region, { provider: 'aws', region }])));
    expect(synth.manifest.stacks.detective.dependencies).toEqual(['admin']);
    expect(synth.stack('detective').import).toBeUndefined();
  });

  it('keys the graphs, delegations and configurations by region', () => {
    for (const [type, name] of [
      ['aws_detective_graph', 'graph'],
      ['aws_detective_organization_admin_account', 'delegation'],
      ['aws_detective_organization_configuration', 'configuration'],
    ]) {
      expect(addresses(synth, 'detective', type)).toEqual(Object.fromEntries(REGIONS.map((region) => [region, `${type}.${name}["${region}"]`])));
    }
  });

  it('delegates administration from the management account only once the graphs exist, so delegation adopts them', () => {
    expect(byRegion(synth, 'detective', 'aws_detective_organization_admin_account')).toEqual(
      Object.fromEntries(REGIONS.map((region) => [region, { provider: 'aws.management', region, account_id: '222222222222', depends_on: ['aws_detective_graph.graph'] }])),
    );
  });

  it('auto-enables new organization accounts on that graph, after the delegation', () => {
    expect(byRegion(synth, 'detective', 'aws_detective_organization_configuration')).toEqual(
      Object.fromEntries(
        REGIONS.map((region) => [
          region,
          {
            provider: 'aws',
            region,
            auto_enable: true,
            graph_arn: `\${aws_detective_graph.graph["${region}"].graph_arn}`,
            depends_on: ['aws_detective_organization_admin_account.delegation'],
          },
        ]),
      ),
    );
  });

  it('enrolls the listed accounts wave by wave on the graph of each region, without invitations', () => {
    const accounts = { 'detective-wave-1': ['333333333333', '444444444444', '555555555501', '555555555502'], 'detective-wave-2': ['555555555503', '555555555504'] };
    for (const [stackId, ids] of Object.entries(accounts)) {
      const members = entries(synth, stackId, 'aws_detective_member').map(([, member]) => member);
      expect(members).toHaveLength(ids.length * REGIONS.length);
      expect(Object.keys(synth.resources(stackId, 'aws_detective_member')).sort()).toEqual(
        ids.flatMap((id) => REGIONS.map((region) => `member["${id}/${region}"]`)).sort(),
      );
      for (const member of members) {
        expect(ids).toContain(member.account_id);
        expect(member).toEqual({
          provider: 'aws',
          region: member.region,
          account_id: member.account_id,
          email_address: expect.stringMatching(/@example\.com$/),
          graph_arn: `\${local.behavior-graph-arns["${member.region}"]}`,
          disable_email_notification: true,
          message: 'Amazon Detective administration by account 222222222222',
        });
      }
      expect(Object.keys(synth.stack(stackId).resource)).toEqual(['aws_detective_member']);
      // Each region's graph ARN is read from the detective stack's state once, into a local map.
      const locals = synth.stack(stackId).locals['behavior-graph-arns'];
      expect(Object.keys(locals).sort()).toEqual([...REGIONS].sort());
      for (const region of REGIONS) {
        expect(locals[region]).toMatch(
          new RegExp(`^\\$\\{data\\.terraform_remote_state\\.cross-stack-reference-input-detective\\.outputs\\..*graph${region}graph_arn\\}$`),
        );
      }
    }
    expect(synth.manifest.stacks['detective-wave-1'].dependencies).toEqual(['detective', 'members-wave-1']);
  });

  it('reads the graph ARNs from the detective stack state', () => {
    const outputs = Object.values(synth.stack('detective').output ?? {}).map((output: any) => output.value);
    expect(outputs.sort()).toEqual(Object.values(addresses(synth, 'detective', 'aws_detective_graph')).map((address) => `\${${address}.graph_arn}`).sort());
  });
});

describe('DetectiveStack settings', () => {
  it('imports an existing graph instead of creating a second one, and creates the others', () => {
    const synth = synthApp(testConfig({ detective: { enabled: true, existingGraphs: { 'us-east-1': EXISTING_GRAPH } } }));
    const graphs = addresses(synth, 'detective', 'aws_detective_graph');
    expect(synth.stack('detective').import).toEqual([{ id: EXISTING_GRAPH, provider: 'aws', to: graphs['us-east-1'] }]);
    expect(Object.keys(graphs).sort()).toEqual([...REGIONS].sort());
  });

  it('leaves new organization accounts out with autoEnable false', () => {
    const synth = synthApp(testConfig({ detective: { enabled: true, autoEnable: false } }));
    const configurations = Object.values(byRegion(synth, 'detective', 'aws_detective_organization_configuration'));
    expect(configurations.map((configuration) => configuration.auto_enable)).toEqual([false, false, false]);
  });
});

describe('DetectiveStack, invitations mode', () => {
  const synth = synthApp(
    testConfig({ mode: 'invitations', autoEnable: undefined, members: [SANDBOX, OUTSIDER], membersFile: undefined, detective: { enabled: true } }),
  );

  it('creates the graphs only: no delegation, no organization configuration, no management account', () => {
    expect(Object.keys(synth.stack('detective').resource)).toEqual(['aws_detective_graph']);
    expect(synth.stack('detective').provider.aws.map((provider: any) => provider.allowed_account_ids)).toEqual([['222222222222']]);
  });

  it('invites each member from the admin account and accepts in the member account, in every region', () => {
    for (const [stackId, member] of [
      ['detective-wave-1', SANDBOX],
      ['detective-wave-2', OUTSIDER],
    ] as const) {
      const invitations = entries(synth, stackId, 'aws_detective_member');
      expect(invitations.map(([, invitation]) => invitation.region).sort()).toEqual([...REGIONS].sort());
      for (const [name, invitation] of invitations) {
        expect(invitation).toMatchObject({ provider: 'aws', account_id: member.id, email_address: member.email, disable_email_notification: true });
        const acceptances = entries(synth, stackId, 'aws_detective_invitation_accepter')
          .map(([, acceptance]) => acceptance)
          .filter((acceptance) => acceptance.region === invitation.region);
        expect(name).toBe(`member["${member.id}/${invitation.region}"]`);
        expect(acceptances).toEqual([
          { provider: `aws.member-${member.id}`, region: invitation.region, graph_arn: invitation.graph_arn, depends_on: ['aws_detective_member.member'] },
        ]);
        expect(Object.keys(synth.resources(stackId, 'aws_detective_invitation_accepter'))).toContain(`member_${member.id}["${invitation.region}"]`);
      }
      expect(synth.stack(stackId).provider.aws.map((provider: any) => provider.alias)).toEqual([undefined, `member-${member.id}`]);
    }
    expect(synth.manifest.stacks['detective-wave-2'].dependencies).toEqual(expect.arrayContaining(['detective-wave-1', 'members-wave-2']));
  });
});
