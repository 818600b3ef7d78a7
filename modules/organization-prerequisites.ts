import { DataAwsIamRoles } from '@cdktf/provider-aws/lib/data-aws-iam-roles';
import { DataAwsOrganizationsOrganization } from '@cdktf/provider-aws/lib/data-aws-organizations-organization';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Fn, Op, Token, ref, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';

/** A service that must have trusted access in AWS Organizations. */
export interface TrustedService {
  /** Its service principal, as `aws_service_access_principals` lists it. */
  readonly principal: string;
  /** What to tell the reader when it is missing: which service, and how to give it access. */
  readonly remedy: string;
}

export const TRUSTED_SERVICES = {
  guardDuty: {
    principal: 'guardduty.amazonaws.com',
    remedy:
      'GuardDuty has no trusted access in AWS Organizations. Designating the delegated administrator gives it; if it was taken away since, designate the administrator again from the management account (GuardDuty console, Settings, Delegated administrator), then plan again.',
  },
  malwareProtection: {
    principal: 'malware-protection.guardduty.amazonaws.com',
    remedy:
      'GuardDuty Malware Protection (protection.ebsMalware) has no trusted access in AWS Organizations, so the administrator cannot create its service-linked role in member accounts. In the management account turn on GuardDuty console, Settings, Delegated administrator, Permissions (or run `aws organizations enable-aws-service-access --service-principal malware-protection.guardduty.amazonaws.com`), then plan again.',
  },
  securityHub: {
    principal: 'securityhub.amazonaws.com',
    remedy:
      'Security Hub has no trusted access in AWS Organizations. Designating its delegated administrator gives it; if it was taken away since, designate the administrator again from the management account (Security Hub console, Settings, General), then plan again.',
  },
  detective: {
    principal: 'detective.amazonaws.com',
    remedy:
      'Detective has no trusted access in AWS Organizations. Designating its delegated administrator gives it; if it was taken away since, designate the administrator again from the management account (Detective console, Settings, General), then plan again.',
  },
} as const satisfies Record<string, TrustedService>;

/** Where GuardDuty's service-linked role lives in every account that has had GuardDuty. */
export const GUARDDUTY_SERVICE_ROLE_PATH = '/aws-service-role/guardduty.amazonaws.com/';

export interface OrganizationPrerequisitesProps {
  /** Provider of the organization's management account, which can read the organization. */
  readonly managementProvider: AwsProvider;
  /** The services that must have trusted access. */
  readonly trustedServices: readonly TrustedService[];
  /**
   * The resources that give those services trusted access (their delegations). The checks read after
   * them: on a first deploy, once the delegation exists; later, at plan time.
   */
  readonly after: readonly ITerraformDependable[];
  /**
   * The management account is enrolled as a GuardDuty member (listed in members), which GuardDuty
   * refuses unless the account has GuardDuty's service-linked role.
   * @default false
   */
  readonly managementEnrolled?: boolean;
  /**
   * The organization the configuration was written for (`organizationId`): a plan with the
   * credentials of another organization's management account fails before it changes anything there.
   * @default not checked
   */
  readonly organizationId?: string;
}

/**
 * Prerequisites checked, not only documented: postconditions on what the management account can read,
 * so a plan (or, on a first deploy, the apply right after the delegation) fails with a message that
 * says what is missing and what to do, instead of GuardDuty failing later in a member wave.
 */
export class OrganizationPrerequisites extends Construct {
  constructor(scope: Construct, id: string, props: OrganizationPrerequisitesProps) {
    super(scope, id);
    const dependsOn = [...props.after];
    if (props.organizationId !== undefined) {
      // Read with nothing to wait for, so it is read while planning: the plan stops before any change.
      new DataAwsOrganizationsOrganization(this, 'configured-organization', {
        provider: props.managementProvider,
        lifecycle: {
          postcondition: [
            {
              condition: Op.eq(ref('self.id'), props.organizationId),
              errorMessage: `The management account belongs to organization ${ref('self.id')}, not to ${props.organizationId} (organizationId in the configuration): these are another organization's credentials, or another organization's configuration.`,
            },
          ],
        },
      });
    }
    new DataAwsOrganizationsOrganization(this, 'organization', {
      provider: props.managementProvider,
      dependsOn,
      lifecycle: {
        postcondition: props.trustedServices.map((service) => ({
          // Expressions as cdktf tokens: literal text (a hand-written `${...}`) reaches Terraform as text.
          condition: Fn.contains(Token.asList(ref('self.aws_service_access_principals')), service.principal),
          errorMessage: service.remedy,
        })),
      },
    });
    if (props.managementEnrolled) {
      new DataAwsIamRoles(this, 'guardduty-service-role', {
        provider: props.managementProvider,
        pathPrefix: GUARDDUTY_SERVICE_ROLE_PATH,
        dependsOn,
        lifecycle: {
          postcondition: [
            {
              condition: Op.gte(Fn.lengthOf(ref('self.names')), 1),
              errorMessage:
                'The management account is listed in members, and GuardDuty enrolls it only when it has the GuardDuty service-linked role (AWSServiceRoleForAmazonGuardDuty). Enable GuardDuty once in the management account (any region), or run `aws iam create-service-linked-role --aws-service-name guardduty.amazonaws.com` there, then plan again.',
            },
          ],
        },
      });
    }
  }
}
