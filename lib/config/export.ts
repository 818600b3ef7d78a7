import type { Problem } from '../problems';
import type { ExportAccount, RawConfig } from './schema';

/** The fields the export checks read; any of them may be missing when invalid. */
export interface ExportFields {
  readonly accounts?: Partial<RawConfig['accounts']>;
  readonly export?: RawConfig['export'];
}

/**
 * The log-archive account, and where the findings export keeps its bucket and key: an account named
 * there must be configured, and the log archive must be an account of its own.
 */
export function checkExportAccounts(fields: ExportFields, file: string, problems: Problem[]): void {
  const accounts = fields.accounts ?? {};
  const logArchive = accounts.logArchive;
  if (logArchive !== undefined) {
    const same = (['management', 'admin'] as const).find((role) => accounts[role] === logArchive);
    if (same) {
      problems.push({
        file,
        path: 'accounts.logArchive',
        message:
          same === 'admin'
            ? `must not be the admin account (${logArchive}): the admin account keeps the export by default; leave logArchive out`
            : `must not be the management account (${logArchive}): findings are kept out of the organization's root account`,
      });
    }
  }
  const exported = fields.export;
  if (!exported?.enabled) return;
  const used: [string, ExportAccount | undefined][] = [
    ['export.bucketAccount', exported.bucketAccount],
    ['export.keyAccount', exported.keyAccount],
  ];
  for (const [path, account] of used) {
    if (account === 'logArchive' && logArchive === undefined) {
      problems.push({ file, path, message: 'is "logArchive", but accounts.logArchive is not set: add the log-archive account id there' });
    }
  }
}

/** Where the export's bucket and key live, with defaults applied: the key goes with the bucket. */
export function exportAccounts(exported: Pick<RawConfig['export'], 'bucketAccount' | 'keyAccount'>): { bucket: ExportAccount; key: ExportAccount } {
  return { bucket: exported.bucketAccount, key: exported.keyAccount ?? exported.bucketAccount };
}
