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

/** The inline policy that revokes an exfiltrated role's sessions, as the lab names it. */
export const REVOKE_POLICY_NAME = 'RevokeOldSessions';
