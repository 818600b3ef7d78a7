import * as path from 'node:path';
import type { Problem } from '../problems';
import { isDomainEntry, parseEntityList, type EntityListKind } from '../guardduty/entity-lists';
import { trustedOverlapProblems, type NamedList } from '../guardduty/lists';
import { readConfiguredFile, shownPath, type ConfigFolder } from './files';
import { silencingEntries, type ConfiguredList } from './silencing';

/** An entity list named in the configuration: as messages name it, resolved, and parsed. */
export interface EntityListFile extends NamedList {
  /** Absolute path, inside the configuration's folder. */
  readonly path: string;
}

/** The fields the entity list checks read; any of them may be missing when invalid. */
export interface EntityListFields {
  readonly threatEntitySets?: readonly ConfiguredList[];
  readonly trustedEntitySet?: ConfiguredList;
}

/**
 * Reads and checks `threatEntitySets` and `trustedEntitySet` with the same refusals as IP lists:
 * files inside the configuration's folder, one entry a line, GuardDuty's limits, no entry that
 * silently never raises a finding or silences a large part of the internet (unless acknowledged),
 * no threat entry the trusted set also holds.
 */
export function resolveEntityLists(
  fields: EntityListFields,
  file: string,
  folder: ConfigFolder,
  problems: Problem[],
): { threatEntitySets: EntityListFile[]; trustedEntitySet?: EntityListFile } {
  const resolve = (list: ConfiguredList, field: string, kind: EntityListKind): EntityListFile => {
    const shown = shownPath(list.file, folder);
    const read = readConfiguredFile(list.file, folder);
    if ('refused' in read) problems.push({ file, path: `${field}.file`, message: read.refused });
    const parsed = 'text' in read ? parseEntityList(read.text, shown, kind) : undefined;
    if (parsed) {
      problems.push(...parsed.problems);
      if (parsed.entries.length === 0 && parsed.problems.length === 0) {
        problems.push({ file: shown, message: 'lists no address, CIDR or domain; add one, or remove the list from the configuration' });
      }
      const addresses = parsed.entries.filter((entry) => !isDomainEntry(entry));
      problems.push(...silencingEntries(addresses, kind, list, { shown, field, configFile: file }));
    }
    return { name: list.name, file: shown, path: path.resolve(folder.dir, list.file), entries: parsed?.entries ?? [] };
  };

  const names = new Set<string>();
  const threatEntitySets = (fields.threatEntitySets ?? []).map((list, index) => {
    if (names.has(list.name)) problems.push({ file, path: `threatEntitySets[${index}].name`, message: `${JSON.stringify(list.name)} is used twice` });
    names.add(list.name);
    return resolve(list, `threatEntitySets[${index}]`, 'threat');
  });
  const trustedEntitySet = fields.trustedEntitySet ? resolve(fields.trustedEntitySet, 'trustedEntitySet', 'trusted') : undefined;
  problems.push(...trustedOverlapProblems(threatEntitySets, trustedEntitySet, 'the trusted entity set'));
  return { threatEntitySets, ...(trustedEntitySet ? { trustedEntitySet } : {}) };
}
