import { EC2_MALICIOUS_IP_CALLER_TYPES, IAM_USER_MALICIOUS_IP_CALLER_TYPES, INSTANCE_CREDENTIAL_EXFILTRATION_TYPES } from './contract';
import { FINDING_DETAIL_TYPE, FINDING_SOURCE, type EventPattern, type InputTransformer } from '../guardduty/findings';

/**
 * The sandbox's remediation rules, named as in the lab, with the e-mail each sends (an input
 * transformer on the SNS target, in the lab's `GuardDuty Finding | ID:<id>: ...` wording). Pure data,
 * so tests evaluate patterns and messages against finding fixtures.
 */
export interface RemediationRule {
  /** Stable key: construct ids and Lambda permission ids. */
  readonly key: 'ec2-malicious-ip-caller' | 'iam-user-malicious-ip-caller' | 'instance-credential-exfiltration';
  /** The lab's rule name. */
  readonly name: string;
  readonly description: string;
  readonly findingTypes: readonly string[];
  readonly email: InputTransformer;
}

export const EC2_MALICIOUS_IP_CALLER_RULE: RemediationRule = {
  key: 'ec2-malicious-ip-caller',
  name: 'GuardDuty-Event-EC2-MaliciousIPCaller',
  description: 'An EC2 instance talks to an IP address on the custom threat list: isolate it and e-mail',
  findingTypes: EC2_MALICIOUS_IP_CALLER_TYPES,
  email: {
    inputPaths: { id: '$.detail.id', instanceId: '$.detail.resource.instanceDetails.instanceId' },
    inputTemplate: '"GuardDuty Finding | ID:<id>: The EC2 instance <instanceId> may be compromised and should be investigated"',
  },
};

export const IAM_USER_MALICIOUS_IP_CALLER_RULE: RemediationRule = {
  key: 'iam-user-malicious-ip-caller',
  name: 'GuardDuty-Event-IAMUser-MaliciousIPCaller',
  description: 'An IAM user key calls AWS from an IP address on the custom threat list: e-mail (and deactivate the key if configured)',
  findingTypes: IAM_USER_MALICIOUS_IP_CALLER_TYPES,
  email: {
    inputPaths: {
      id: '$.detail.id',
      userName: '$.detail.resource.accessKeyDetails.userName',
      accessKeyId: '$.detail.resource.accessKeyDetails.accessKeyId',
      api: '$.detail.service.action.awsApiCallAction.api',
      ip: '$.detail.service.action.awsApiCallAction.remoteIpDetails.ipAddressV4',
    },
    inputTemplate:
      '"GuardDuty Finding | ID:<id>: The IAM user <userName> (access key <accessKeyId>) called <api> from <ip>, an IP address on a threat list that you uploaded; the user may be compromised and should be investigated"',
  },
};

export const INSTANCE_CREDENTIAL_EXFILTRATION_RULE: RemediationRule = {
  key: 'instance-credential-exfiltration',
  name: 'GuardDuty-Event-IAMUser-InstanceCredentialExfiltration',
  description: "An instance role's credentials are used outside the instance: revoke the role's sessions and e-mail",
  findingTypes: INSTANCE_CREDENTIAL_EXFILTRATION_TYPES,
  email: {
    inputPaths: {
      id: '$.detail.id',
      roleName: '$.detail.resource.accessKeyDetails.userName',
      instanceId: '$.detail.resource.instanceDetails.instanceId',
      ip: '$.detail.service.action.awsApiCallAction.remoteIpDetails.ipAddressV4',
    },
    inputTemplate:
      '"GuardDuty Finding | ID:<id>: The credentials of the instance role <roleName> (EC2 instance <instanceId>) were used from <ip>; they may be compromised and should be investigated"',
  },
};

export const REMEDIATION_RULES: readonly RemediationRule[] = [
  EC2_MALICIOUS_IP_CALLER_RULE,
  IAM_USER_MALICIOUS_IP_CALLER_RULE,
  INSTANCE_CREDENTIAL_EXFILTRATION_RULE,
];

/**
 * The findings of one rule, of the sandbox account only, and never GuardDuty's sample findings
 * (`detail.service.additionalInfo.sample: true`, from CreateSampleFindings): those are e-mailed by the
 * central notifications like any finding, but never remediated. The Lambdas check both again (and
 * also skip a sample flagged inside `additionalInfo.value`, which a pattern cannot read).
 */
export function remediationPattern(rule: RemediationRule, accountId: string): EventPattern {
  return {
    source: [FINDING_SOURCE],
    'detail-type': [FINDING_DETAIL_TYPE],
    account: [accountId],
    detail: {
      type: [...rule.findingTypes],
      service: { additionalInfo: { sample: [false, { exists: false }] } },
    },
  };
}

/** CloudWatch alarms of the remediation entering ALARM, as EventBridge reports them. */
export function alarmPattern(alarmArns: readonly string[]): EventPattern {
  return {
    source: ['aws.cloudwatch'],
    'detail-type': ['CloudWatch Alarm State Change'],
    resources: [...alarmArns],
    detail: { state: { value: ['ALARM'] } },
  };
}

/** The alarm e-mail: which alarm, and CloudWatch's reason. */
export const ALARM_EMAIL: InputTransformer = {
  inputPaths: { alarm: '$.detail.alarmName', reason: '$.detail.state.reason', description: '$.detail.configuration.description' },
  inputTemplate: '"GuardDuty Remediation alarm <alarm>: <description> (<reason>)"',
};
