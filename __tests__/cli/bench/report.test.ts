import {
  bundleName,
  evaluateTargets,
  growthExponent,
  logTicks,
  renderResultsMarkdown,
  renderSynthPlot,
  type BenchResults,
  type SynthResult,
} from '../../../cli/bench/report';

const GB = 1024 ** 3;

function synth(overrides: Partial<SynthResult>): SynthResult {
  return {
    mode: 'organizations',
    members: 10,
    regions: 17,
    runs: 3,
    wallMs: 1500,
    peakRssBytes: 0.15 * GB,
    stacks: 8,
    totalResources: 500,
    largestStack: { id: 'admin', resources: 240 },
    outputBytes: 1024 ** 2,
    floorMs: 12,
    ...overrides,
  };
}

function results(overrides: Partial<BenchResults> = {}): BenchResults {
  return {
    machine: { cpu: 'AMD EPYC', cores: 2, memoryBytes: 24 * GB, node: 'v20.20.2', os: 'Linux 6.1', date: '2026-11-22T06:30:00Z', loadBefore: '3.10, 2.00, 1.00', loadAfter: '2.50, 2.10, 1.20' },
    command: 'node --import tsx main.ts',
    source: 'commit 1234567',
    rssProbe: 'gnu-time',
    synth: [
      synth({}),
      synth({ members: 1000, wallMs: 25_000, peakRssBytes: 1.2 * GB, largestStack: { id: 'members-wave-3', resources: 1700 } }),
      synth({ mode: 'invitations', members: 1000, wallMs: 45_000, peakRssBytes: 1.5 * GB }),
    ],
    extras: [],
    lambdas: [{ asset: 'stacks/sandbox-remediation/assets/lambda-code-be47/be47/isolate-instance-be47fcb58fae5cd4.zip', name: 'isolate-instance (sandbox-remediation)', zipBytes: 600 * 1024, runs: 10, loadMs: 40 }],
    emptyHandlerLoadMs: 2,
    totalMs: 400_000,
    notes: [],
    ...overrides,
  };
}

describe('benchmark targets', () => {
  it('reports each target as met or not from the measured values', () => {
    const outcomes = evaluateTargets(
      results({
        synth: [
          synth({}),
          synth({ members: 1000, wallMs: 4_000, floorMs: 500, largestStack: { id: 'members-wave-3', resources: 1700 } }),
          synth({ mode: 'invitations', members: 1000, wallMs: 14_000, peakRssBytes: 0.9 * GB, floorMs: 1_000 }),
        ],
        example: { runs: 5, wallMs: 1_600, peakRssBytes: 0.15 * GB, firstWallMs: 2_500 },
      }),
    );
    expect(outcomes.map((outcome) => [outcome.target, outcome.met])).toEqual([
      ['1,000 accounts x 17 regions, organizations: synth in at most 5.00 s', true],
      ['1,000 accounts x 17 regions, invitations: synth in at most 15.0 s and 1.00 GB', true],
      ['1,000 accounts x 17 regions, organizations: synth / floor at most 10x', true],
      ['1,000 accounts x 17 regions, invitations: synth / floor at most 10x', false],
      ['the shipped example (config/org.json): synth in at most 1.50 s', false],
      ['no stack holds more than 2,000 resources', true],
      ['isolate-instance (sandbox-remediation): zip under 500.0 KB, module load under 150 ms', false],
    ]);
    expect(outcomes[1].measured).toBe('14.0 s, 922 MB');
    expect(outcomes[3].measured).toBe('14x');
    expect(outcomes[4].measured).toBe('1.60 s (first synth, building the Lambda bundles: 2.50 s)');
  });

  it('counts a size that was not measured, or missing bundles, as not met', () => {
    const outcomes = evaluateTargets({ synth: [synth({})], lambdas: [] });
    expect(outcomes.filter((outcome) => !outcome.met).map((outcome) => outcome.measured)).toEqual([
      'not measured',
      'not measured',
      'not measured',
      'not measured',
      'not measured',
      'no Lambda bundle in the synthesized output',
    ]);
  });

  it('fails the memory target on its own', () => {
    const outcome = evaluateTargets({ synth: [synth({ mode: 'invitations', members: 1000, wallMs: 10_000, peakRssBytes: 1.1 * GB })], lambdas: [] })[1];
    expect(outcome.target).toContain('invitations');
    expect(outcome.met).toBe(false);
  });
});

describe('benchmark report', () => {
  it('names a bundle by its function and stack, without the content hash', () => {
    expect(bundleName('stacks/sandbox-remediation/assets/lambda-code-b25c4047f6db20ea/b25c40/revoke-role-sessions-b25c4047f6db20ea.zip')).toBe('revoke-role-sessions (sandbox-remediation)');
    expect(bundleName('elsewhere/archive.zip')).toBe('archive');
  });

  it('compares the usual setup both ways round', () => {
    const usual = { mode: 'organizations' as const, members: 100, runs: 2, oursWallMs: 5000, oursPeakRssBytes: 0.2 * GB, usualWallMs: 35_000, usualPeakRssBytes: 1.6 * GB, sameOutput: true };
    const markdown = renderResultsMarkdown(results({ usual }), 'synth.svg');
    expect(markdown).toContain('| ours / usual |  | 0.14x | 0.13x |');
    expect(markdown).toContain('| usual / ours |  | 7.0x | 8.0x |');
    expect(markdown).not.toContain('the import alone');
    const withImportAlone = renderResultsMarkdown(results({ usual: { ...usual, rootImportWallMs: 12_000, rootImportPeakRssBytes: 0.8 * GB } }), 'synth.svg');
    expect(withImportAlone).toContain('| tsx, package-root imports (the import alone) | 2 | 12.0 s | 819 MB |');
    expect(markdown).toContain('it synthesized the same stacks with the same resource counts');
    expect(renderResultsMarkdown(results({ usual: { ...usual, sameOutput: false } }), 'synth.svg')).toContain('**its output differed from ours**');
  });

  it('measures growth as the log-log slope: 1 linear, 2 quadratic', () => {
    expect(growthExponent({ members: 100, wallMs: 1000 }, { members: 1000, wallMs: 10_000 })).toBeCloseTo(1);
    expect(growthExponent({ members: 100, wallMs: 1000 }, { members: 1000, wallMs: 100_000 })).toBeCloseTo(2);
  });

  it('writes the machine, one row per synth, the ratios and the targets', () => {
    const markdown = renderResultsMarkdown(results(), 'synth.svg');
    expect(markdown).toContain('| AMD EPYC | 2 | 24.00 GB | v20.20.2 |');
    expect(markdown).toContain('| invitations | 1,000 | 17 | 3 | 45.0 s | 1.50 GB |');
    expect(markdown).toContain('| 1,000 | 17 | 3 | 25.0 s | 1.20 GB | 8 | 500 | 50.0 s | 1,700 (members-wave-3) |');
    expect(markdown).toContain('| 12.0 ms | 125x |');
    expect(markdown).toContain('![synth time and peak memory against organization size](synth.svg)');
    expect(markdown).toContain('| isolate-instance (sandbox-remediation)<br>`stacks/sandbox-remediation/assets/lambda-code-be47/be47/isolate-instance-be47fcb58fae5cd4.zip` | 600.0 KB | 10 | 40.0 ms | +38.0 ms |');
    expect(markdown).toMatch(/1,000 accounts x 17 regions, invitations.*\| \*\*not met\*\* \|/);
    expect(markdown).not.toContain('## The shipped example');
    const withExample = renderResultsMarkdown(results({ example: { runs: 5, wallMs: 1_200, peakRssBytes: 0.15 * GB, firstWallMs: 2_400 } }), 'synth.svg');
    expect(withExample).toContain('| first, building the Lambda bundles | 1 | 2.40 s |  |\n| with the bundles on disk | 5 | 1.20 s | 154 MB |');
  });

  it('says when the machine was loaded, and not when it was idle', () => {
    expect(renderResultsMarkdown(results(), 'synth.svg')).toContain('loaded 2-core machine');
    const idle = results({ machine: { ...results().machine, loadBefore: '0.20, 0.10, 0.00', loadAfter: '0.90, 0.50, 0.20' } });
    expect(renderResultsMarkdown(idle, 'synth.svg')).not.toContain('loaded 2-core machine');
    // The benchmark's own load shows in the load after it, not in the one before.
    const busyOnlyWithItself = results({ machine: { ...results().machine, loadBefore: '0.02, 0.17, 1.15', loadAfter: '1.95, 1.10, 1.27' } });
    expect(renderResultsMarkdown(busyOnlyWithItself, 'synth.svg')).not.toContain('loaded 2-core machine');
  });
});

describe('synth plot', () => {
  const points = results().synth;

  it('draws one line per mode in each panel, with the targets', () => {
    const svg = renderSynthPlot(points, 'Synth');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(4);
    expect(svg.match(/<circle /g)).toHaveLength(6);
    expect(svg).toContain('target 15 s (invitations; organizations 5 s)');
    expect(svg).toContain('target 1 GB');
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it('draws a single size without dividing by zero', () => {
    expect(renderSynthPlot([points[0]], 'one')).not.toMatch(/NaN|Infinity/);
  });

  it('escapes the title', () => {
    expect(renderSynthPlot(points, 'a < b & c')).toContain('a &lt; b &amp; c');
  });

  it('puts ticks at 1, 2 and 5 of each decade in range', () => {
    expect(logTicks(0.8, 60)).toEqual([1, 2, 5, 10, 20, 50]);
    expect(logTicks(100, 2048)).toEqual([100, 200, 500, 1000, 2000]);
  });
});
