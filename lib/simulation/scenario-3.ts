/**
 * What a person runs for scenario 3, printed as a stack output so it can be copied: open a Session
 * Manager shell on the instance, fetch the role credentials with an IMDSv2 token, and use them from
 * a machine outside AWS, which is what GuardDuty's InstanceCredentialExfiltration.OutsideAWS detects.
 */
export interface Scenario3Options {
  /** The Scenario 3 instance (a token at synth time). */
  readonly instanceId: string;
  readonly region: string;
  /** The instance role whose credentials are copied. */
  readonly roleName: string;
}

const IMDS = 'http://169.254.169.254/latest';

export function scenario3Steps(options: Scenario3Options): string {
  const { instanceId, region, roleName } = options;
  return [
    `1. From a shell with the sandbox account's credentials: aws ssm start-session --region ${region} --target ${instanceId}`,
    '2. In the session, get an IMDSv2 token and the role credentials:',
    `   TOKEN=$(curl -s -X PUT ${IMDS}/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')`,
    `   curl -s -H "X-aws-ec2-metadata-token: $TOKEN" ${IMDS}/meta-data/iam/security-credentials/${roleName}`,
    '3. Outside AWS (your laptop, not an EC2 instance or CloudShell), with AccessKeyId, SecretAccessKey and Token from step 2:',
    '   export AWS_ACCESS_KEY_ID=<AccessKeyId> AWS_SECRET_ACCESS_KEY=<SecretAccessKey> AWS_SESSION_TOKEN=<Token>',
    `   aws sts get-caller-identity && aws dynamodb list-tables --region ${region} && aws ssm describe-parameters --region ${region}`,
    '4. Expect UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS within about 20 minutes; after the remediation, the same commands are denied.',
  ].join('\n');
}
