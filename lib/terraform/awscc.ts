import { TerraformProvider, TerraformResource, type ITerraformIterator, type TerraformProvider as Provider } from 'cdktf';
import type { Construct } from 'constructs';
import type { ProviderCredentials } from './dynamic-credentials';

/**
 * `hashicorp/awscc`, the Terraform provider generated from CloudFormation's resource schemas, for the
 * GuardDuty resources `hashicorp/aws` does not have (entity sets). No prebuilt cdktf binding exists
 * on npm, so the provider and its resources are typed here over cdktf's TerraformProvider and
 * TerraformResource, with the arguments the provider's schema has (checked against it in
 * __tests__/fixtures/awscc/). Like `hashicorp/aws`, it is asked for as a range: at least the first
 * release that has every resource used, below the next major version.
 */

/** The first awscc release with both entity set resources, and where that comes from. */
export const AWSCC_FLOOR = {
  version: '1.53.0',
  source:
    'hashicorp/terraform-provider-awscc CHANGELOG 1.53.0 (August 21, 2025): "New Resource: aws_guardduty_threat_entity_set", "aws_guardduty_trusted_entity_set" (generated from AWS::GuardDuty::ThreatEntitySet / TrustedEntitySet); arguments unchanged through 1.96.0',
} as const;
export const AWSCC_MAJOR = 1;

/** The `required_providers.awscc.version` of a stack that uses awscc. */
export const AWSCC_CONSTRAINT = `>= ${AWSCC_FLOOR.version}, < ${AWSCC_MAJOR + 1}.0.0`;

export interface AwsccProviderConfig {
  /** Terraform alias: awscc has no per-resource region, so a stack has one provider per account and region. */
  readonly alias: string;
  readonly region: string;
  /** The credentials of the AWS provider of the same account: the role it assumes, or the same dynamic credentials. */
  readonly credentials: ProviderCredentials;
}

/**
 * An awscc provider: region and credentials only (awscc has no `allowed_account_ids` and no
 * default tags; the role ARN names the account, or the credentials are those of the account's AWS
 * provider, which is pinned to it; the resources carry their tags themselves).
 */
export class AwsccProvider extends TerraformProvider {
  private readonly config: AwsccProviderConfig;

  constructor(scope: Construct, id: string, config: AwsccProviderConfig) {
    super(scope, id, {
      terraformResourceType: 'awscc',
      terraformGeneratorMetadata: { providerName: 'awscc', providerVersionConstraint: AWSCC_CONSTRAINT },
      terraformProviderSource: 'hashicorp/awscc',
    });
    this.config = config;
  }

  override get alias(): string {
    return this.config.alias;
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    const { assumeRole, sharedConfigFile } = this.config.credentials;
    return {
      region: this.config.region,
      // A single nested attribute in awscc (an object), not a block list as in the AWS provider.
      ...(assumeRole ? { assume_role: { role_arn: assumeRole.roleArn, session_name: assumeRole.sessionName } } : { shared_config_files: [sharedConfigFile] }),
    };
  }
}

/** A tag as awscc's list-of-objects `tags` attribute takes it. */
export interface AwsccTag {
  readonly key: string;
  readonly value: string;
}

/** The arguments of `awscc_guardduty_threat_entity_set` and `awscc_guardduty_trusted_entity_set` (the same schema). */
export interface EntitySetConfig {
  readonly provider: Provider;
  readonly forEach?: ITerraformIterator;
  /** `TXT`, `STIX`, `OTX_CSV`, `ALIEN_VAULT`, `PROOF_POINT` or `FIRE_EYE`; changing it replaces the set. */
  readonly format: string;
  /** S3 location of the file, 1-300 characters. */
  readonly location: string;
  readonly activate: boolean;
  /** 1-32 characters; changing it replaces the set. */
  readonly detectorId: string;
  /** The account that must own the bucket: GuardDuty refuses the list otherwise. */
  readonly expectedBucketOwner: string;
  readonly name: string;
  readonly tags: readonly AwsccTag[];
}

export type EntitySetType = 'awscc_guardduty_threat_entity_set' | 'awscc_guardduty_trusted_entity_set';

/** One entity set resource of awscc, typed by its schema. */
export class EntitySet extends TerraformResource {
  private readonly config: EntitySetConfig;

  constructor(scope: Construct, id: string, type: EntitySetType, config: EntitySetConfig) {
    super(scope, id, {
      terraformResourceType: type,
      terraformGeneratorMetadata: { providerName: 'awscc', providerVersionConstraint: AWSCC_CONSTRAINT },
      provider: config.provider,
      forEach: config.forEach,
    });
    this.config = config;
  }

  /** The set's id in GuardDuty (`threat_entity_set_id` / `trusted_entity_set_id`, read-only). */
  get setId(): string {
    const attribute = this.terraformResourceType === 'awscc_guardduty_threat_entity_set' ? 'threat_entity_set_id' : 'trusted_entity_set_id';
    return this.getStringAttribute(attribute);
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    const { format, location, activate, detectorId, expectedBucketOwner, name, tags } = this.config;
    return {
      format,
      location,
      activate,
      detector_id: detectorId,
      expected_bucket_owner: expectedBucketOwner,
      name,
      tags: tags.map((tag) => ({ key: tag.key, value: tag.value })),
    };
  }
}
