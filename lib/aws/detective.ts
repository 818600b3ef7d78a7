/**
 * Amazon Detective facts shared by the configuration checks, the stacks and the README: the shape
 * of a behavior graph ARN and the console link to a GuardDuty finding's profile.
 */

/** `arn:aws:detective:<region>:<account>:graph:<32 hex>` */
export const GRAPH_ARN = /^arn:aws[a-z-]*:detective:([a-z0-9-]+):(\d{12}):graph:([0-9a-f]{32})$/;

export function parseGraphArn(arn: string): { region: string; accountId: string } | undefined {
  const match = GRAPH_ARN.exec(arn);
  return match ? { region: match[1], accountId: match[2] } : undefined;
}

/** Entity types Detective accepts in a profile URL. */
export type DetectiveEntityType = 'AwsAccount' | 'AwsRole' | 'AwsRoleSession' | 'AwsUser' | 'Ec2Instance' | 'FederatedUser' | 'IpAddress' | 'UserAgent';

export interface ScopeTime {
  /** Epoch seconds. */
  readonly start?: number;
  /** Epoch seconds. */
  readonly end?: number;
}

/**
 * The Detective console page of a GuardDuty finding (`findings/GuardDuty/<finding id>`) or of an
 * entity (`entities/<type>/<id>`), as documented in the Detective user guide ("Navigating to a
 * profile using a URL"). Without a scope time, a finding opens on its first and last observed times.
 */
export function detectiveProfileUrl(
  region: string,
  target: { readonly findingId: string } | { readonly entityType: DetectiveEntityType; readonly entityId: string },
  scope: ScopeTime = {},
): string {
  const path = 'findingId' in target ? `findings/GuardDuty/${target.findingId}` : `entities/${target.entityType}/${encodeURIComponent(target.entityId)}`;
  const parameters = [
    ...(scope.start === undefined ? [] : [`scopeStart=${scope.start}`]),
    ...(scope.end === undefined ? [] : [`scopeEnd=${scope.end}`]),
  ];
  return `https://console.aws.amazon.com/detective/home?region=${region}#${path}${parameters.length ? `?${parameters.join('&')}` : ''}`;
}
