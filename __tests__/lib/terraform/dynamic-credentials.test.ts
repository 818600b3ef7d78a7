import { App, DefaultTokenResolver, StringConcat, TerraformStack, Testing, Tokenization } from 'cdktf';
import { credentialTag, dynamicCredentials } from '../../../lib/terraform/dynamic-credentials';

describe('credentialTag', () => {
  it('turns a provider name into a tag of letters, digits and underscores', () => {
    expect(credentialTag('admin')).toBe('admin');
    expect(credentialTag('member-444444444444')).toBe('member_444444444444');
    expect(credentialTag('log-archive')).toBe('log_archive');
  });

  it('refuses a name that makes no tag HCP Terraform accepts', () => {
    expect(() => credentialTag('TYPE')).toThrow('provider name TYPE makes no HCP Terraform credentials tag');
    expect(() => credentialTag('a.b')).toThrow('provider name a.b makes no HCP Terraform credentials tag');
  });
});

describe('dynamicCredentials', () => {
  it('declares the variable once, checked to hold every tag, and names only tags it declared', () => {
    const stack = new TerraformStack(new App(), 'stack');
    const file = dynamicCredentials(stack, ['admin', 'member_444444444444']);
    expect(Tokenization.resolve(file('member_444444444444'), { scope: stack, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) })).toBe('${var.tfc_aws_dynamic_credentials.aliases["member_444444444444"].shared_config_file}');
    expect(() => file('sandbox')).toThrow('stack stack has no dynamic credentials tagged sandbox');
    const variable = JSON.parse(Testing.synth(stack)).variable.tfc_aws_dynamic_credentials;
    expect(variable.type).toBe('object({default=optional(object({shared_config_file=string})), aliases=map(object({shared_config_file=string}))})');
    expect(variable.validation[0].condition).toBe('${alltrue([for tag in ["admin","member_444444444444"] : contains(keys(var.tfc_aws_dynamic_credentials.aliases), tag)])}');
  });
});
