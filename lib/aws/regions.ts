/**
 * Regions of the commercial `aws` partition where GuardDuty runs. Opt-in regions must be enabled on
 * the account before anything can be deployed there; they are listed so a plan can say so instead of
 * failing half-way. Regions launched after this table was written go in `additionalRegions`.
 */
export const STANDARD_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
  'ca-central-1', 'sa-east-1',
  'eu-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-north-1',
  'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2',
] as const;

export const OPT_IN_REGIONS = [
  'af-south-1',
  'ap-east-1', 'ap-east-2', 'ap-south-2',
  'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7',
  'ca-west-1',
  'eu-central-2', 'eu-south-1', 'eu-south-2',
  'il-central-1', 'me-central-1', 'me-south-1', 'mx-central-1',
] as const;

/** AWS GovCloud (US), partition `aws-us-gov`: accounts and credentials of their own. */
export const GOVCLOUD_REGIONS = ['us-gov-west-1', 'us-gov-east-1'] as const;
/** AWS China (Beijing, Ningxia), partition `aws-cn`: accounts and credentials of their own. */
export const CHINA_REGIONS = ['cn-north-1', 'cn-northwest-1'] as const;

export const KNOWN_REGIONS: readonly string[] = [...STANDARD_REGIONS, ...OPT_IN_REGIONS, ...GOVCLOUD_REGIONS, ...CHINA_REGIONS];

/** Shape of a region name, for `additionalRegions` that this table does not know yet. */
export const REGION_NAME_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * The closest known name, when it is close enough to be a typo: at most two edits, or the known name
 * with something added (`s3Logs` for `s3`).
 */
export function closestName(input: string, candidates: readonly string[]): string | undefined {
  const lower = input.toLowerCase();
  const extended = candidates.find((candidate) => candidate.length >= 2 && lower.startsWith(candidate.toLowerCase()));
  if (extended) return extended;
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(input, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}
