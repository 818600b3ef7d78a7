/**
 * The GuardDuty finding types the sandbox remediation answers, shared by the EventBridge rules that
 * select them and the Lambdas that refuse anything else: one list, so the two cannot drift apart.
 */

/** Scenario 1: an instance talks to an IP address on the custom threat list. */
export const EC2_MALICIOUS_IP_CALLER_TYPES = ['UnauthorizedAccess:EC2/MaliciousIPCaller.Custom'] as const;

/** Scenario 2: an IAM user's access key calls AWS APIs from an IP address on the custom threat list. */
export const IAM_USER_MALICIOUS_IP_CALLER_TYPES = [
  'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom',
  'Recon:IAMUser/MaliciousIPCaller.Custom',
] as const;

/**
 * Scenario 3: an instance role's credentials are used elsewhere. GuardDuty split the original type
 * into `.OutsideAWS` and `.InsideAWS`; the unsuffixed type still appears in older findings and
 * sample findings, so it stays in the list.
 */
export const INSTANCE_CREDENTIAL_EXFILTRATION_TYPES = [
  'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
  'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS',
  'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration',
] as const;

/** Tags the isolation writes on the instance and its forensic snapshots. */
export const FINDING_ID_TAG = 'GuardDutyFindingId';
export const FINDING_TIME_TAG = 'GuardDutyFindingTime';
export const FORENSIC_INSTANCE_TAG = 'GuardDutyForensicInstance';

/**
 * Tag key that marks the security groups the isolation Lambda created and may attach. The Lambda's
 * role may only create, change and attach groups that carry it.
 */
export const REMEDIATION_GROUP_TAG = 'GuardDutyRemediation';
export const FORENSIC_GROUP_PURPOSE = 'forensic';
export const TRANSITION_GROUP_PURPOSE = 'untrack';

/**
 * The durable record of an isolation on each network interface, written before its first move: its
 * state (`pending` until it is alone in the forensic group, then `isolated`), when a run last worked
 * on it, and the groups it had before (space-separated ids; a second key holds what does not fit in
 * one 256-character tag value). A later run, or the scheduled sweep, finishes from it.
 */
export const ISOLATION_STATE_TAG = 'GuardDutyIsolationState';
export const ISOLATION_UPDATED_TAG = 'GuardDutyIsolationUpdated';
export const OWN_GROUPS_TAGS = ['GuardDutyIsolationOwnGroups', 'GuardDutyIsolationOwnGroups2'] as const;
export const ISOLATION_PENDING = 'pending';
export const ISOLATION_DONE = 'isolated';

/** The tag keys the isolation writes on a network interface, and no other. */
export const INTERFACE_RECORD_TAGS = [ISOLATION_STATE_TAG, ISOLATION_UPDATED_TAG, ...OWN_GROUPS_TAGS, FINDING_ID_TAG] as const;

/**
 * The revocation's deny policies are managed policies under this path, one per revocation, named
 * `RevokeOldSessions-<role>-<cut-off>`; the revocation role may create and attach policies under this
 * path only. As the lab names the inline policy, the name starts with `RevokeOldSessions`.
 */
export const REVOCATION_POLICY_PATH = '/guardduty-remediation/';
export const REVOKE_POLICY_NAME = 'RevokeOldSessions';

/**
 * Every tag key the remediation reads to decide what it may touch, besides the configured exemption
 * tag: reserved for the security team by the service control policy, and refused in `tags`.
 */
export const RESERVED_EC2_TAG_KEYS = [FINDING_ID_TAG, FINDING_TIME_TAG, REMEDIATION_GROUP_TAG, FORENSIC_INSTANCE_TAG, ISOLATION_STATE_TAG, ISOLATION_UPDATED_TAG, ...OWN_GROUPS_TAGS] as const;
export const RESERVED_IAM_TAG_KEYS = [FINDING_ID_TAG, FINDING_TIME_TAG] as const;
