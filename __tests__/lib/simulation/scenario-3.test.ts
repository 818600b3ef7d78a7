import { spawnSync } from 'node:child_process';
import { scenario3Steps } from '../../../lib/simulation/scenario-3';

describe('scenario3Steps', () => {
  const steps = scenario3Steps({ instanceId: 'i-0123456789abcdef0', region: 'eu-west-1', roleName: 'GuardDuty-Example-EC2-Compromised' });
  const lines = steps.split('\n');

  it('opens a Session Manager shell on the instance, in its region', () => {
    expect(lines[0]).toBe("1. From a shell with the sandbox account's credentials: aws ssm start-session --region eu-west-1 --target i-0123456789abcdef0");
  });

  it('fetches the role credentials with an IMDSv2 token, in commands bash accepts', () => {
    const commands = lines.slice(2, 4).map((line) => line.trim());
    expect(commands).toEqual([
      "TOKEN=$(curl -s -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')",
      'curl -s -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/iam/security-credentials/GuardDuty-Example-EC2-Compromised',
    ]);
    const check = spawnSync('bash', ['-n'], { input: commands.join('\n'), encoding: 'utf8' });
    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('uses the credentials from outside AWS against the lab data, and says what to expect', () => {
    expect(lines[5].trim()).toBe('export AWS_ACCESS_KEY_ID=<AccessKeyId> AWS_SECRET_ACCESS_KEY=<SecretAccessKey> AWS_SESSION_TOKEN=<Token>');
    expect(lines[6].trim()).toBe('aws sts get-caller-identity && aws dynamodb list-tables --region eu-west-1 && aws ssm describe-parameters --region eu-west-1');
    expect(lines[7]).toContain('UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS');
    expect(lines).toHaveLength(8);
  });
});
