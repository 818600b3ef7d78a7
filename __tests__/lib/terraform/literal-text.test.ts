import { App, Fn, Lazy, TerraformLocal, TerraformOutput } from 'cdktf';
import { escapeTemplate } from '../../../lib/terraform/literal-text';
import { planStacks } from '../../../lib/plan/stacks';
import { OrgStack } from '../../../stacks/org-stack';
import { testConfig } from '../../helpers/synth';
import { allStrings, templateParts } from '../../helpers/templates';

/**
 * Terraform's template syntax in any literal text of a stack is escaped; the product's own
 * expressions (tokens) are not. Templates are told apart as Terraform's parser does: `$${` and
 * `%%{` are escapes, `${` and `%{` start an interpolation or a directive.
 */

describe('escapeTemplate', () => {
  it.each([
    ['${file("/etc/passwd")}', '$${file("/etc/passwd")}'],
    ['%{ if true }x%{ endif }', '%%{ if true }x%%{ endif }'],
    ['already $${escaped} and %%{escaped}', 'already $$${escaped} and %%%{escaped}'],
    ['$HOME, 100% and {braces} stay', '$HOME, 100% and {braces} stay'],
  ])('escapes %s', (text, expected) => {
    expect(escapeTemplate(text)).toBe(expected);
    expect(templateParts(expected)).toEqual([]);
  });
});

describe('literal text in a stack', () => {
  function synthesized(build: (stack: OrgStack) => void): Record<string, any> {
    const config = testConfig();
    const stack = new OrgStack(new App(), { config, planned: planStacks(config).stacks[0] });
    build(stack);
    return stack.toTerraform();
  }

  it('is escaped in every element, in values and map keys, while references stay expressions', () => {
    const json = synthesized((stack) => {
      const ref = new TerraformLocal(stack, 'ref', 'value').asString;
      new TerraformLocal(stack, 'text', {
        plain: '${file("/etc/passwd")} %{ if true }x%{ endif }',
        mixed: `before \${file("a")} ${ref} after`,
        unbalanced: `\${oops ${ref} }`,
        [`\${key} %{ key }`]: ref,
        list: ['${x}', ref, `${ref}-%{y}`],
        lazy: Lazy.stringValue({ produce: () => JSON.stringify({ Resource: 'arn:aws:s3:::b/${aws:username}/*', Ref: ref }) }),
        lazyAny: Lazy.anyValue({ produce: () => ({ '${k}': '${v}' }) }),
        function: Fn.upper(ref),
      });
      new TerraformOutput(stack, 'out', { value: `\${file("b")}` });
    });
    expect(json.locals.text).toEqual({
      plain: '$${file("/etc/passwd")} %%{ if true }x%%{ endif }',
      mixed: 'before $${file("a")} ${local.ref} after',
      unbalanced: '$${oops ${local.ref} }',
      '$${key} %%{ key }': '${local.ref}',
      list: ['$${x}', '${local.ref}', '${local.ref}-%%{y}'],
      lazy: '{"Resource":"arn:aws:s3:::b/$${aws:username}/*","Ref":"${local.ref}"}',
      lazyAny: { '$${k}': '$${v}' },
      function: '${upper(local.ref)}',
    });
    expect(json.output.out.value).toBe('$${file("b")}');
    expect(allStrings(json).flatMap(templateParts).every((part) => /^\$\{(local\.ref|upper\(local\.ref\))\}$/.test(part))).toBe(true);
  });

  it('leaves a stack without template syntax exactly as cdktf writes it', () => {
    const json = synthesized((stack) => {
      new TerraformLocal(stack, 'text', { name: 'GuardDuty-Example: Compromised Instance', percent: '100%', shell: '$HOME {x}' });
    });
    expect(json.locals.text).toEqual({ name: 'GuardDuty-Example: Compromised Instance', percent: '100%', shell: '$HOME {x}' });
  });
});
