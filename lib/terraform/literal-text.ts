import { randomBytes } from 'node:crypto';
import { LazyBase, TerraformElement, TerraformRemoteState, Token, Tokenization, type IResolvable, type IResolveContext, type TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';

/**
 * Terraform reads every string of a JSON configuration, and every key of a map in it, as a
 * template: `${...}` interpolates and `%{...}` is a directive, so a filter description of
 * `${file("/etc/passwd")}` would have `terraform plan` read and print that file. Text is data here:
 * every literal string of our stacks reaches the JSON with `${` escaped as `$${` and `%{` as `%%{`.
 *
 * Where: on the arguments of every Terraform element of a stack, before cdktf resolves them. At
 * that point the product's own Terraform expressions (references, cross-stack references, `Fn.*`,
 * the `sha256()` of a list) are cdktf tokens, and everything else is literal text: the
 * configuration, its CSV and list files, and the product's own fixed strings, none of which means
 * a template (the simulation's user data is written without `${`; an IAM policy variable written
 * plainly comes out as Terraform wants it, `$${aws:username}`). Values that `Lazy` produces at
 * synth time are product text too and get the same treatment. Not earlier: at load time the
 * configuration is also read by the review, the rollout and discover, which must print it as
 * written. Not later: once resolved, a reference and a `${` from the configuration look the same.
 *
 * How: in a string that also holds a token, cdktf reads `${` as the start of an expression of its
 * own and would render the token after it without its braces; so a literal run holding `${` is
 * replaced by a placeholder before resolution and the escaped text is put back in the resolved
 * JSON. `%{` means nothing to cdktf and is escaped in place.
 *
 * Not covered: string arguments of `Fn.*` calls, which cdktf quotes itself (escaping `${`); the
 * product passes list content only (validated addresses). The configuration cannot forge a token:
 * the loader refuses cdktf's token markers in its text (`lib/config/reserved-text.ts`).
 */

/** `${` -> `$${`, `%{` -> `%%{`: Terraform then reads the text as it is. */
export function escapeTemplate(text: string): string {
  return text.replace(/([$%])\{/g, '$1$1{');
}

/** cdktf's marker for a string token (`${TfToken[TOKEN.12]}`). */
const STRING_TOKEN = /\$\{TfToken\[[a-zA-Z0-9:._-]+\]\}/g;

// Private-use characters around a random word without digits or `e`, so that no placeholder looks
// like a token, a template or one of cdktf's encoded numbers, and no configuration can predict one.
const NONCE = [...randomBytes(12)].map((byte) => 'bcdfghjklmnpqrstvwxz'[byte % 20]).join('');
const PLACEHOLDER = new RegExp(`\uE000${NONCE}:(\\d+)\uE001`, 'g');

const escaped: string[] = [];
const placeholderOf = new Map<string, string>();
const protectedLazies = new WeakMap<IResolvable, string>();
const PROTECTED = Symbol('literal text protected');

function placeholder(text: string): string {
  let found = placeholderOf.get(text);
  if (found === undefined) {
    found = `\uE000${NONCE}:${escaped.length}\uE001`;
    escaped.push(escapeTemplate(text));
    placeholderOf.set(text, found);
  }
  return found;
}

/** A literal run of text, ready for cdktf to resolve around it. */
function protectLiteral(text: string): string {
  if (text.includes('${')) return placeholder(text);
  return text.includes('%{') ? escapeTemplate(text) : text;
}

const MARKER_START = '${TfToken[';

/** The token behind a marker (undefined when none answers to it), looked up once per marker. */
const tokenOfMarker = new Map<string, IResolvable | undefined>();
function markerToken(marker: string): IResolvable | undefined {
  if (!tokenOfMarker.has(marker)) tokenOfMarker.set(marker, Tokenization.reverseString(marker).firstToken);
  return tokenOfMarker.get(marker);
}

/**
 * Whether a string holds nothing to protect: no `%{`, no `${` but the markers of tokens, and no
 * `Lazy` among them. Most strings are references and pass here without allocating anything; a
 * large synth makes hundreds of thousands of them.
 */
function nothingToProtect(text: string): boolean {
  if (text.includes('%{')) return false;
  for (let index = text.indexOf('${'); index >= 0; ) {
    const end = text.startsWith(MARKER_START, index) ? text.indexOf(']}', index) : -1;
    if (end < 0) return false;
    const token = markerToken(text.slice(index, end + 2));
    if (!token || token instanceof LazyBase) return false;
    index = text.indexOf('${', end + 2);
  }
  return true;
}

function protectString(text: string): string {
  if (!text.includes('{') || nothingToProtect(text)) return text;
  let out = '';
  let last = 0;
  for (const match of text.matchAll(STRING_TOKEN)) {
    const token = markerToken(match[0]);
    // A marker no token answers to is text like any other.
    if (!token) continue;
    out += protectLiteral(text.slice(last, match.index)) + (token instanceof LazyBase ? protectedLazy(token) : match[0]);
    last = match.index + match[0].length;
  }
  return out + protectLiteral(text.slice(last));
}

/** Literal text of an element's arguments protected; tokens as they were. */
export function protectLiteralText(value: unknown): unknown {
  if (typeof value === 'string') return protectString(value);
  if (value instanceof LazyBase) return new ProtectedLazy(value);
  return copyOnChange(value, protectLiteralText, protectString);
}

/** The escaped text back in place of each placeholder of resolved JSON. */
export function restoreLiteralText<T>(resolved: T): T {
  if (escaped.length === 0) return resolved;
  return restore(resolved) as T;
}

function restore(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('\uE000') ? value.replace(PLACEHOLDER, (_, index: string) => escaped[Number(index)]) : value;
  return copyOnChange(value, restore);
}

/**
 * `value` with `map` applied to every string key and every item of its arrays and objects, copied
 * only where something changed: the arguments of a large synth are hundreds of megabytes as
 * objects, and nearly all of them have nothing to protect.
 */
function copyOnChange(value: unknown, map: (item: unknown) => unknown, mapKey: (key: string) => string = map as (key: string) => string): unknown {
  if (Array.isArray(value)) {
    const items = value.map(map);
    return items.some((item, index) => item !== value[index]) ? items : value;
  }
  if (value === null || typeof value !== 'object') return value;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  let changed = false;
  const entries = Object.entries(value).map(([key, item]): [string, unknown] => {
    const entry: [string, unknown] = [mapKey(key), map(item)];
    changed ||= entry[0] !== key || entry[1] !== item;
    return entry;
  });
  return changed ? Object.fromEntries(entries) : value;
}

/** A string `Lazy` whose produced text is protected like the rest (one token per `Lazy`). */
function protectedLazy(token: IResolvable): string {
  let marker = protectedLazies.get(token);
  if (marker === undefined) {
    marker = Token.asString(new ProtectedLazy(token));
    protectedLazies.set(token, marker);
  }
  return marker;
}

class ProtectedLazy implements IResolvable {
  readonly creationStack: string[];
  constructor(private readonly lazy: IResolvable) {
    this.creationStack = lazy.creationStack;
  }
  resolve(context: IResolveContext): unknown {
    return protectLiteralText(this.lazy.resolve(context));
  }
  toString(): string {
    return Token.asString(this);
  }
}

/**
 * Makes every Terraform element of `stack` hand cdktf its arguments with literal text protected.
 * Idempotent: call it before each resolution, so elements added since (cross-stack outputs and
 * remote states) are covered too.
 */
export function protectElements(stack: TerraformStack): void {
  for (const node of stack.node.findAll()) {
    if (!TerraformElement.isTerraformElement(node) || (node as Construct & { [PROTECTED]?: true })[PROTECTED]) continue;
    const element = node as TerraformElement & { [PROTECTED]?: true };
    const toTerraform = element.toTerraform.bind(element);
    element.toTerraform = () => {
      const json = toTerraform();
      const protectedJson = protectLiteralText(json) as typeof json;
      return element instanceof TerraformRemoteState ? keepCurrentWorkspace(json, protectedJson) : protectedJson;
    };
    element[PROTECTED] = true;
  }
}

/**
 * cdktf writes one Terraform expression of its own as text: the workspace of the remote state a
 * cross-stack reference reads, `${terraform.workspace}` (the workspace being planned). It stays an
 * expression; the rest of the data source, the backend's settings from the configuration, is text.
 */
const CURRENT_WORKSPACE = '${terraform.workspace}';

function keepCurrentWorkspace(json: any, protectedJson: any): any {
  for (const [name, source] of Object.entries<{ workspace?: unknown }>(json.data?.terraform_remote_state ?? {})) {
    if (source.workspace === CURRENT_WORKSPACE) protectedJson.data.terraform_remote_state[name].workspace = CURRENT_WORKSPACE;
  }
  return protectedJson;
}
