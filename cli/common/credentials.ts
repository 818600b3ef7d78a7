import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { CommandFailure } from './command';

/**
 * Who a command that reads AWS runs as, asked once before any account is scanned: without credentials
 * (or with expired ones) every assumed role would fail the same way, once per account and region, and
 * bury the one thing to fix under hundreds of lines.
 */
export async function callerIdentity(sts: STSClient): Promise<string> {
  try {
    const { Arn } = await sts.send(new GetCallerIdentityCommand({}));
    return Arn ?? 'an unnamed caller';
  } catch (error) {
    throw credentialsFailure(error);
  }
}

/** Why the process's own credentials did not work, in one line. */
export function credentialsFailure(error: unknown): CommandFailure {
  if (error instanceof CommandFailure) return error;
  const e = error as Error;
  if (e.name === 'CredentialsProviderError') {
    return new CommandFailure(
      `no AWS credentials (${e.name}: ${e.message}): run it with the credentials of the role that may assume the deployment role in every account (AWS_PROFILE, the AWS_ACCESS_KEY_ID variables, or a web identity token)`,
    );
  }
  return new CommandFailure(`the AWS credentials of this process do not work (${e.name}: ${e.message})`);
}
