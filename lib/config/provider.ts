import { compareVersions, PROVIDER_MAJOR, providerFloor, type ProviderInputs } from '../terraform/provider-version';
import type { Problem } from '../problems';

/**
 * A pinned `providerVersion` must be a provider the code is written for (major 6) and must have
 * everything the configuration switches on.
 */
export function checkProviderVersion(fields: ProviderInputs & { readonly providerVersion?: string }, file: string, problems: Problem[]): void {
  const pinned = fields.providerVersion;
  if (pinned === undefined) return;
  const major = Number(pinned.split('.')[0]);
  if (major !== PROVIDER_MAJOR) {
    problems.push({
      file,
      path: 'providerVersion',
      message: `must be a ${PROVIDER_MAJOR}.x version: the stacks are written for hashicorp/aws ${PROVIDER_MAJOR} (per-resource region); got ${JSON.stringify(pinned)}`,
    });
    return;
  }
  const floor = providerFloor(fields);
  if (compareVersions(pinned, floor.version) < 0) {
    problems.push({
      file,
      path: 'providerVersion',
      message: `must be ${floor.version} or newer: this configuration uses ${floor.feature.what}; got ${JSON.stringify(pinned)}`,
    });
  }
}
