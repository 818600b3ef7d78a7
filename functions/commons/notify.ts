import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Actions } from './remediation';

/** SNS e-mail subjects are limited to 100 characters. */
const MAX_SUBJECT = 100;

export interface Notice {
  readonly subject: string;
  /** The first paragraph: the lab's wording, `GuardDuty Remediation | ID:<id>: ...`. */
  readonly summary: string;
  /** Facts after the summary, one `label: value` line each. */
  readonly facts?: Readonly<Record<string, string>>;
}

export function noticeText(notice: Notice): string {
  const facts = Object.entries(notice.facts ?? {}).map(([label, value]) => `${label}: ${value}`);
  return facts.length > 0 ? `${notice.summary}\n\n${facts.join('\n')}\n` : `${notice.summary}\n`;
}

/** Publishes the remediation e-mail (through `act`, so dry-run only logs it). */
export async function notify(sns: SNSClient, act: Actions, topicArn: string, notice: Notice): Promise<void> {
  const input = { TopicArn: topicArn, Subject: notice.subject.slice(0, MAX_SUBJECT), Message: noticeText(notice) };
  await act.write('sns:Publish', input, () => sns.send(new PublishCommand(input)));
}
