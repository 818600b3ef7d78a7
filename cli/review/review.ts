import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { TerraformStack, type App } from 'cdktf';
import type { Member, OrgConfig } from '../../lib/config/load';
import { providerReviewLine } from '../../lib/terraform/provider-version';
import { AWSCC_CONSTRAINT, AWSCC_FLOOR } from '../../lib/terraform/awscc';
import { deploySteps, enrollsMembersExplicitly, memberVerb, planStacks, type PlannedStack, type StackAccount } from '../../lib/plan/stacks';
import { plural } from '../common/words';
import type { Rollout } from '../rollout/rollout';
import { JsonStackSynthesizer } from '../../lib/terraform/stack-synthesizer';
import { importedResources, keyedBlocks, movedBlocks, readSynthesized, resourceCounts, stackRegions, stateLocation, type StackJson, type SynthesizedApp } from '../common/synthesized';

/**
 * `cdktf.out/review.md`: what a reviewer needs beside each `terraform plan`: per stack the accounts,
 * regions, where its state lives, what it holds and what it adopts instead of creating, and a diagram of
 * accounts, stacks and the findings flow. Written from the synthesized output, so it describes what
 * will be deployed rather than what the code meant to do.
 */

export const REVIEW_FILE = 'review.md';

/** Writes `<outdir>/review.md` for an app that has just been synthesized there. */
export function writeReview(config: OrgConfig, app: App): string {
  const file = path.join(app.outdir, REVIEW_FILE);
  writeFileSync(file, renderReview(config, readSynthesized(app.outdir, writtenStacks(app))));
  return file;
}

/** The JSON each stack of the app wrote, where its synthesizer kept it. */
function writtenStacks(app: App): Map<string, StackJson> {
  const written = new Map<string, StackJson>();
  for (const stack of app.node.children) {
    if (TerraformStack.isStack(stack) && stack.synthesizer instanceof JsonStackSynthesizer && stack.synthesizer.written) {
      written.set(stack.node.id, stack.synthesizer.written);
    }
  }
  return written;
}

/**
 * What a removal leaves on: the provider's delete of a detector feature only drops it from the state,
 * and an enrolled account keeps its detector when it leaves a stack. Said here because review.md is
 * read before every apply; `npm run report` shows what still bills.
 */
export const STILL_ON_AFTER_REMOVAL: readonly string[] = [
  'Removing a region, an account or a plan from the configuration does not switch GuardDuty off there: the provider\'s delete of a ' +
    'protection plan only drops it from the state (the plan stays on in AWS and bills), a member that leaves a wave keeps its detector ' +
    'and plans, and a region that leaves keeps the administrator\'s detector, its lists and its members. Switch a plan off by setting it ' +
    '`false` before removing it, and see `npm run report` (section "Still on and billing outside the configuration") for what still bills ' +
    'in the accounts and regions the configuration no longer names; the runbook in docs/rollout.md says how to clean up.',
  '',
];

/** The awscc line of review.md, when the entity lists need it. */
function awsccReviewLines(config: OrgConfig): string[] {
  if (config.threatEntitySets.length === 0 && config.trustedEntitySet === undefined) return [];
  return [`awscc provider: \`hashicorp/awscc\` \`${AWSCC_CONSTRAINT}\` for the entity lists (floor ${AWSCC_FLOOR.version}, the first release with both entity set resources).`, ''];
}

export function renderReview(config: OrgConfig, app: SynthesizedApp): string {
  const plan = planStacks(config);
  const planned = new Map(plan.stacks.map((stack) => [stack.id, stack]));
  const step = new Map<string, number>();
  deploySteps(plan).forEach((stacks, index) => stacks.forEach((stack) => step.set(stack.id, index + 1)));
  const roles = accountRoles(config);

  const lines: string[] = [
    `# Review: GuardDuty deployment "${markdownText(config.name)}"`,
    '',
    `Configuration ${codeSpan(config.configFile)}: ${config.mode} mode, home region ${markdownText(config.homeRegion)}, ` +
      `${config.regions.length} region${config.regions.length === 1 ? '' : 's'} (${markdownText(config.regions.join(', '))}), ` +
      `${plural(config.members.length, 'listed member account')}${enrollsMembersExplicitly(config) ? '' : ' (GuardDuty enrolls every account of the organization itself: autoEnable ALL, so no stack enrolls them for GuardDuty)'}, ` +
      `state backend ${config.backend.type}.`,
    '',
    providerReviewLine(config), '',
    ...awsccReviewLines(config),
    ...STILL_ON_AFTER_REMOVAL,
    '| stack | step | accounts | resources | imported | state |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  const ids = [...app.stacks.keys()].sort((a, b) => (step.get(a) ?? 0) - (step.get(b) ?? 0) || a.localeCompare(b));
  for (const id of ids) {
    const json = app.stacks.get(id) as Record<string, any>;
    const accounts = stackAccounts(planned.get(id), json, roles);
    lines.push(
      `| [${id}](#${anchor(id)}) | ${step.get(id) ?? '?'} | ${accountsSummary(accounts, planned.get(id))} | ${resourceCounts(json).total} | ` +
        `${importedResources(json).length} | ${markdownText(stateLocation(app, id, json, config.baseDir).location)} |`,
    );
  }

  lines.push('', '## Accounts, stacks and findings flow', '', '```mermaid', ...diagram(config, app, planned, roles), '```');

  for (const id of ids) lines.push('', ...stackSection(config, app, id, planned.get(id), step.get(id), roles));
  return `${lines.join('\n')}\n`;
}

function stackSection(
  config: OrgConfig,
  app: SynthesizedApp,
  id: string,
  planned: PlannedStack | undefined,
  step: number | undefined,
  roles: ReadonlyMap<string, string>,
): string[] {
  const json = app.stacks.get(id) as Record<string, any>;
  const counts = resourceCounts(json);
  const imports = importedResources(json);
  const state = stateLocation(app, id, json, config.baseDir);
  const dependencies = app.manifest.stacks[id]?.dependencies ?? [];
  const lines = [`## ${id}`, ''];
  if (planned) lines.push(`${markdownText(capitalize(planned.description))}.`, '');
  lines.push(
    `- deploy step: ${step ?? 'not in the stack plan'}${dependencies.length ? ` (after ${[...dependencies].sort().join(', ')})` : ''}`,
    `- accounts: ${stackAccounts(planned, json, roles).map(accountText).join(', ') || 'none'}`,
    `- regions: ${markdownText((planned?.regions ?? stackRegions(json)).join(', '))}`,
    `- state: ${state.type} backend, ${markdownText(state.location)}`,
    `- resources: ${counts.total}${counts.dynamic.length ? ` (plus a plan-time number of: ${counts.dynamic.join(', ')})` : ''}`,
  );
  if (planned && planned.members.length > 0) {
    lines.push(`- ${memberVerb(planned.kind)} ${plural(planned.members.length, 'member account')}: ${planned.members.map(memberText).join(', ')}`);
  }
  if (counts.total > 0) {
    lines.push('', '| resource type | count |', '| --- | --- |');
    for (const [type, count] of Object.entries(counts.byType)) lines.push(`| ${type} | ${count} |`);
  }
  const keyed = keyedBlocks(json);
  if (keyed.length > 0) {
    lines.push(
      '',
      'Resources repeated per region or account are one block each, an instance per key: `terraform state list | grep <account id or region>` finds an account\'s or a region\'s.',
      '',
      '| block | instances | first instance |',
      '| --- | --- | --- |',
    );
    for (const row of keyed) {
      const instances = row.blocks === 1 ? `${row.instances}` : `${row.instances} (${row.blocks} blocks, one per member account)`;
      lines.push(`| \`${row.address}\` | ${instances} | \`${row.example}\` |`);
    }
  }
  const moved = movedBlocks(json);
  if (moved.length > 0) {
    lines.push(
      '',
      `Moved blocks: ${moved.length}, from the addresses earlier layouts gave these resources: cdktf's hashed names, and the blocks ` +
        `the member accounts of a stack shared until each got blocks of its own (such as \`${moved[0].from}\` to \`${moved[0].to}\`; ` +
        'an address that moved twice has a chain). On a state of such a layout, `terraform plan` shows each as "has moved to" and ' +
        'changes nothing; on a new state they do nothing.',
    );
  }
  const letGo: { from: string }[] = json.removed ?? [];
  if (letGo.length > 0) {
    lines.push(
      '',
      `Let go of, not destroyed (\`removed\` blocks with \`destroy = false\`): ${letGo.map((block) => `\`${block.from}\``).join(', ')}. ` +
        'Another stack of this output imports them: the member accounts they belong to changed stack.',
    );
  }
  lines.push('');
  if (imports.length === 0) {
    lines.push('Imported resources: none (everything in this stack is created).');
  } else {
    lines.push('Imported resources (adopted into the state, not created; `terraform plan` shows them as "will be imported"):', '');
    lines.push('| address | import id |', '| --- | --- |');
    for (const imported of imports) lines.push(`| \`${imported.address}\` | \`${imported.id}\` |`);
  }
  return lines;
}

/**
 * What `rollout plan --since` measured, for the review.md of its folder: each step's stacks with what
 * they remove, grouped by kind, let go of, import and add, and the accounts that change stack.
 */
export function sinceSection(rollout: Rollout): string {
  const lines = [`## Changes since ${rollout.since}`, ''];
  const moves = rollout.moves ?? [];
  if (moves.length > 0) {
    lines.push(
      `${plural(new Set(moves.map((move) => move.account)).size, 'member account')} change stack, moved from one state to the other (\`removed\` with \`destroy = false\` where it was, \`import\` where it goes): nothing is deleted.`,
      '',
      '| account | from | to |',
      '| --- | --- | --- |',
      ...moves.map((move) => `| ${move.account} | ${move.from} | ${move.to} |`),
      '',
    );
  }
  lines.push('| step | phase | stack | removes | lets go of | imports | adds | changes |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const step of rollout.steps) {
    for (const stack of step.stacks) {
      const changes = stack.changes;
      if (!changes || changes.status === 'unchanged') continue;
      const groups = (stack.removals ?? []).filter((group) => group.kind !== 'moved').map((group) => `${group.count} ${group.kind}${group.names.length > 0 ? ` (${group.names.slice(0, 5).join(', ')}${group.names.length > 5 ? ', ...' : ''})` : ''}`);
      lines.push(
        `| ${step.step} | ${step.phase ?? ''} | ${stack.id} | ${groups.join('; ') || (changes.removed.length > 0 ? String(changes.removed.length) : '')} | ${changes.forgotten.length || ''} | ${changes.imported.length || ''} | ${changes.added.length || ''} | ${changes.changed.length || ''} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Account id to its role in this deployment ("admin", "member prod"...). */
function accountRoles(config: OrgConfig): Map<string, string> {
  const roles = new Map<string, string>();
  for (const member of config.members) roles.set(member.id, `member${member.name ? ` ${member.name}` : ''}`);
  for (const [role, id] of Object.entries(config.accounts)) roles.set(id, role);
  return roles;
}

/** The plan's accounts, or for a stack the plan does not know, those its providers are pinned to. */
function stackAccounts(planned: PlannedStack | undefined, json: Record<string, any>, roles: ReadonlyMap<string, string>): { role: string; id: string }[] {
  if (planned) return planned.accounts.map((account: StackAccount) => ({ role: roles.get(account.id) ?? account.role, id: account.id }));
  const providers: Record<string, any>[] = json.provider?.aws ?? [];
  const ids = [...new Set(providers.flatMap((provider) => provider.allowed_account_ids ?? []))] as string[];
  return ids.map((id) => ({ role: roles.get(id) ?? 'account', id }));
}

/**
 * The accounts a stack deploys from, in full, and the member accounts it enrolls, counted (its section
 * lists them), so a wave of fifty keeps the table readable. In organizations mode a members stack has
 * only the admin account's provider, yet it enrolls every account of its wave.
 */
function accountsSummary(accounts: readonly { role: string; id: string }[], planned: Pick<PlannedStack, 'kind' | 'members'> | undefined): string {
  const enrolled = planned?.members ?? [];
  const enrolledIds = new Set(enrolled.map((member) => member.id));
  const named = accounts.filter((account) => !enrolledIds.has(account.id) && !account.role.startsWith('member')).map(accountText);
  if (planned && enrolled.length > 0) named.push(`${memberVerb(planned.kind)} ${plural(enrolled.length, 'member account')}`);
  return named.join(', ');
}

function accountText(account: { role: string; id: string }): string {
  return `${markdownText(account.role)} ${account.id}`;
}

function memberText(member: Member): string {
  return member.name ? `${member.id} (${markdownText(member.name)})` : member.id;
}

/**
 * Text from the configuration (names, paths, state locations) as Markdown that shows it as written:
 * review.md is appended to the pipeline's step summary, where a name must not become a link, an
 * image, emphasis, HTML or a table cell border.
 */
export function markdownText(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_[\]|~!]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    // GitHub links bare URLs and www. names by itself (after a blank, a punctuation mark or `_`).
    .replace(/(^|[^A-Za-z0-9])(https?|ftp):\/\//gi, '$1$2\\://')
    .replace(/(^|[^A-Za-z0-9])(www)\./gi, '$1$2\\.');
}

/** Text as one code span: fenced with more backticks than it holds in a row (CommonMark). */
export function codeSpan(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  const fence = '`'.repeat(Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length)) + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

function anchor(heading: string): string {
  return heading.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Mermaid flowchart: one box per account with the stacks whose state is kept for it, dotted arrows
 * for deploy order, thick arrows for where findings go.
 */
function diagram(config: OrgConfig, app: SynthesizedApp, planned: ReadonlyMap<string, PlannedStack>, roles: ReadonlyMap<string, string>): string[] {
  const node = (kind: string, id: string) => `${kind}_${id.replace(/[^A-Za-z0-9]/g, '_')}`;
  // Mermaid's entity codes: a quote ends the label, and the renderer reads < and > as HTML.
  const label = (text: string) => `"${text.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;').replace(/[\r\n]+/g, ' ')}"`;
  const lines = ['flowchart LR'];

  // Each stack sits in its own (first) account; the others it reaches are drawn as arrows.
  const byAccount = new Map<string, string[]>();
  for (const id of app.stacks.keys()) {
    const accounts = stackAccounts(planned.get(id), app.stacks.get(id) as Record<string, any>, roles);
    const home = accounts[0]?.id ?? 'unknown';
    byAccount.set(home, [...(byAccount.get(home) ?? []), id]);
  }
  const accountIds = [...new Set([config.accounts.management, config.accounts.admin, config.accounts.sandbox, ...byAccount.keys()])];
  for (const account of accountIds) {
    lines.push(`  subgraph ${node('account', account)}[${label(`${roles.get(account) ?? 'account'} ${account}`)}]`);
    if (account === config.accounts.admin) {
      lines.push(`    ${node('bus', 'admin')}[${label(`GuardDuty administrator: findings of every member, ${config.regions.length} region${config.regions.length === 1 ? '' : 's'}`)}]`);
    }
    if (account === config.accounts.sandbox) {
      lines.push(`    ${node('bus', 'sandbox')}[${label('default event bus (own findings)')}]`);
    }
    for (const id of byAccount.get(account) ?? []) {
      const count = resourceCounts(app.stacks.get(id) as Record<string, any>).total;
      lines.push(`    ${node('stack', id)}[${label(`stack ${id}: ${count} resource${count === 1 ? '' : 's'}`)}]`);
    }
    lines.push('  end');
  }

  // Member accounts: by wave where a stack enrolls a wave; with autoEnable ALL, GuardDuty enrolls every
  // account of the organization by itself and no wave is drawn for it.
  const waves = new Map<number, Member[]>();
  for (const stack of planned.values()) {
    if (stack.wave !== undefined) waves.set(stack.wave, [...new Map([...(waves.get(stack.wave) ?? []), ...stack.members].map((member) => [member.id, member])).values()]);
  }
  const organizationWide = !enrollsMembersExplicitly(config);
  lines.push(`  subgraph members[${label('member accounts')}]`);
  for (const [wave, members] of [...waves].sort(([a], [b]) => a - b)) {
    lines.push(`    ${node('wave', String(wave))}[${label(`wave ${wave}: ${members.length} account${members.length === 1 ? '' : 's'}`)}]`);
  }
  if (organizationWide) lines.push(`    ${node('wave', 'all')}[${label('every account of the organization, enrolled by GuardDuty (autoEnable ALL)')}]`);
  lines.push('  end');

  for (const [id, entry] of Object.entries(app.manifest.stacks)) {
    for (const dependency of entry.dependencies) lines.push(`  ${node('stack', dependency)} -.->|deploys before| ${node('stack', id)}`);
  }
  for (const stack of planned.values()) {
    for (const account of stack.accounts.slice(1)) {
      if (account.role === 'member') continue;
      lines.push(`  ${node('stack', stack.id)} -->|provider| ${node('account', account.id)}`);
    }
    const service = stack.kind === 'security-hub-members' ? ' in Security Hub' : stack.kind === 'detective-members' ? ' in Detective' : '';
    if (stack.wave !== undefined) lines.push(`  ${node('stack', stack.id)} -->|enrolls${service}| ${node('wave', String(stack.wave))}`);
  }

  const sources = organizationWide ? [node('wave', 'all')] : [...waves.keys()].map((wave) => node('wave', String(wave)));
  for (const source of sources) lines.push(`  ${source} ==>|findings| ${node('bus', 'admin')}`);
  const home = node('home', config.homeRegion);
  lines.push(`  ${home}[${label(`central event bus, home region ${config.homeRegion}`)}]`);
  lines.push(`  ${node('bus', 'admin')} ==>|every region forwards| ${home}`);
  if (config.notifications.emails.length > 0) {
    const count = config.notifications.emails.length;
    lines.push(`  ${home} ==>|SNS e-mail| ${node('people', 'email')}[${label(`${count} recipient${count === 1 ? '' : 's'}`)}]`);
  }
  const remediation = [...planned.values()].find((stack) => stack.kind === 'remediation');
  lines.push(`  ${node('account', config.accounts.sandbox)} ==>|findings| ${node('bus', 'admin')}`);
  if (remediation) lines.push(`  ${node('bus', 'sandbox')} ==>|remediation rules, ${config.remediation.mode}| ${node('stack', remediation.id)}`);
  return lines;
}
