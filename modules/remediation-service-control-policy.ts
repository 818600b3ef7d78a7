import { OrganizationsPolicy } from '@cdktf/provider-aws/lib/organizations-policy';
import { OrganizationsPolicyAttachment } from '@cdktf/provider-aws/lib/organizations-policy-attachment';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { instanceKey } from '../lib/terraform/addresses';
import { eachReference, Instances, KeyedBlocks } from '../lib/terraform/instances';

export interface RemediationServiceControlPolicyProps {
  /** Provider of the management account. */
  readonly provider: AwsProvider;
  /** The policy's name; documents after the first take `-2`, `-3`. */
  readonly policyName: string;
  /** The policy documents (lib/remediation/service-control-policy.ts), usually one. */
  readonly documents: readonly string[];
  /** Accounts, organizational units or the root to attach every document to. */
  readonly targets: readonly string[];
}

/**
 * The remediation's service control policy and its attachments, keyed from the start
 * (`aws_organizations_policy.remediation_tags["1"]`, `aws_organizations_policy_attachment.remediation_tags["1/333333333333"]`),
 * so adding a target or a document adds instances and moves none.
 */
export class RemediationServiceControlPolicy extends Construct {
  readonly policy: OrganizationsPolicy;

  constructor(scope: Construct, id: string, props: RemediationServiceControlPolicyProps) {
    super(scope, id);
    const { provider } = props;
    const parts = Instances.of(
      props.documents.map((content, index) => ({ part: String(index + 1), content })),
      (document) => document.part,
      (document) => ({ name: document.part === '1' ? props.policyName : `${props.policyName}-${document.part}`, content: document.content }),
    );
    this.policy = KeyedBlocks.add(
      new OrganizationsPolicy(this, 'policy', {
        forEach: parts,
        provider,
        name: parts.value('name'),
        description: "Reserves the GuardDuty remediation's exemption, marker and isolation tags and its revocation policies for the security team",
        type: 'SERVICE_CONTROL_POLICY',
        content: parts.value('content'),
      }),
      'remediation_tags',
      parts,
    );
    const attachments = Instances.of(
      parts.keys().flatMap((part) => props.targets.map((target) => ({ part, target }))),
      (attachment) => instanceKey(attachment.part, attachment.target),
      (attachment) => attachment,
    );
    KeyedBlocks.add(
      new OrganizationsPolicyAttachment(this, 'attachment', {
        forEach: attachments,
        provider,
        policyId: eachReference(this.policy, 'each.value.part', 'id'),
        targetId: attachments.value('target'),
      }),
      'remediation_tags',
      attachments,
    );
  }
}
