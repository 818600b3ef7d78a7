/** `1 member account`, `4 member accounts`: counts in the reports and plans the commands print. */
export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
