import type { Problem } from '../problems';

/**
 * The `tags` of the configuration against what AWS accepts on every resource, so a bad tag fails
 * here and not halfway through an apply (AWS "Tagging best practices", tag naming limits).
 */

/** Tags every resource gets from each stack's provider (`stacks/org-stack.ts`), before `tags`. */
export const DEFAULT_TAG_KEYS = ['ManagedBy', 'GuardDutyDeployment', 'Stack'] as const;

/** Tags on one resource, user and AWS-generated ones apart (`aws:` tags do not count). */
export const MAX_TAGS_PER_RESOURCE = 50;

/**
 * The most tags the product puts on one resource besides the default ones: the simulation's
 * instances have a `Name`, and the remediation writes two more on an instance it handles (and on
 * the snapshots it takes, beside the tags they copy from the volumes). A test checks this against
 * the synthesized stacks and the remediation's tags.
 */
export const PRODUCT_TAGS_PER_RESOURCE = 3;

export const MAX_CONFIGURED_TAGS = MAX_TAGS_PER_RESOURCE - DEFAULT_TAG_KEYS.length - PRODUCT_TAGS_PER_RESOURCE;

// Letters, digits and blanks in any script, and + - = . _ : / @ (what every tagging service takes).
const TAG_KEY = /^[\p{L}\p{M}\p{N}\p{Zs}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{M}\p{N}\p{Zs}_.:/=+\-@]{0,256}$/u;

/**
 * @param reservedKeys keys the product reads to decide what it may touch (the remediation's exemption
 * and marker tags): a default tag of that key would put it on everything the product creates (the
 * simulation's instances and roles included), so it is refused.
 */
export function tagProblems(tags: Readonly<Record<string, string>>, file: string, reservedKeys: readonly string[] = []): Problem[] {
  const problems: Problem[] = [];
  const entries = Object.entries(tags);
  if (entries.length > MAX_CONFIGURED_TAGS) {
    problems.push({
      file,
      path: 'tags',
      message: `${entries.length} tags; AWS takes ${MAX_TAGS_PER_RESOURCE} on a resource, and this product adds up to ${MAX_TAGS_PER_RESOURCE - MAX_CONFIGURED_TAGS} of its own (${DEFAULT_TAG_KEYS.join(', ')} and a few on some resources), so at most ${MAX_CONFIGURED_TAGS}`,
    });
  }
  for (const [key, value] of entries) {
    const at = `tags.${key}`;
    if (key.toLowerCase().startsWith('aws:')) {
      problems.push({ file, path: at, message: 'tag keys must not start with "aws:" (reserved by AWS)' });
    } else if (reservedKeys.includes(key)) {
      problems.push({ file, path: at, message: 'is a tag key the remediation reads (the exemption, handled-marker and isolation tags): as a default tag it would mark every resource of this deployment; choose another key' });
    } else if ((DEFAULT_TAG_KEYS as readonly string[]).includes(key)) {
      problems.push({ file, path: at, message: `is a tag this product sets itself (${DEFAULT_TAG_KEYS.join(', ')}); choose another key` });
    } else if (!TAG_KEY.test(key)) {
      problems.push({ file, path: at, message: `tag keys must be 1-128 letters, digits, blanks or + - = . _ : / @; got ${JSON.stringify(key)}` });
    }
    if (!TAG_VALUE.test(value)) {
      problems.push({ file, path: at, message: `tag values must be at most 256 letters, digits, blanks or + - = . _ : / @; got ${JSON.stringify(value)}` });
    }
  }
  return problems;
}
