import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { App, Lazy, TerraformLocal, TerraformStack, Token } from 'cdktf';
import { formatProblem } from '../../../lib/problems';
import { reservedTextProblems } from '../../../lib/config/reserved-text';
import { problemsAfter } from '../../helpers/config';
import { runApp } from '../../helpers/run-app';
import { exampleData } from '../../helpers/synth';

/**
 * cdktf's own stand-ins for references cannot be written in the configuration: the synthesizer
 * could not tell them from its own and would turn them into Terraform references.
 */

const problemsOf = problemsAfter;

// Real tokens of this cdktf version, so the check follows its encoding.
const stack = new TerraformStack(new App(), 'tokens');
const stringMarker = new TerraformLocal(stack, 'text', 'x').asString;
const numberToken = Token.asNumber(Lazy.numberValue({ produce: () => 1 }));
const listNumberToken = Token.asNumberList(Lazy.listValue({ produce: () => ['x'] }))[0];

describe('reserved text in the configuration', () => {
  it('refuses a reference marker in any text, and names the field', () => {
    expect(stringMarker).toMatch(/^\$\{TfToken\[TOKEN\.\d+\]\}$/);
    expect(problemsOf((d) => (d.filters[0].description = `see ${stringMarker}`))).toEqual([
      `org.json: filters[0].description: contains "\${TfToken[", the synthesizer's own marker for a reference; it cannot be written in configuration text`,
    ]);
    expect(problemsOf((d) => (d.filters[0].criteria.type = { eq: ['#{TfToken[TOKEN.1]}'] }))).toEqual([
      `org.json: filters[0].criteria.type.eq[0]: contains "#{TfToken[", the synthesizer's own marker for a reference; it cannot be written in configuration text`,
    ]);
  });

  it('refuses the numbers that stand for references, written as numbers or inside text', () => {
    expect(problemsOf((d) => (d.filters[0].criteria.type = { eq: [numberToken, 'x'] }))).toEqual([
      `org.json: filters[0].criteria.type.eq[0]: ${numberToken} is a number the synthesizer uses to stand for a reference; use another one`,
    ]);
    expect(problemsOf((d) => (d.filters[0].description = `count ${listNumberToken}`))).toEqual([
      `org.json: filters[0].description: contains ${listNumberToken}, a number the synthesizer uses to stand for a reference; it cannot be written in configuration text`,
    ]);
  });

  it('checks keys too, and leaves ordinary numbers and text alone', () => {
    expect(reservedTextProblems({ tags: { '&{TfToken[TOKEN.2]}': 'x' } }, 'org.json').map(formatProblem)).toEqual([
      `org.json: tags.&{TfToken[TOKEN.2]}: the key contains "&{TfToken[", the synthesizer's own marker for a reference; it cannot be written in configuration text`,
    ]);
    expect(reservedTextProblems({ a: 'build 1e5, 2.5e+289 and ${var.x}', b: -1.5e298, c: 12 }, 'org.json')).toEqual([]);
  });

  it('stops the app before any stack is written', () => {
    const data = exampleData();
    data.filters[0].description = '${TfToken[TOKEN.3]}';
    const run = runApp(data);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${run.configFile}: filters[0].description: contains "\${TfToken[", the synthesizer's own marker`);
    expect(existsSync(path.join(run.outdir, 'manifest.json'))).toBe(false);
  });
});
