/**
 * The project's layering, checked in `npm test` (__tests__/architecture.test.ts) by dependency-cruiser.
 * docs/architecture.md draws the same rooms. A rule's name is what a failing test prints: read its
 * comment here for why it exists.
 */

/** The rooms of lib/ and what each may import from lib/ besides itself, lowest first. */
const LIB_ROOMS = {
  // AWS's own facts outside GuardDuty: partitions, regions, ARNs, IAM documents, Security Hub, Detective.
  aws: ['lib/problems\\.ts$'],
  // Synthesis plumbing: cdktf hooks, for_each instances and addresses, escaping, provider versions, bundles.
  terraform: [],
  // GuardDuty's own facts: protection plans, finding shapes and patterns, filter criteria, IP lists.
  guardduty: ['lib/aws/', 'lib/problems\\.ts$', 'lib/terraform/provider-version\\.ts$'],
  // What the remediation rules, roles and Lambdas agree on, and the rules and policies themselves.
  remediation: ['lib/aws/', 'lib/guardduty/'],
  // The lab's simulated attacks: user data and scenario steps.
  simulation: ['lib/aws/', 'lib/guardduty/'],
  // Reading and checking the configuration: pure data in, typed data out.
  // (and the remediation's contract: the tag keys `tags` must not take)
  config: ['lib/aws/', 'lib/guardduty/', 'lib/problems\\.ts$', 'lib/terraform/provider-version\\.ts$', 'lib/remediation/contract\\.ts$'],
  // The plan: which stacks exist, which accounts and regions each holds, in what order; names.
  plan: ['lib/aws/', 'lib/guardduty/', 'lib/config/', 'lib/problems\\.ts$'],
};

const libRoomRules = Object.entries(LIB_ROOMS).map(([room, allowed]) => ({
  name: `lib-${room}-imports-only-lower-rooms`,
  comment: `lib/${room}/ may import from lib/ only ${allowed.length ? allowed.join(', ') : 'itself'} (its README.md says why)`,
  severity: 'error',
  from: { path: `^lib/${room}/` },
  to: { path: '^lib/', pathNot: [`^lib/${room}/`, ...allowed.map((path) => `^${path}`)] },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle: types that several files share live in the room that owns them.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-from-tests',
      comment: 'Nothing outside __tests__/ imports from it: what a command needs at run time lives beside the command.',
      severity: 'error',
      from: { pathNot: '^__tests__/' },
      to: { path: '^__tests__/' },
    },
    {
      name: 'lib-not-upwards',
      comment: 'lib/ is the bottom layer: it never imports the commands, stacks, modules or Lambda handlers.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^(cli|stacks|modules|functions|scripts)/|^main\\.ts$' },
    },
    {
      name: 'modules-not-upwards',
      comment: 'A module is a construct with typed props: it never imports a stack or a command.',
      severity: 'error',
      from: { path: '^modules/' },
      to: { path: '^(cli|stacks|functions|scripts)/|^main\\.ts$' },
    },
    {
      name: 'stacks-not-upwards',
      comment: 'Stacks compose modules; they never import a command.',
      severity: 'error',
      from: { path: '^stacks/' },
      to: { path: '^(cli|functions|scripts)/|^main\\.ts$' },
    },
    {
      name: 'functions-only-own-and-contract',
      comment:
        'A Lambda handler is bundled alone: it imports functions/, npm packages, Node and lib/remediation/contract.ts (the finding types and tag keys it shares with the rules and roles), nothing else.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { dependencyTypesNot: ['npm', 'npm-dev', 'core', 'npm-no-pkg', 'npm-unknown'], pathNot: ['^functions/', '^lib/remediation/contract\\.ts$'] },
    },
    {
      name: 'functions-not-imported',
      comment: 'Lambda handlers are bundled by path (lib/terraform/bundle.ts), never imported by the app.',
      severity: 'error',
      from: { pathNot: '^(functions|__tests__)/' },
      to: { path: '^functions/' },
    },
    {
      name: 'facts-know-nothing-of-cdktf',
      comment: 'The configuration, the plan and the facts are pure data: only lib/terraform/, modules/ and stacks/ use cdktf.',
      severity: 'error',
      from: { path: '^lib/(config|plan|guardduty|aws|remediation|simulation)/|^lib/problems\\.ts$' },
      to: { path: '(^|/)node_modules/(cdktf|@cdktf|@cdktn|cdktn|constructs)/' },
    },
    ...libRoomRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|cdktf\\.out|\\.synth|coverage)/' },
    // Type-only imports count: a cycle of types is still a cycle for a reader.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
