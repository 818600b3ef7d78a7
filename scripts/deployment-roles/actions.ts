/**
 * The IAM actions Terraform's AWS provider needs to create, read (refresh, import), update and delete
 * each resource and data source type the stacks synthesize. Sources: the API calls of each type's
 * create/read/update/delete functions in the AWS provider (hashicorp/terraform-provider-aws,
 * internal/service/<service>/<type>.go, 5.x and 6.x), spelled as the Service Authorization Reference
 * names their IAM actions (where an API call and its action differ, the action is written:
 * `s3:GetLifecycleConfiguration` for GetBucketLifecycleConfiguration, `s3:PutBucketOwnershipControls`
 * for DeleteBucketOwnershipControls). Where the provider moved from an old API name to a new one
 * (GuardDuty and Security Hub's "master" calls), both actions are listed, so that every provider the
 * stacks allow works.
 *
 * `__tests__/examples/deployment-roles.test.ts` checks that every type the configurations synthesize
 * has an entry, that every action exists, and that the roles template grants exactly these.
 */

export interface TypeActions {
  readonly create: readonly string[];
  /** What a plan's refresh calls: the read-only role grants these and nothing else. */
  readonly read: readonly string[];
  readonly update: readonly string[];
  readonly delete: readonly string[];
  /** Services a role of the stacks is passed to when this type is created or updated (`iam:PassRole`, `iam:PassedToService`). */
  readonly passRoleTo?: readonly string[];
  /** Service-linked roles the service creates on first use (`iam:CreateServiceLinkedRole`, `iam:AWSServiceName`). */
  readonly serviceLinkedRoles?: readonly string[];
}

const GUARDDUTY_TAGS = ['guardduty:TagResource', 'guardduty:UntagResource'];
/** GuardDuty writes an inline policy on its service-linked role to read a list file (user guide: "Permissions required to upload lists"). */
const GUARDDUTY_LIST_ROLE = ['iam:PutRolePolicy', 'iam:DeleteRolePolicy'];
/** Delegating an administrator enables the service's trusted access and registers the account (each service's "designate a delegated administrator" permissions). */
const DELEGATION = ['organizations:EnableAWSServiceAccess', 'organizations:RegisterDelegatedAdministrator', 'organizations:DescribeOrganization'];
const DELEGATION_READ = ['organizations:DescribeOrganization', 'organizations:ListDelegatedAdministrators', 'organizations:ListAWSServiceAccessForOrganization'];
const DELEGATION_REMOVE = ['organizations:DeregisterDelegatedAdministrator'];
const S3_BUCKET_READ = ['s3:ListBucket', 's3:GetBucketTagging'];

/**
 * `hashicorp/awscc` resources go through the Cloud Control API, which runs the resource type's
 * handlers with the caller's credentials: the role needs Cloud Control's actions and the handler
 * permissions of the CloudFormation resource type's schema (`handlers.<operation>.permissions`).
 */
function cloudControl(handlers: TypeActions): TypeActions {
  const status = 'cloudformation:GetResourceRequestStatus';
  return {
    create: ['cloudformation:CreateResource', status, ...handlers.create],
    read: ['cloudformation:GetResource', ...handlers.read],
    update: ['cloudformation:UpdateResource', status, ...handlers.update],
    delete: ['cloudformation:DeleteResource', status, ...handlers.delete],
  };
}

/** AWS::GuardDuty::ThreatEntitySet / TrustedEntitySet handler permissions (CloudFormation registry schema; both sets alike). */
function entitySet(kind: 'Threat' | 'Trusted'): TypeActions {
  return cloudControl({
    create: [`guardduty:Create${kind}EntitySet`, `guardduty:Get${kind}EntitySet`, 'guardduty:TagResource', 's3:GetObject'],
    read: [`guardduty:Get${kind}EntitySet`],
    update: [`guardduty:Update${kind}EntitySet`, `guardduty:Get${kind}EntitySet`, `guardduty:List${kind}EntitySets`, ...GUARDDUTY_TAGS, 's3:GetObject'],
    delete: ['guardduty:ListDetectors', `guardduty:List${kind}EntitySets`, `guardduty:Delete${kind}EntitySet`, `guardduty:Get${kind}EntitySet`],
  });
}

export const TYPE_ACTIONS: Readonly<Record<string, TypeActions>> = {
  // GuardDuty
  aws_guardduty_detector: {
    create: ['guardduty:CreateDetector', 'guardduty:TagResource'],
    read: ['guardduty:GetDetector', 'guardduty:ListDetectors'],
    update: ['guardduty:UpdateDetector', ...GUARDDUTY_TAGS],
    delete: ['guardduty:DeleteDetector'],
    serviceLinkedRoles: ['guardduty.amazonaws.com', 'malware-protection.guardduty.amazonaws.com'],
  },
  aws_guardduty_detector_feature: { create: ['guardduty:UpdateDetector'], read: ['guardduty:GetDetector'], update: ['guardduty:UpdateDetector'], delete: [] },
  aws_guardduty_filter: {
    create: ['guardduty:CreateFilter', 'guardduty:TagResource'],
    read: ['guardduty:GetFilter'],
    update: ['guardduty:UpdateFilter', ...GUARDDUTY_TAGS],
    delete: ['guardduty:DeleteFilter'],
  },
  aws_guardduty_ipset: {
    create: ['guardduty:CreateIPSet', 'guardduty:TagResource', ...GUARDDUTY_LIST_ROLE],
    read: ['guardduty:GetIPSet'],
    update: ['guardduty:UpdateIPSet', ...GUARDDUTY_TAGS, ...GUARDDUTY_LIST_ROLE],
    delete: ['guardduty:DeleteIPSet', ...GUARDDUTY_LIST_ROLE],
  },
  aws_guardduty_threatintelset: {
    create: ['guardduty:CreateThreatIntelSet', 'guardduty:TagResource', ...GUARDDUTY_LIST_ROLE],
    read: ['guardduty:GetThreatIntelSet'],
    update: ['guardduty:UpdateThreatIntelSet', ...GUARDDUTY_TAGS, ...GUARDDUTY_LIST_ROLE],
    delete: ['guardduty:DeleteThreatIntelSet', ...GUARDDUTY_LIST_ROLE],
  },
  aws_guardduty_member: {
    create: ['guardduty:CreateMembers', 'guardduty:InviteMembers'],
    read: ['guardduty:GetMembers'],
    update: ['guardduty:InviteMembers', 'guardduty:DisassociateMembers'],
    delete: ['guardduty:DisassociateMembers', 'guardduty:DeleteMembers'],
  },
  aws_guardduty_member_detector_feature: {
    create: ['guardduty:UpdateMemberDetectors'],
    read: ['guardduty:GetMemberDetectors'],
    update: ['guardduty:UpdateMemberDetectors'],
    delete: [],
  },
  aws_guardduty_organization_admin_account: {
    create: ['guardduty:EnableOrganizationAdminAccount', ...DELEGATION],
    read: ['guardduty:ListOrganizationAdminAccounts', ...DELEGATION_READ],
    update: [],
    delete: ['guardduty:DisableOrganizationAdminAccount', ...DELEGATION_REMOVE],
    serviceLinkedRoles: ['guardduty.amazonaws.com'],
  },
  aws_guardduty_organization_configuration: {
    create: ['guardduty:UpdateOrganizationConfiguration'],
    read: ['guardduty:DescribeOrganizationConfiguration'],
    update: ['guardduty:UpdateOrganizationConfiguration'],
    delete: ['guardduty:UpdateOrganizationConfiguration'],
  },
  aws_guardduty_organization_configuration_feature: {
    create: ['guardduty:UpdateOrganizationConfiguration'],
    read: ['guardduty:DescribeOrganizationConfiguration'],
    update: ['guardduty:UpdateOrganizationConfiguration'],
    delete: [],
  },
  aws_guardduty_malware_scan_settings: {
    create: ['guardduty:UpdateMalwareScanSettings'],
    read: ['guardduty:GetMalwareScanSettings'],
    update: ['guardduty:UpdateMalwareScanSettings'],
    delete: ['guardduty:UpdateMalwareScanSettings'],
  },
  awscc_guardduty_threat_entity_set: entitySet('Threat'),
  awscc_guardduty_trusted_entity_set: entitySet('Trusted'),
  // Organizations: the remediation's service control policy (remediation-scp stack, management account).
  aws_organizations_policy: {
    create: ['organizations:CreatePolicy', 'organizations:DescribePolicy', 'organizations:TagResource'],
    read: ['organizations:DescribePolicy', 'organizations:ListTagsForResource'],
    update: ['organizations:UpdatePolicy', 'organizations:TagResource', 'organizations:UntagResource'],
    delete: ['organizations:DeletePolicy'],
  },
  aws_organizations_policy_attachment: {
    create: ['organizations:AttachPolicy'],
    read: ['organizations:ListTargetsForPolicy'],
    update: [],
    delete: ['organizations:DetachPolicy'],
  },
  aws_guardduty_publishing_destination: {
    create: ['guardduty:CreatePublishingDestination'],
    read: ['guardduty:DescribePublishingDestination'],
    update: ['guardduty:UpdatePublishingDestination'],
    delete: ['guardduty:DeletePublishingDestination'],
  },
  aws_guardduty_invite_accepter: {
    create: ['guardduty:ListInvitations', 'guardduty:AcceptInvitation', 'guardduty:AcceptAdministratorInvitation'],
    read: ['guardduty:GetMasterAccount', 'guardduty:GetAdministratorAccount'],
    update: [],
    delete: ['guardduty:DisassociateFromMasterAccount', 'guardduty:DisassociateFromAdministratorAccount'],
  },
  aws_guardduty_malware_protection_plan: {
    create: ['guardduty:CreateMalwareProtectionPlan', 'guardduty:TagResource'],
    read: ['guardduty:GetMalwareProtectionPlan'],
    update: ['guardduty:UpdateMalwareProtectionPlan', ...GUARDDUTY_TAGS],
    delete: ['guardduty:DeleteMalwareProtectionPlan'],
    passRoleTo: ['malware-protection-plan.guardduty.amazonaws.com'],
  },

  // Security Hub
  aws_securityhub_account: {
    create: ['securityhub:EnableSecurityHub', 'securityhub:UpdateSecurityHubConfiguration'],
    read: ['securityhub:DescribeHub'],
    update: ['securityhub:UpdateSecurityHubConfiguration'],
    delete: ['securityhub:DisableSecurityHub'],
    serviceLinkedRoles: ['securityhub.amazonaws.com'],
  },
  aws_securityhub_finding_aggregator: {
    create: ['securityhub:CreateFindingAggregator'],
    read: ['securityhub:GetFindingAggregator', 'securityhub:ListFindingAggregators'],
    update: ['securityhub:UpdateFindingAggregator'],
    delete: ['securityhub:DeleteFindingAggregator'],
  },
  aws_securityhub_member: {
    create: ['securityhub:CreateMembers', 'securityhub:InviteMembers'],
    read: ['securityhub:GetMembers'],
    update: [],
    delete: ['securityhub:DisassociateMembers', 'securityhub:DeleteMembers'],
  },
  aws_securityhub_organization_configuration: {
    create: ['securityhub:UpdateOrganizationConfiguration'],
    read: ['securityhub:DescribeOrganizationConfiguration'],
    update: ['securityhub:UpdateOrganizationConfiguration'],
    delete: ['securityhub:UpdateOrganizationConfiguration'],
  },
  aws_securityhub_organization_admin_account: {
    create: ['securityhub:EnableOrganizationAdminAccount', ...DELEGATION],
    read: ['securityhub:ListOrganizationAdminAccounts', ...DELEGATION_READ],
    update: [],
    delete: ['securityhub:DisableOrganizationAdminAccount', ...DELEGATION_REMOVE],
  },
  aws_securityhub_product_subscription: {
    create: ['securityhub:EnableImportFindingsForProduct'],
    read: ['securityhub:ListEnabledProductsForImport'],
    update: [],
    delete: ['securityhub:DisableImportFindingsForProduct'],
  },
  aws_securityhub_standards_subscription: {
    create: ['securityhub:BatchEnableStandards'],
    read: ['securityhub:GetEnabledStandards'],
    update: [],
    delete: ['securityhub:BatchDisableStandards'],
  },
  aws_securityhub_invite_accepter: {
    create: ['securityhub:ListInvitations', 'securityhub:AcceptInvitation', 'securityhub:AcceptAdministratorInvitation'],
    read: ['securityhub:GetMasterAccount', 'securityhub:GetAdministratorAccount'],
    update: [],
    delete: ['securityhub:DisassociateFromMasterAccount', 'securityhub:DisassociateFromAdministratorAccount'],
  },

  // Detective
  aws_detective_graph: {
    create: ['detective:CreateGraph', 'detective:TagResource'],
    read: ['detective:ListGraphs', 'detective:ListTagsForResource'],
    update: ['detective:TagResource', 'detective:UntagResource'],
    delete: ['detective:DeleteGraph'],
  },
  aws_detective_member: {
    create: ['detective:CreateMembers'],
    read: ['detective:GetMembers'],
    update: [],
    delete: ['detective:DeleteMembers'],
  },
  aws_detective_organization_configuration: {
    create: ['detective:UpdateOrganizationConfiguration'],
    read: ['detective:DescribeOrganizationConfiguration'],
    update: ['detective:UpdateOrganizationConfiguration'],
    delete: [],
  },
  aws_detective_organization_admin_account: {
    create: ['detective:EnableOrganizationAdminAccount', ...DELEGATION],
    read: ['detective:ListOrganizationAdminAccount', ...DELEGATION_READ],
    update: [],
    delete: ['detective:DisableOrganizationAdminAccount', ...DELEGATION_REMOVE],
  },
  aws_detective_invitation_accepter: {
    create: ['detective:AcceptInvitation'],
    read: ['detective:ListInvitations'],
    update: [],
    delete: ['detective:DisassociateMembership'],
  },

  // EventBridge, CloudWatch Logs and alarms
  aws_cloudwatch_event_bus: {
    create: ['events:CreateEventBus', 'events:TagResource'],
    read: ['events:DescribeEventBus', 'events:ListTagsForResource'],
    update: ['events:UpdateEventBus', 'events:TagResource', 'events:UntagResource'],
    delete: ['events:DeleteEventBus'],
  },
  aws_cloudwatch_event_rule: {
    create: ['events:PutRule', 'events:TagResource'],
    read: ['events:DescribeRule', 'events:ListTagsForResource'],
    update: ['events:PutRule', 'events:EnableRule', 'events:DisableRule', 'events:TagResource', 'events:UntagResource'],
    delete: ['events:DeleteRule', 'events:ListTargetsByRule'],
  },
  aws_cloudwatch_event_target: {
    create: ['events:PutTargets'],
    read: ['events:ListTargetsByRule'],
    update: ['events:PutTargets'],
    delete: ['events:RemoveTargets'],
    passRoleTo: ['events.amazonaws.com'],
  },
  aws_cloudwatch_event_archive: {
    create: ['events:CreateArchive'],
    read: ['events:DescribeArchive'],
    update: ['events:UpdateArchive'],
    delete: ['events:DeleteArchive'],
  },
  aws_cloudwatch_log_group: {
    create: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:TagResource'],
    read: ['logs:DescribeLogGroups', 'logs:ListTagsForResource'],
    update: ['logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy', 'logs:AssociateKmsKey', 'logs:DisassociateKmsKey', 'logs:TagResource', 'logs:UntagResource'],
    delete: ['logs:DeleteLogGroup'],
  },
  aws_cloudwatch_log_resource_policy: {
    create: ['logs:PutResourcePolicy'],
    read: ['logs:DescribeResourcePolicies'],
    update: ['logs:PutResourcePolicy'],
    delete: ['logs:DeleteResourcePolicy'],
  },
  aws_cloudwatch_log_metric_filter: {
    create: ['logs:PutMetricFilter'],
    read: ['logs:DescribeMetricFilters'],
    update: ['logs:PutMetricFilter'],
    delete: ['logs:DeleteMetricFilter'],
  },
  aws_cloudwatch_metric_alarm: {
    create: ['cloudwatch:PutMetricAlarm', 'cloudwatch:TagResource'],
    read: ['cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource'],
    update: ['cloudwatch:PutMetricAlarm', 'cloudwatch:TagResource', 'cloudwatch:UntagResource'],
    delete: ['cloudwatch:DeleteAlarms'],
  },

  // SNS, SQS, KMS
  aws_sns_topic: {
    create: ['sns:CreateTopic', 'sns:SetTopicAttributes', 'sns:TagResource'],
    read: ['sns:GetTopicAttributes', 'sns:ListTagsForResource'],
    update: ['sns:SetTopicAttributes', 'sns:TagResource', 'sns:UntagResource'],
    delete: ['sns:DeleteTopic'],
  },
  aws_sns_topic_policy: { create: ['sns:SetTopicAttributes'], read: ['sns:GetTopicAttributes'], update: ['sns:SetTopicAttributes'], delete: ['sns:SetTopicAttributes'] },
  aws_sns_topic_subscription: {
    create: ['sns:Subscribe', 'sns:SetSubscriptionAttributes'],
    read: ['sns:GetSubscriptionAttributes'],
    update: ['sns:SetSubscriptionAttributes'],
    delete: ['sns:Unsubscribe'],
  },
  aws_sqs_queue: {
    create: ['sqs:CreateQueue', 'sqs:SetQueueAttributes', 'sqs:TagQueue'],
    read: ['sqs:GetQueueUrl', 'sqs:GetQueueAttributes', 'sqs:ListQueueTags'],
    update: ['sqs:SetQueueAttributes', 'sqs:TagQueue', 'sqs:UntagQueue'],
    delete: ['sqs:DeleteQueue'],
  },
  aws_sqs_queue_policy: { create: ['sqs:SetQueueAttributes'], read: ['sqs:GetQueueAttributes'], update: ['sqs:SetQueueAttributes'], delete: ['sqs:SetQueueAttributes'] },
  aws_kms_key: {
    create: ['kms:CreateKey', 'kms:PutKeyPolicy', 'kms:EnableKeyRotation', 'kms:TagResource'],
    read: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags'],
    update: ['kms:PutKeyPolicy', 'kms:EnableKeyRotation', 'kms:DisableKeyRotation', 'kms:UpdateKeyDescription', 'kms:EnableKey', 'kms:DisableKey', 'kms:TagResource', 'kms:UntagResource'],
    delete: ['kms:ScheduleKeyDeletion'],
  },
  aws_kms_alias: {
    create: ['kms:CreateAlias'],
    read: ['kms:ListAliases'],
    update: ['kms:UpdateAlias'],
    delete: ['kms:DeleteAlias'],
  },

  // S3
  aws_s3_bucket: {
    create: ['s3:CreateBucket', 's3:PutBucketTagging'],
    read: [
      ...S3_BUCKET_READ,
      's3:GetBucketAcl',
      's3:GetBucketCORS',
      's3:GetBucketWebsite',
      's3:GetBucketVersioning',
      's3:GetAccelerateConfiguration',
      's3:GetBucketRequestPayment',
      's3:GetBucketLogging',
      's3:GetLifecycleConfiguration',
      's3:GetReplicationConfiguration',
      's3:GetEncryptionConfiguration',
      's3:GetBucketObjectLockConfiguration',
      's3:GetBucketPolicy',
    ],
    update: ['s3:PutBucketTagging'],
    // force_destroy empties the bucket first.
    delete: ['s3:DeleteBucket', 's3:ListBucketVersions', 's3:DeleteObject', 's3:DeleteObjectVersion'],
  },
  aws_s3_bucket_ownership_controls: {
    create: ['s3:PutBucketOwnershipControls'],
    read: ['s3:GetBucketOwnershipControls'],
    update: ['s3:PutBucketOwnershipControls'],
    delete: ['s3:PutBucketOwnershipControls'],
  },
  aws_s3_bucket_policy: { create: ['s3:PutBucketPolicy'], read: ['s3:GetBucketPolicy'], update: ['s3:PutBucketPolicy'], delete: ['s3:DeleteBucketPolicy'] },
  aws_s3_bucket_public_access_block: {
    create: ['s3:PutBucketPublicAccessBlock'],
    read: ['s3:GetBucketPublicAccessBlock'],
    update: ['s3:PutBucketPublicAccessBlock'],
    delete: ['s3:PutBucketPublicAccessBlock'],
  },
  aws_s3_bucket_server_side_encryption_configuration: {
    create: ['s3:PutEncryptionConfiguration'],
    read: ['s3:GetEncryptionConfiguration'],
    update: ['s3:PutEncryptionConfiguration'],
    delete: ['s3:PutEncryptionConfiguration'],
  },
  aws_s3_bucket_versioning: { create: ['s3:PutBucketVersioning'], read: ['s3:GetBucketVersioning'], update: ['s3:PutBucketVersioning'], delete: ['s3:PutBucketVersioning'] },
  aws_s3_bucket_lifecycle_configuration: {
    create: ['s3:PutLifecycleConfiguration'],
    read: ['s3:GetLifecycleConfiguration'],
    update: ['s3:PutLifecycleConfiguration'],
    delete: ['s3:PutLifecycleConfiguration'],
  },
  // The threat and trusted IP lists: HeadObject and the tags on refresh, every version on delete.
  aws_s3_object: {
    create: ['s3:PutObject', 's3:PutObjectTagging'],
    read: ['s3:GetObject', 's3:GetObjectTagging'],
    update: ['s3:PutObject', 's3:PutObjectTagging'],
    delete: ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:ListBucketVersions'],
  },

  // IAM
  aws_iam_role: {
    create: ['iam:CreateRole', 'iam:TagRole'],
    read: ['iam:GetRole', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies'],
    update: ['iam:UpdateRole', 'iam:UpdateRoleDescription', 'iam:UpdateAssumeRolePolicy', 'iam:TagRole', 'iam:UntagRole'],
    delete: ['iam:DeleteRole', 'iam:ListInstanceProfilesForRole', 'iam:DeleteRolePolicy', 'iam:DetachRolePolicy'],
  },
  aws_iam_role_policy: { create: ['iam:PutRolePolicy'], read: ['iam:GetRolePolicy'], update: ['iam:PutRolePolicy'], delete: ['iam:DeleteRolePolicy'] },
  aws_iam_instance_profile: {
    create: ['iam:CreateInstanceProfile', 'iam:TagInstanceProfile', 'iam:AddRoleToInstanceProfile'],
    read: ['iam:GetInstanceProfile'],
    update: ['iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile', 'iam:TagInstanceProfile', 'iam:UntagInstanceProfile'],
    delete: ['iam:RemoveRoleFromInstanceProfile', 'iam:DeleteInstanceProfile'],
    passRoleTo: ['ec2.amazonaws.com'],
  },
  // The simulation's user: force_destroy removes whatever was added to it (keys, a login, MFA) first.
  aws_iam_user: {
    create: ['iam:CreateUser', 'iam:TagUser'],
    read: ['iam:GetUser'],
    update: ['iam:UpdateUser', 'iam:TagUser', 'iam:UntagUser'],
    delete: [
      'iam:DeleteUser',
      'iam:ListGroupsForUser',
      'iam:RemoveUserFromGroup',
      'iam:ListAccessKeys',
      'iam:DeleteAccessKey',
      'iam:ListSSHPublicKeys',
      'iam:DeleteSSHPublicKey',
      'iam:ListMFADevices',
      'iam:DeactivateMFADevice',
      'iam:DeleteLoginProfile',
      'iam:ListSigningCertificates',
      'iam:DeleteSigningCertificate',
      'iam:ListServiceSpecificCredentials',
      'iam:DeleteServiceSpecificCredential',
      'iam:ListAttachedUserPolicies',
      'iam:DetachUserPolicy',
      'iam:ListUserPolicies',
      'iam:DeleteUserPolicy',
    ],
  },
  aws_iam_user_policy: { create: ['iam:PutUserPolicy'], read: ['iam:GetUserPolicy'], update: ['iam:PutUserPolicy'], delete: ['iam:DeleteUserPolicy'] },
  'data.aws_iam_roles': { create: [], read: ['iam:ListRoles'], update: [], delete: [] },
  'data.aws_organizations_organization': {
    create: [],
    read: ['organizations:DescribeOrganization', 'organizations:ListAccounts', 'organizations:ListAWSServiceAccessForOrganization', 'organizations:ListRoots'],
    update: [],
    delete: [],
  },

  // Lambda
  aws_lambda_function: {
    create: ['lambda:CreateFunction', 'lambda:TagResource', 'lambda:PutFunctionConcurrency'],
    read: ['lambda:GetFunction', 'lambda:GetFunctionCodeSigningConfig', 'lambda:ListVersionsByFunction'],
    update: ['lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency', 'lambda:TagResource', 'lambda:UntagResource'],
    delete: ['lambda:DeleteFunction'],
    passRoleTo: ['lambda.amazonaws.com'],
  },
  aws_lambda_permission: { create: ['lambda:AddPermission'], read: ['lambda:GetPolicy'], update: [], delete: ['lambda:RemovePermission'] },
  aws_lambda_function_event_invoke_config: {
    create: ['lambda:PutFunctionEventInvokeConfig'],
    read: ['lambda:GetFunctionEventInvokeConfig'],
    update: ['lambda:UpdateFunctionEventInvokeConfig'],
    delete: ['lambda:DeleteFunctionEventInvokeConfig'],
  },

  // The simulation's data
  aws_dynamodb_table: {
    create: ['dynamodb:CreateTable', 'dynamodb:TagResource', 'dynamodb:UpdateContinuousBackups', 'dynamodb:UpdateTimeToLive'],
    read: ['dynamodb:DescribeTable', 'dynamodb:DescribeContinuousBackups', 'dynamodb:DescribeTimeToLive', 'dynamodb:ListTagsOfResource'],
    update: ['dynamodb:UpdateTable', 'dynamodb:UpdateContinuousBackups', 'dynamodb:UpdateTimeToLive', 'dynamodb:TagResource', 'dynamodb:UntagResource'],
    delete: ['dynamodb:DeleteTable'],
  },
  aws_dynamodb_table_item: { create: ['dynamodb:PutItem'], read: ['dynamodb:GetItem'], update: ['dynamodb:PutItem'], delete: ['dynamodb:DeleteItem'] },
  // The decoy password (a SecureString under the account's aws/ssm key, which SSM uses on the caller's behalf).
  aws_ssm_parameter: {
    create: ['ssm:PutParameter', 'ssm:AddTagsToResource'],
    read: ['ssm:GetParameter', 'ssm:DescribeParameters', 'ssm:ListTagsForResource'],
    update: ['ssm:PutParameter', 'ssm:AddTagsToResource', 'ssm:RemoveTagsFromResource'],
    delete: ['ssm:DeleteParameter'],
  },
  // The public Amazon Linux AMI parameter.
  'data.aws_ssm_parameter': { create: [], read: ['ssm:GetParameter'], update: [], delete: [] },

  // EC2: the simulation's network and instances
  aws_vpc: {
    create: ['ec2:CreateVpc', 'ec2:CreateTags', 'ec2:ModifyVpcAttribute'],
    read: ['ec2:DescribeVpcs', 'ec2:DescribeVpcAttribute', 'ec2:DescribeNetworkAcls', 'ec2:DescribeRouteTables', 'ec2:DescribeSecurityGroups'],
    update: ['ec2:ModifyVpcAttribute', 'ec2:CreateTags', 'ec2:DeleteTags'],
    delete: ['ec2:DeleteVpc'],
  },
  aws_subnet: {
    create: ['ec2:CreateSubnet', 'ec2:CreateTags', 'ec2:ModifySubnetAttribute'],
    read: ['ec2:DescribeSubnets'],
    update: ['ec2:ModifySubnetAttribute', 'ec2:CreateTags', 'ec2:DeleteTags'],
    delete: ['ec2:DeleteSubnet', 'ec2:DescribeNetworkInterfaces'],
  },
  aws_internet_gateway: {
    create: ['ec2:CreateInternetGateway', 'ec2:CreateTags', 'ec2:AttachInternetGateway'],
    read: ['ec2:DescribeInternetGateways'],
    update: ['ec2:AttachInternetGateway', 'ec2:DetachInternetGateway', 'ec2:CreateTags', 'ec2:DeleteTags'],
    delete: ['ec2:DetachInternetGateway', 'ec2:DeleteInternetGateway'],
  },
  aws_route_table: {
    create: ['ec2:CreateRouteTable', 'ec2:CreateTags'],
    read: ['ec2:DescribeRouteTables'],
    update: ['ec2:CreateTags', 'ec2:DeleteTags'],
    delete: ['ec2:DeleteRouteTable'],
  },
  aws_route: { create: ['ec2:CreateRoute'], read: ['ec2:DescribeRouteTables'], update: ['ec2:ReplaceRoute'], delete: ['ec2:DeleteRoute'] },
  aws_route_table_association: {
    create: ['ec2:AssociateRouteTable'],
    read: ['ec2:DescribeRouteTables'],
    update: ['ec2:ReplaceRouteTableAssociation'],
    delete: ['ec2:DisassociateRouteTable'],
  },
  aws_security_group: {
    create: ['ec2:CreateSecurityGroup', 'ec2:CreateTags', 'ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupEgress'],
    read: ['ec2:DescribeSecurityGroups'],
    update: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress', 'ec2:CreateTags', 'ec2:DeleteTags'],
    delete: ['ec2:DeleteSecurityGroup', 'ec2:DescribeNetworkInterfaces'],
  },
  aws_instance: {
    create: ['ec2:RunInstances', 'ec2:CreateTags', 'ec2:DescribeImages'],
    read: [
      'ec2:DescribeInstances',
      'ec2:DescribeInstanceAttribute',
      'ec2:DescribeInstanceTypes',
      'ec2:DescribeInstanceCreditSpecifications',
      'ec2:DescribeVolumes',
      'ec2:DescribeTags',
      'ec2:DescribeNetworkInterfaces',
    ],
    update: [
      'ec2:ModifyInstanceAttribute',
      'ec2:ModifyInstanceMetadataOptions',
      'ec2:ModifyInstanceCreditSpecification',
      'ec2:StopInstances',
      'ec2:StartInstances',
      'ec2:CreateTags',
      'ec2:DeleteTags',
    ],
    delete: ['ec2:TerminateInstances'],
    passRoleTo: ['ec2.amazonaws.com'],
  },
  aws_eip: {
    create: ['ec2:AllocateAddress', 'ec2:CreateTags'],
    read: ['ec2:DescribeAddresses'],
    update: ['ec2:CreateTags', 'ec2:DeleteTags'],
    delete: ['ec2:ReleaseAddress', 'ec2:DisassociateAddress'],
  },
  aws_eip_association: { create: ['ec2:AssociateAddress'], read: ['ec2:DescribeAddresses'], update: [], delete: ['ec2:DisassociateAddress'] },
};

/** Every action a type needs, in any of its four operations. */
export function allActions(entry: TypeActions): string[] {
  return [...new Set([...entry.create, ...entry.read, ...entry.update, ...entry.delete])];
}
