import { iamRoleArnProblem, kmsKeyReferenceProblem, s3BucketNameProblem } from '../aws/names';
import type { Problem } from '../problems';
import type { Backend } from './schema';

/**
 * The state backend's settings reach more than Terraform: the bucket and key prefix make every
 * state file's S3 key, the role ARN goes into the revocation function's environment (its name is
 * protected there), the organization and workspace prefix make HCP Terraform API URLs
 * (examples/hcp-terraform/workspaces.sh), and all of them are printed in review.md. Each is held
 * to what its service accepts, so none can carry a path, a URL part or Markdown where a name goes.
 */

/** A part of a state key: letters, digits, `.`, `_`, `-` (S3's safe characters, less the ones shells and URLs treat specially). */
const KEY_PART = /^[A-Za-z0-9._-]+$/;
/** S3 keys have at most 1,024 bytes; `/<stack id>.tfstate` follows the prefix. */
export const MAX_KEY_PREFIX = 960;
/** HCP Terraform organization and workspace names: letters, digits, `_` and `-`. */
const HCP_NAME = /^[A-Za-z0-9_-]*$/;
/** Kept short: the longest stack id follows it in a workspace name. */
export const MAX_WORKSPACE_PREFIX = 50;
/** A DNS host name (RFC 1123 labels), with an optional port. */
const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(:\d{1,5})?$/;

export function checkBackend(backend: Backend | undefined, file: string, problems: Problem[]): void {
  const refuse = (field: string, message: string, value: string) => problems.push({ file, path: `backend.${field}`, message: `${message}; got ${JSON.stringify(value)}` });
  switch (backend?.type) {
    case 's3': {
      const bucket = s3BucketNameProblem(backend.bucket);
      if (bucket) refuse('bucket', bucket, backend.bucket);
      const prefix = keyPrefixProblem(backend.keyPrefix);
      if (prefix) refuse('keyPrefix', prefix, backend.keyPrefix);
      if (backend.roleArn !== undefined) {
        const role = iamRoleArnProblem(backend.roleArn);
        if (role) refuse('roleArn', `${role}: the role Terraform assumes for the state`, backend.roleArn);
      }
      if (backend.kmsKeyId !== undefined) {
        const key = kmsKeyReferenceProblem(backend.kmsKeyId, backend.region);
        if (key) refuse('kmsKeyId', key, backend.kmsKeyId);
      }
      return;
    }
    case 'cloud':
      if (!HCP_NAME.test(backend.organization)) {
        refuse('organization', "must be an HCP Terraform organization name: letters, digits, '_' or '-' (it goes into API URLs)", backend.organization);
      }
      if (!HCP_NAME.test(backend.workspacePrefix) || backend.workspacePrefix.length > MAX_WORKSPACE_PREFIX) {
        refuse(
          'workspacePrefix',
          `must be at most ${MAX_WORKSPACE_PREFIX} letters, digits, '_' or '-': with each stack id it makes a workspace name, which HCP Terraform's API URLs carry`,
          backend.workspacePrefix,
        );
      }
      if (backend.hostname !== undefined && !HOST_NAME.test(backend.hostname)) {
        refuse('hostname', 'must be a host name like "app.terraform.io", with an optional ":port" (no scheme, no path)', backend.hostname);
      }
      return;
    case 'local':
      // eslint-disable-next-line no-control-regex
      if (backend.path !== undefined && /[\u0000-\u001f\u007f]/.test(backend.path)) refuse('path', 'must be a folder path without control characters', backend.path);
      return;
  }
}

function keyPrefixProblem(prefix: string): string | undefined {
  const parts = prefix.replace(/\/$/, '').split('/');
  const shape = `must be 1-${MAX_KEY_PREFIX} characters: parts of letters, digits, '.', '_' or '-' separated by single '/' (no leading '/', no "." or ".." part), as it starts every state file's S3 key`;
  if (prefix.length === 0 || prefix.length > MAX_KEY_PREFIX || parts.some((part) => !KEY_PART.test(part) || part === '.' || part === '..')) return shape;
  return undefined;
}
