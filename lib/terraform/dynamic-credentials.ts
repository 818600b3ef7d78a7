import { TerraformVariable, VariableType, type TerraformStack } from 'cdktf';
import { expression } from './instances';

/**
 * HCP Terraform's dynamic provider credentials for AWS, one configuration per account of a stack.
 * For each tag set on the workspace (`TFC_AWS_PROVIDER_AUTH_<tag>`, `TFC_AWS_PLAN_ROLE_ARN_<tag>`,
 * `TFC_AWS_APPLY_ROLE_ARN_<tag>`), a run's plan phase and its apply phase each write a shared config
 * file holding a web identity token and the role of that phase, and give its path to Terraform in
 * this variable, under `aliases["<tag>"]` (HCP Terraform's "Specifying multiple configurations").
 * A provider that names the file has that phase's credentials and nothing else: no role to assume
 * from there, so a plan's credentials cannot reach the apply's role.
 */
export const DYNAMIC_CREDENTIALS_VARIABLE = 'tfc_aws_dynamic_credentials';

/** How the providers of one account authenticate. */
export type ProviderCredentials =
  | { readonly assumeRole: { readonly roleArn: string; readonly sessionName: string }; readonly sharedConfigFile?: undefined }
  | { readonly sharedConfigFile: string; readonly assumeRole?: undefined };

/** A tag of HCP Terraform's variables: letters, digits and `_`, and not the reserved `TYPE`. */
const TAG = /^[A-Za-z0-9_]+$/;

/** The tag of an account's credentials, from the name of its providers (`member-444444444444` gives `member_444444444444`). */
export function credentialTag(providerName: string): string {
  const tag = providerName.replace(/-/g, '_');
  if (!TAG.test(tag) || tag === 'TYPE') throw new Error(`provider name ${providerName} makes no HCP Terraform credentials tag`);
  return tag;
}

/**
 * Declares the variable in `stack`, checked to hold every tag the stack's providers use, and returns
 * the expression of a tag's shared config file.
 *
 * Its type is the one HCP Terraform's documentation gives it but for `default`, made optional: every
 * provider here is tagged and none reads it, and the documentation does not say what a run passes
 * there when the workspace has no untagged configuration (an open implementation of the protocol,
 * OTF, leaves it out, which the documented type would refuse before any provider is configured).
 */
export function dynamicCredentials(stack: TerraformStack, tags: readonly string[]): (tag: string) => string {
  const file = VariableType.object({ shared_config_file: VariableType.STRING });
  const variable = new TerraformVariable(stack, DYNAMIC_CREDENTIALS_VARIABLE, {
    description: 'Set by HCP Terraform in every run: the shared config file of each dynamic AWS credentials configuration, one per account of this stack',
    type: VariableType.object({ default: `optional(${file})`, aliases: VariableType.map(file) }),
    // Without it, a workspace missing an account's variables fails at that provider with "Invalid index".
    validation: [
      {
        condition: expression(`alltrue([for tag in ${JSON.stringify(tags)} : contains(keys(var.${DYNAMIC_CREDENTIALS_VARIABLE}.aliases), tag)])`),
        errorMessage: `HCP Terraform gave this run no dynamic AWS credentials for one of the accounts of this stack. The workspace needs TFC_AWS_PROVIDER_AUTH_<tag>, TFC_AWS_PLAN_ROLE_ARN_<tag> and TFC_AWS_APPLY_ROLE_ARN_<tag> for each of the tags ${tags.join(', ')} (examples/hcp-terraform/workspaces.sh sets them).`,
      },
    ],
  });
  return (tag) => {
    if (!tags.includes(tag)) throw new Error(`stack ${stack.node.id} has no dynamic credentials tagged ${tag}`);
    return expression(`var.${variable.friendlyUniqueId}.aliases[${JSON.stringify(tag)}].shared_config_file`);
  };
}
