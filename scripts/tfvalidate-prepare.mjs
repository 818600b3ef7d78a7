#!/usr/bin/env node
// Copies a synthesized cdktf.out, leaving out what the offline `terraform validate` of
// ../shared/tools/tfvalidate.mjs cannot check, so that it validates the rest of every stack:
//   - hashicorp/awscc: its provider blocks, required_providers entry and resources (awscc is not in
//     the local provider mirror, and `terraform init` of a stack that requires it fails);
//   - aws resource types newer than both the installed provider (5.x) and the bindings that tell
//     tfvalidate a v6-only type from a typo (6.25.0): their blocks are left out and named.
// Each left-out block is checked against its provider's schema in the tests instead
// (__tests__/fixtures/awscc/, __tests__/fixtures/aws/). Nothing else changes; every removal is printed.
//
// Usage: node scripts/tfvalidate-prepare.mjs <cdktf.out> <new folder>
// Then:  node ../shared/tools/tfvalidate.mjs <new folder>
// Node built-ins only.

import fs from 'node:fs';
import path from 'node:path';

/** aws resource types newer than the provider 5.x and the 6.25.0 bindings, with where their schema is checked. */
export const NEWER_AWS_TYPES = {
  aws_guardduty_malware_scan_settings: '__tests__/fixtures/aws/guardduty-malware-scan-settings.json',
};

/** One stack's JSON without awscc and the newer aws types; returns the new JSON and what was removed. */
export function withoutUncheckable(stack) {
  const copy = JSON.parse(JSON.stringify(stack));
  const removed = [];
  for (const [type, blocks] of Object.entries(copy.resource ?? {})) {
    const why = type.startsWith('awscc_') ? 'hashicorp/awscc is not installed here' : NEWER_AWS_TYPES[type] && `newer than the installed provider; schema checked in ${NEWER_AWS_TYPES[type]}`;
    if (!why) continue;
    for (const name of Object.keys(blocks)) removed.push({ address: `${type}.${name}`, why });
    delete copy.resource[type];
  }
  if (copy.resource && Object.keys(copy.resource).length === 0) delete copy.resource;
  if (copy.provider?.awscc) {
    for (const provider of copy.provider.awscc) removed.push({ address: `provider.awscc.${provider.alias ?? 'default'}`, why: 'hashicorp/awscc is not installed here' });
    delete copy.provider.awscc;
  }
  if (copy.terraform?.required_providers?.awscc) {
    removed.push({ address: 'terraform.required_providers.awscc', why: 'hashicorp/awscc is not installed here' });
    delete copy.terraform.required_providers.awscc;
  }
  const left = JSON.stringify(copy);
  const dangling = /\$\{awscc_|\$\{aws_guardduty_malware_scan_settings\./.exec(left);
  if (dangling) throw new Error(`a block that stays refers to a removed one (${dangling[0]}...)`);
  return { stack: copy, removed };
}

function main(argv) {
  const [from, to] = argv;
  if (!from || !to) {
    process.stderr.write('usage: node scripts/tfvalidate-prepare.mjs <cdktf.out> <new folder>\n');
    return 2;
  }
  if (fs.existsSync(to)) {
    process.stderr.write(`${to} exists already; name a new folder\n`);
    return 2;
  }
  fs.cpSync(from, to, { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(to, 'manifest.json'), 'utf8'));
  let count = 0;
  for (const [id, entry] of Object.entries(manifest.stacks)) {
    const file = path.join(to, entry.synthesizedStackPath ?? path.join('stacks', id, 'cdk.tf.json'));
    const { stack, removed } = withoutUncheckable(JSON.parse(fs.readFileSync(file, 'utf8')));
    if (removed.length === 0) continue;
    fs.writeFileSync(file, JSON.stringify(stack, null, 2));
    for (const { address, why } of removed) process.stdout.write(`${id}: left out ${address} (${why})\n`);
    count += removed.length;
  }
  process.stdout.write(`${count} block${count === 1 ? '' : 's'} left out; validate ${to} with tfvalidate\n`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
