import { closeSync, constants, fstatSync, openSync, readFileSync, realpathSync, type Stats } from 'node:fs';
import * as path from 'node:path';

/**
 * Files the configuration names (`membersFile`, list files). The configuration changes by pull
 * request and is planned by a pipeline that can read anything on its runner, so a path in it may
 * only reach files inside the configuration's own folder: resolved against that folder (as
 * tsconfig, compose files and Terraform modules do), inside it after every symbolic link is
 * followed, a regular file, and not under a name starting with "." (`.git/`, `.env`: tools' settings
 * and secrets, never a list). A refused file is never read, and no message shows its content.
 */

/** The folder a configuration file's paths resolve against, and how messages name it. */
export interface ConfigFolder {
  /** Absolute path. */
  readonly dir: string;
  /** As messages show it: the configuration file's folder as the user named it, like `config/`. */
  readonly shown: string;
}

export function configFolder(configFile: string, cwd: string): ConfigFolder {
  const named = path.dirname(configFile);
  return { dir: path.resolve(cwd, named), shown: named === '.' ? './' : `${named.replace(/\/+$/, '')}/` };
}

/** How messages name a file of the configuration: where it is from the user's point of view. */
export function shownPath(written: string, folder: ConfigFolder): string {
  return path.isAbsolute(written) ? written : path.normalize(path.join(folder.shown, written));
}

export type FileRead = { readonly text: string } | { readonly refused: string };

/** Reads a file named by the configuration, or says why it may not be read. */
export function readConfiguredFile(written: string, folder: ConfigFolder): FileRead {
  const quoted = JSON.stringify(written);
  const outside = `${quoted} is outside ${folder.shown}, the configuration's folder; name a file inside it (paths are relative to that folder)`;
  const absolute = path.resolve(folder.dir, written);
  if (!isInside(folder.dir, absolute)) return { refused: outside };
  const hidden = (relative: string) => relative.split(path.sep).find((part) => part.startsWith('.'));
  const hiddenRefusal = (part: string) =>
    `${quoted} is ${part === path.basename(absolute) ? 'a hidden file' : 'in a hidden folder'} (${JSON.stringify(part)}): files are not read from names starting with "." (like .git/ or .env), which hold tools' settings and secrets; move it to a folder of its own`;
  const hiddenPart = hidden(path.relative(folder.dir, absolute));
  if (hiddenPart) return { refused: hiddenRefusal(hiddenPart) };

  let real: string;
  try {
    real = realpathSync(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { refused: `file ${quoted} not found in ${folder.shown} (paths are relative to the configuration's folder)` };
    return { refused: `cannot read ${quoted} (${code ?? (error as Error).message})` };
  }
  // The folder itself may sit behind a link (macOS's /tmp is /private/tmp): compare real paths.
  if (!isInside(realpathSync(folder.dir), real)) {
    return { refused: `${quoted} is a symbolic link to a file outside ${folder.shown}, the configuration's folder; copy the file into the folder instead` };
  }
  const realHidden = hidden(path.relative(realpathSync(folder.dir), real));
  if (realHidden) {
    return { refused: `${quoted} is a symbolic link into ${JSON.stringify(realHidden)}: files are not read from names starting with "." (like .git/ or .env), which hold tools' settings and secrets; copy the file into a folder of its own` };
  }

  // O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOFOLLOW: `real` has no link left, and
  // must not gain one between the check and the open. The type is checked on what was opened.
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    return { refused: `cannot read ${quoted} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { refused: `${quoted} is not a regular file (${fileKind(stats)})` };
    return { text: readFileSync(fd, 'utf8') };
  } finally {
    closeSync(fd);
  }
}

function isInside(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return relative === '' || (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative));
}

function fileKind(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a file';
}
