import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { namespacesByModule, rewriteDeepImports } from '../../../cli/bench/usual';
import { flavor } from '../../../lib/terraform/flavor';

const namespaces = new Map([
  ['provider', 'provider'],
  ['guardduty-detector', 'guarddutyDetector'],
  ['iam-role', 'iamRole'],
]);

describe('the usual variant of the app', () => {
  it('reads the namespace of every module from the package root', () => {
    const index = readFileSync(path.join(__dirname, '../../../node_modules', flavor().bindings, 'lib/index.d.ts'), 'utf8');
    const fromPackage = namespacesByModule(index);
    expect(fromPackage.get('guardduty-detector')).toBe('guarddutyDetector');
    expect(fromPackage.get('provider')).toBe('provider');
    expect(fromPackage.size).toBeGreaterThan(1000);
  });

  it('imports from the package root and keeps the local names, types included', () => {
    const source = [
      "import { GuarddutyDetector, type GuarddutyDetectorConfig } from '@cdktf/provider-aws/lib/guardduty-detector';",
      "import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';",
      "import { IamRole as Role } from '@cdktf/provider-aws/lib/iam-role';",
      "import { Construct } from 'constructs';",
    ].join('\n');

    expect(rewriteDeepImports(source, namespaces).split('\n')).toEqual([
      "import { guarddutyDetector as aws_guarddutyDetector } from '@cdktf/provider-aws';",
      'import GuarddutyDetector = aws_guarddutyDetector.GuarddutyDetector;',
      'import GuarddutyDetectorConfig = aws_guarddutyDetector.GuarddutyDetectorConfig;',
      "import { provider as aws_provider } from '@cdktf/provider-aws';",
      'import AwsProvider = aws_provider.AwsProvider;',
      "import { iamRole as aws_iamRole } from '@cdktf/provider-aws';",
      'import Role = aws_iamRole.IamRole;',
      "import { Construct } from 'constructs';",
    ]);
  });

  it('handles imports written over several lines', () => {
    const source = "import {\n  GuarddutyDetector,\n  GuarddutyDetectorConfig,\n} from '@cdktf/provider-aws/lib/guardduty-detector';\n";
    expect(rewriteDeepImports(source, namespaces)).toContain('import GuarddutyDetectorConfig = aws_guarddutyDetector.GuarddutyDetectorConfig;');
  });

  it('leaves a file without provider imports as it is', () => {
    const source = "import { App } from 'cdktf';\nnew App();\n";
    expect(rewriteDeepImports(source, namespaces)).toBe(source);
  });

  it('refuses what it cannot rewrite rather than measuring a half-converted app', () => {
    expect(() => rewriteDeepImports("import * as x from '@cdktf/provider-aws/lib/iam-role';", namespaces, 'a.ts')).toThrow(/a\.ts: cannot rewrite/);
    expect(() => rewriteDeepImports("import { Nope } from '@cdktf/provider-aws/lib/nope';", namespaces, 'b.ts')).toThrow(/b\.ts: .* no root export for lib\/nope/);
  });
});
