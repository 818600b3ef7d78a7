import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './synth';

/*
 * The AWS calls a part of the product makes, read from its sources: every `new <Operation>Command(`
 * of an AWS SDK v3 client, as the IAM action that authorizes it. A new call in the sources shows up
 * here without anyone listing it, so the policies meant for it are tested against what the code does.
 */

/** The IAM service prefix of each SDK client package the product uses. */
const IAM_SERVICE_OF_CLIENT: Readonly<Record<string, string>> = {
  '@aws-sdk/client-detective': 'detective',
  '@aws-sdk/client-ec2': 'ec2',
  '@aws-sdk/client-eventbridge': 'events',
  '@aws-sdk/client-guardduty': 'guardduty',
  '@aws-sdk/client-iam': 'iam',
  '@aws-sdk/client-lambda': 'lambda',
  '@aws-sdk/client-organizations': 'organizations',
  '@aws-sdk/client-securityhub': 'securityhub',
  '@aws-sdk/client-sns': 'sns',
  '@aws-sdk/client-sts': 'sts',
};

/**
 * API operations whose IAM action is spelled otherwise (Service Authorization Reference): Detective's
 * ListOrganizationAdminAccounts is authorized by `detective:ListOrganizationAdminAccount`.
 */
const ACTION_OF_OPERATION: Readonly<Record<string, string>> = {
  'detective:ListOrganizationAdminAccounts': 'detective:ListOrganizationAdminAccount',
};

/** The IAM action of `<service>:<Operation>` (or `<service>:<Operation>Command`). */
export function iamActionOf(call: string): string {
  const operation = call.replace(/Command$/, '');
  return ACTION_OF_OPERATION[operation] ?? operation;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sourceFiles(file);
    return name.endsWith('.ts') ? [file] : [];
  });
}

/**
 * Every IAM action the sources under `paths` (relative to the repository; files or folders) call,
 * with the files that call it. `fake-*` files (test doubles shipped beside a command) are left out.
 */
export function sdkCalls(paths: readonly string[]): Map<string, string[]> {
  const calls = new Map<string, string[]>();
  const files = paths.flatMap((entry) => {
    const full = path.join(REPO_ROOT, entry);
    return statSync(full).isDirectory() ? sourceFiles(full) : [full];
  });
  for (const file of files.filter((name) => !path.basename(name).startsWith('fake-'))) {
    const text = readFileSync(file, 'utf8');
    // `import { A, B as C, type D } from '@aws-sdk/client-x'`: local name -> service:Operation
    const local = new Map<string, string>();
    for (const match of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'(@aws-sdk\/client-[a-z0-9-]+)'/g)) {
      const service = IAM_SERVICE_OF_CLIENT[match[2]];
      if (!service) throw new Error(`${file}: no IAM service known for ${match[2]}; add it to IAM_SERVICE_OF_CLIENT`);
      for (const part of match[1].split(',').map((name) => name.trim().replace(/^type\s+/, ''))) {
        const [imported, alias] = part.split(/\s+as\s+/);
        if (imported.endsWith('Command')) local.set(alias ?? imported, `${service}:${imported}`);
      }
    }
    for (const match of text.matchAll(/new\s+([A-Za-z0-9]+Command)\s*\(/g)) {
      const call = local.get(match[1]);
      if (!call) throw new Error(`${path.relative(REPO_ROOT, file)}: new ${match[1]}( of no imported AWS SDK client`);
      const action = iamActionOf(call);
      calls.set(action, [...new Set([...(calls.get(action) ?? []), path.relative(REPO_ROOT, file)])]);
    }
  }
  return calls;
}
