import type { Mode } from '../../lib/config/schema';
import { formatBytes, formatMilliseconds, formatRatio, formatSeconds } from './stats';

/** What the benchmark measured, as the report and the plot read it. */

export interface SynthResult {
  readonly mode: Mode;
  readonly members: number;
  readonly regions: number;
  readonly runs: number;
  /** Medians over the runs. */
  readonly wallMs: number;
  readonly peakRssBytes: number;
  readonly stacks: number;
  readonly totalResources: number;
  readonly largestStack: { readonly id: string; readonly resources: number };
  /** Bytes of Terraform JSON written. */
  readonly outputBytes: number;
  /** Median time to serialize and write the same JSON with plain JSON.stringify. */
  readonly floorMs: number;
}

export interface UsualComparison {
  readonly mode: Mode;
  readonly members: number;
  readonly runs: number;
  readonly oursWallMs: number;
  readonly oursPeakRssBytes: number;
  readonly usualWallMs: number;
  readonly usualPeakRssBytes: number;
  /** The usual copy run with tsx instead of ts-node: how much of the difference the root import alone makes. */
  readonly rootImportWallMs?: number;
  readonly rootImportPeakRssBytes?: number;
  /** Whether the usual run synthesized the same stacks with the same resource counts as ours. */
  readonly sameOutput: boolean;
}

export interface LambdaResult {
  /** The asset path in the synthesized output. */
  readonly asset: string;
  /** The function it deploys and its stack, for people: `isolate-instance (sandbox-remediation)`. */
  readonly name: string;
  readonly zipBytes: number;
  readonly runs: number;
  /** Median time to load the bundle's module in a fresh process. */
  readonly loadMs: number;
}

export interface ExtraTiming {
  readonly what: string;
  readonly runs: number;
  readonly wallMs: number;
  readonly peakRssBytes?: number;
  readonly note?: string;
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly node: string;
  readonly os: string;
  readonly date: string;
  readonly loadBefore: string;
  readonly loadAfter: string;
}

/** The shipped configuration (config/org.json) synthesized as a user does. */
export interface ExampleTiming {
  readonly runs: number;
  /** Median wall time of the runs with the Lambda bundles already on disk (every synth after the first). */
  readonly wallMs: number;
  readonly peakRssBytes: number;
  /** The first synth on a machine, which builds the Lambda bundles. */
  readonly firstWallMs: number;
}

export interface BenchResults {
  readonly machine: Machine;
  /** How the app was run, for the reader to reproduce. */
  readonly command: string;
  /** Which sources were measured: a commit, and whether the tree had changes on top of it. */
  readonly source: string;
  readonly rssProbe: string;
  readonly synth: readonly SynthResult[];
  readonly example?: ExampleTiming;
  readonly usual?: UsualComparison;
  readonly typecheck?: ExtraTiming;
  readonly extras: readonly ExtraTiming[];
  readonly lambdas: readonly LambdaResult[];
  /** Floor for the Lambda module load: an empty handler loaded the same way. */
  readonly emptyHandlerLoadMs?: number;
  readonly totalMs: number;
  readonly notes: readonly string[];
}

/** The targets of issue 17 (synth at organization scale) and of the Lambda bundles. */
export const TARGETS = {
  largestOrganization: 1000,
  /** 1,000 accounts x 17 regions, every service on. */
  synthWallMs: { organizations: 5_000, invitations: 15_000 },
  /** Invitations mode; organizations mode stays far below. */
  synthPeakRssBytes: 1024 ** 3,
  /** Synth at most this many times the floor (the same JSON written with JSON.stringify), at 1,000 accounts. */
  floorRatio: 10,
  /** The shipped example, config/org.json, with its Lambda bundles on disk. */
  exampleWallMs: 1_500,
  stackResources: 2000,
  lambdaZipBytes: 500 * 1024,
  lambdaLoadMs: 150,
} as const;

export interface TargetOutcome {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

/** A person's name for a bundle: the zip's file name without its content hash, and its stack. */
export function bundleName(asset: string): string {
  const stack = /^stacks\/([^/]+)\//.exec(asset)?.[1];
  const file = asset.split('/').pop() ?? asset;
  const name = file.replace(/\.zip$/, '').replace(/-[0-9a-f]{8,}$/, '');
  return stack ? `${name} (${stack})` : name;
}

/** Each target, as met or not; a target with nothing measured is not met. */
export function evaluateTargets(results: Pick<BenchResults, 'synth' | 'lambdas' | 'example'>): TargetOutcome[] {
  const outcomes: TargetOutcome[] = [];
  const accounts = `${TARGETS.largestOrganization.toLocaleString('en-US')} accounts x 17 regions`;
  const largest = (mode: 'organizations' | 'invitations') => results.synth.find((result) => result.mode === mode && result.members === TARGETS.largestOrganization);
  const notMeasured = (target: string): TargetOutcome => ({ target, measured: 'not measured', met: false });

  const organizations = largest('organizations');
  const organizationsTarget = `${accounts}, organizations: synth in at most ${formatSeconds(TARGETS.synthWallMs.organizations)}`;
  outcomes.push(
    organizations
      ? { target: organizationsTarget, measured: formatSeconds(organizations.wallMs), met: organizations.wallMs <= TARGETS.synthWallMs.organizations }
      : notMeasured(organizationsTarget),
  );
  const invitations = largest('invitations');
  const invitationsTarget = `${accounts}, invitations: synth in at most ${formatSeconds(TARGETS.synthWallMs.invitations)} and ${formatBytes(TARGETS.synthPeakRssBytes)}`;
  outcomes.push(
    invitations
      ? {
          target: invitationsTarget,
          measured: `${formatSeconds(invitations.wallMs)}, ${formatBytes(invitations.peakRssBytes)}`,
          met: invitations.wallMs <= TARGETS.synthWallMs.invitations && invitations.peakRssBytes <= TARGETS.synthPeakRssBytes,
        }
      : notMeasured(invitationsTarget),
  );
  for (const mode of ['organizations', 'invitations'] as const) {
    const result = largest(mode);
    const target = `${accounts}, ${mode}: synth / floor at most ${TARGETS.floorRatio}x`;
    outcomes.push(
      result
        ? { target, measured: formatRatio(result.wallMs, result.floorMs), met: result.wallMs <= TARGETS.floorRatio * result.floorMs }
        : notMeasured(target),
    );
  }
  const exampleTarget = `the shipped example (config/org.json): synth in at most ${formatSeconds(TARGETS.exampleWallMs)}`;
  outcomes.push(
    results.example
      ? {
          target: exampleTarget,
          measured: `${formatSeconds(results.example.wallMs)} (first synth, building the Lambda bundles: ${formatSeconds(results.example.firstWallMs)})`,
          met: results.example.wallMs <= TARGETS.exampleWallMs,
        }
      : notMeasured(exampleTarget),
  );
  const largestStack = [...results.synth].sort((a, b) => b.largestStack.resources - a.largestStack.resources)[0];
  outcomes.push({
    target: `no stack holds more than ${TARGETS.stackResources.toLocaleString('en-US')} resources`,
    measured: largestStack
      ? `largest: ${largestStack.largestStack.resources.toLocaleString('en-US')} (${largestStack.largestStack.id}, ${largestStack.mode}, ${largestStack.members} accounts)`
      : 'not measured',
    met: largestStack !== undefined && largestStack.largestStack.resources <= TARGETS.stackResources,
  });
  if (results.lambdas.length === 0) {
    outcomes.push({ target: `each Lambda zip under ${formatBytes(TARGETS.lambdaZipBytes)}, module load under ${TARGETS.lambdaLoadMs} ms`, measured: 'no Lambda bundle in the synthesized output', met: false });
  }
  for (const lambda of results.lambdas) {
    outcomes.push({
      target: `${lambda.name}: zip under ${formatBytes(TARGETS.lambdaZipBytes)}, module load under ${TARGETS.lambdaLoadMs} ms`,
      measured: `${formatBytes(lambda.zipBytes)}, ${formatMilliseconds(lambda.loadMs)}`,
      met: lambda.zipBytes < TARGETS.lambdaZipBytes && lambda.loadMs < TARGETS.lambdaLoadMs,
    });
  }
  return outcomes;
}

/** How time grows from one size to the next: 1.0 is linear, 2.0 quadratic (log-log slope). */
export function growthExponent(smaller: Pick<SynthResult, 'members' | 'wallMs'>, larger: Pick<SynthResult, 'members' | 'wallMs'>): number {
  return Math.log(larger.wallMs / smaller.wallMs) / Math.log(larger.members / smaller.members);
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const count = (value: number) => value.toLocaleString('en-US');

export function renderResultsMarkdown(results: BenchResults, plotFile: string): string {
  const { machine } = results;
  const out: string[] = [];
  out.push('# Benchmark results', '');
  out.push(`Generated by \`npm run bench\` (cli/bench/main.ts) on ${machine.date}, in ${formatSeconds(results.totalMs)}. Do not edit by hand.`, '');
  out.push('## Machine', '');
  out.push(
    table(
      ['CPU', 'cores', 'memory', 'Node', 'OS', 'load average (1, 5, 15 min) before', 'after'],
      [[machine.cpu, String(machine.cores), formatBytes(machine.memoryBytes), machine.node, machine.os, machine.loadBefore, machine.loadAfter]],
    ),
    '',
  );
  // Only the load before the run tells of other processes: the load after it is mostly the
  // benchmark's own.
  const loaded = Number(machine.loadBefore.split(',')[0]) > machine.cores * 0.75;
  if (loaded) {
    out.push(`The runs happened on a **loaded ${machine.cores}-core machine** (other processes were busy, see the load average before): absolute times are inflated and noisy; ratios measured side by side hold better.`, '');
  }
  out.push(`Sources measured: ${results.source}.`, '');
  out.push(`Each synth is a whole process, \`${results.command}\`, with \`ORG_CONFIG\` and \`CDKTF_OUTDIR\` in a temporary folder; wall time is measured by the parent, peak RSS by ${results.rssProbe === 'gnu-time' ? '`/usr/bin/time -f %M` (the largest process of the run)' : 'polling `/proc/<pid>/status` VmHWM'}. Values are medians of the runs shown.`, '');

  out.push('## Synth', '');
  out.push(
    table(
      ['mode', 'member accounts', 'regions', 'runs', 'synth wall time', 'peak RSS', 'stacks', 'resources', 'synth per 1,000 resources', 'largest stack (resources)', 'Terraform JSON', 'floor: JSON.stringify + write', 'synth / floor'],
      results.synth.map((result) => [
        result.mode,
        count(result.members),
        String(result.regions),
        String(result.runs),
        formatSeconds(result.wallMs),
        formatBytes(result.peakRssBytes),
        String(result.stacks),
        count(result.totalResources),
        formatSeconds((result.wallMs / result.totalResources) * 1000),
        `${count(result.largestStack.resources)} (${result.largestStack.id})`,
        formatBytes(result.outputBytes),
        formatMilliseconds(result.floorMs),
        formatRatio(result.wallMs, result.floorMs),
      ]),
    ),
    '',
  );
  for (const mode of ['organizations', 'invitations'] as const) {
    const sizes = results.synth.filter((result) => result.mode === mode).sort((a, b) => a.members - b.members);
    const steps = sizes.slice(1).map((larger, index) => `${sizes[index].members} -> ${larger.members}: ${growthExponent(sizes[index], larger).toFixed(2)}`);
    if (steps.length > 0) out.push(`Growth of synth time with organization size, ${mode} (log-log slope; 1 is linear): ${steps.join(', ')}.`, '');
  }
  out.push(`![synth time and peak memory against organization size](${plotFile})`, '');

  if (results.example) {
    const example = results.example;
    out.push('## The shipped example', '');
    out.push(
      `\`config/org.json\` as it is in the repository, the same command. The first synth on a machine builds the Lambda bundles (esbuild, then a zip); later ones find them on disk, unchanged sources and toolchain, and reuse them (lib/terraform/bundle.ts).`,
      '',
    );
    out.push(
      table(
        ['synth', 'runs', 'wall time', 'peak RSS'],
        [
          ['first, building the Lambda bundles', '1', formatSeconds(example.firstWallMs), ''],
          ['with the bundles on disk', String(example.runs), formatSeconds(example.wallMs), formatBytes(example.peakRssBytes)],
        ],
      ),
      '',
    );
  }

  if (results.usual) {
    const usual = results.usual;
    out.push('## Against the usual setup', '');
    out.push(
      `The same ${usual.members}-account ${usual.mode} configuration, synthesized by this app as it is, and by a copy of it made the usual way: run with ts-node (which type-checks as it loads) and every provider class imported from the package root, as the default cdktf template does. The copy is generated into a temporary folder by rewriting the deep imports; ${usual.sameOutput ? 'it synthesized the same stacks with the same resource counts' : '**its output differed from ours** (stacks or resource counts)'}.${usual.rootImportWallMs === undefined ? '' : ' The copy is also run from its sources with tsx, to tell the share of the root import from that of ts-node.'} Runs alternate between the variants, so a change in the machine\'s load hits them alike.`,
      '',
    );
    out.push(
      table(
        ['variant', 'runs', 'synth wall time', 'peak RSS'],
        [
          ['ours: deep imports, compiled once (cli/synth/run.cjs)', String(usual.runs), formatSeconds(usual.oursWallMs), formatBytes(usual.oursPeakRssBytes)],
          ...(usual.rootImportWallMs === undefined || usual.rootImportPeakRssBytes === undefined
            ? []
            : [['tsx, package-root imports (the import alone)', String(usual.runs), formatSeconds(usual.rootImportWallMs), formatBytes(usual.rootImportPeakRssBytes)]]),
          ['usual: ts-node, package-root imports', String(usual.runs), formatSeconds(usual.usualWallMs), formatBytes(usual.usualPeakRssBytes)],
          ['ours / usual', '', formatRatio(usual.oursWallMs, usual.usualWallMs), formatRatio(usual.oursPeakRssBytes, usual.usualPeakRssBytes)],
          ['usual / ours', '', formatRatio(usual.usualWallMs, usual.oursWallMs), formatRatio(usual.usualPeakRssBytes, usual.oursPeakRssBytes)],
        ],
      ),
      '',
    );
  }

  const extras = [...(results.typecheck ? [results.typecheck] : []), ...results.extras];
  if (extras.length > 0) {
    out.push('## Other timings', '');
    out.push(
      table(
        ['what', 'runs', 'wall time', 'peak RSS', 'note'],
        extras.map((extra) => [extra.what, String(extra.runs), formatSeconds(extra.wallMs), extra.peakRssBytes === undefined ? '' : formatBytes(extra.peakRssBytes), extra.note ?? '']),
      ),
      '',
    );
  }

  out.push('## Lambda bundles', '');
  if (results.lambdas.length === 0) {
    out.push('No Lambda bundle (`*.zip` asset) was found in the synthesized output.', '');
  } else {
    out.push(
      'Each zip as synthesized (`cdktf.out/stacks/<id>/assets/...`); module load is the time to load its handler module in a fresh Node process (with the AWS SDK resolvable, as the Lambda Node runtime provides it), median of the runs.',
      '',
    );
    out.push(
      table(
        ['bundle', 'zip size', 'runs', 'module load', 'over the empty-handler floor'],
        [
          ...results.lambdas.map((lambda) => [
            `${lambda.name}<br>\`${lambda.asset}\``,
            formatBytes(lambda.zipBytes),
            String(lambda.runs),
            formatMilliseconds(lambda.loadMs),
            results.emptyHandlerLoadMs === undefined ? '' : `+${formatMilliseconds(lambda.loadMs - results.emptyHandlerLoadMs)}`,
          ]),
          ...(results.emptyHandlerLoadMs === undefined ? [] : [['floor: empty handler', '', '', formatMilliseconds(results.emptyHandlerLoadMs), '']]),
        ],
      ),
      '',
    );
  }

  out.push('## Targets', '');
  out.push(table(['target', 'measured', 'met'], evaluateTargets(results).map((outcome) => [outcome.target, outcome.measured, outcome.met ? 'met' : '**not met**'])), '');
  if (results.notes.length > 0) {
    out.push('## Notes', '', ...results.notes.map((note) => `- ${note}`), '');
  }
  return out.join('\n');
}

export interface PlotPoint {
  readonly mode: Mode;
  readonly members: number;
  readonly wallMs: number;
  readonly peakRssBytes: number;
}

const MODE_COLORS: Record<Mode, string> = { organizations: '#1f77b4', invitations: '#d62728' };
const PANEL = { width: 380, height: 300, left: 64, right: 16, top: 40, bottom: 48 } as const;

/** Ticks at 1, 2 and 5 of each decade that covers [low, high]. */
export function logTicks(low: number, high: number): number[] {
  const ticks: number[] = [];
  for (let decade = Math.floor(Math.log10(low)); decade <= Math.ceil(Math.log10(high)); decade++) {
    for (const step of [1, 2, 5]) {
      const value = step * 10 ** decade;
      if (value >= low * 0.999 && value <= high * 1.001) ticks.push(Number(value.toPrecision(3)));
    }
  }
  return ticks;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Two log-log panels side by side, synth wall time and peak RSS against the number of member
 * accounts, one line per mode, with the target as a dashed line. Plain SVG, no plotting library.
 */
export function renderSynthPlot(points: readonly PlotPoint[], title: string): string {
  if (points.length === 0) throw new Error('nothing to plot');
  const panels = [
    {
      label: 'synth wall time (s, log scale)',
      value: (point: PlotPoint) => point.wallMs / 1000,
      target: TARGETS.synthWallMs.invitations / 1000,
      targetLabel: `target ${TARGETS.synthWallMs.invitations / 1000} s (invitations; organizations ${TARGETS.synthWallMs.organizations / 1000} s)`,
    },
    { label: 'peak RSS (MB, log scale)', value: (point: PlotPoint) => point.peakRssBytes / 1024 ** 2, target: TARGETS.synthPeakRssBytes / 1024 ** 2, targetLabel: 'target 1 GB' },
  ];
  const members = points.map((point) => point.members);
  const [xLow, xHigh] = [Math.min(...members), Math.max(...members)];
  const width = PANEL.width * panels.length;
  const svg: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${PANEL.height + 30}" viewBox="0 0 ${width} ${PANEL.height + 30}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="16" text-anchor="middle" font-size="13">${escapeXml(title)}</text>`,
  ];
  panels.forEach((panel, index) => {
    const x0 = index * PANEL.width + PANEL.left;
    const x1 = (index + 1) * PANEL.width - PANEL.right;
    const y0 = PANEL.top;
    const y1 = PANEL.height - PANEL.bottom + PANEL.top / 2;
    const values = [...points.map(panel.value), panel.target];
    const [yLow, yHigh] = [Math.min(...values) / 1.5, Math.max(...values) * 1.5];
    const sx = (value: number) => (xHigh === xLow ? (x0 + x1) / 2 : x0 + ((Math.log(value) - Math.log(xLow)) / (Math.log(xHigh) - Math.log(xLow))) * (x1 - x0));
    const sy = (value: number) => y1 - ((Math.log(value) - Math.log(yLow)) / (Math.log(yHigh) - Math.log(yLow))) * (y1 - y0);
    const f = (value: number) => value.toFixed(1);
    svg.push(`<g>`);
    svg.push(`<rect x="${x0}" y="${y0}" width="${x1 - x0}" height="${y1 - y0}" fill="none" stroke="#999"/>`);
    for (const tick of logTicks(yLow, yHigh)) {
      svg.push(`<line x1="${x0}" x2="${x1}" y1="${f(sy(tick))}" y2="${f(sy(tick))}" stroke="#eee"/>`);
      svg.push(`<text x="${x0 - 4}" y="${f(sy(tick) + 4)}" text-anchor="end">${tick}</text>`);
    }
    for (const tick of [...new Set(members)].sort((a, b) => a - b)) {
      svg.push(`<text x="${f(sx(tick))}" y="${y1 + 14}" text-anchor="middle">${tick.toLocaleString('en-US')}</text>`);
    }
    svg.push(`<text x="${(x0 + x1) / 2}" y="${y1 + 30}" text-anchor="middle">member accounts (x 17 regions)</text>`);
    svg.push(`<text x="${(x0 + x1) / 2}" y="${y0 - 6}" text-anchor="middle" font-weight="bold">${escapeXml(panel.label)}</text>`);
    svg.push(`<line x1="${x0}" x2="${x1}" y1="${f(sy(panel.target))}" y2="${f(sy(panel.target))}" stroke="#2ca02c" stroke-dasharray="6 4"/>`);
    // At the left, where the smallest organizations sit far below any target, so no line crosses it.
    svg.push(`<text x="${x0 + 4}" y="${f(sy(panel.target) - 4)}" fill="#2ca02c">${panel.targetLabel}</text>`);
    for (const mode of ['organizations', 'invitations'] as const) {
      const line = points.filter((point) => point.mode === mode).sort((a, b) => a.members - b.members);
      if (line.length === 0) continue;
      const color = MODE_COLORS[mode];
      svg.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${line.map((point) => `${f(sx(point.members))},${f(sy(panel.value(point)))}`).join(' ')}"/>`);
      for (const point of line) svg.push(`<circle cx="${f(sx(point.members))}" cy="${f(sy(panel.value(point)))}" r="3" fill="${color}"/>`);
    }
    svg.push(`</g>`);
  });
  const legendY = PANEL.height + 20;
  (['organizations', 'invitations'] as const).forEach((mode, index) => {
    const x = width / 2 - 150 + index * 170;
    svg.push(`<line x1="${x}" x2="${x + 20}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${MODE_COLORS[mode]}" stroke-width="2"/>`);
    svg.push(`<text x="${x + 24}" y="${legendY}">${mode} mode</text>`);
  });
  svg.push('</svg>', '');
  return svg.join('\n');
}
