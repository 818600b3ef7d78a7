/**
 * User-data scripts of the simulation instances, as pure functions of their inputs, so they can be
 * rendered and checked with `bash -n` without synthesizing anything.
 *
 * Terraform reads `${...}` and `%{...}` in any string as interpolation and template directives, so
 * the fixed text of a script must not contain them (bash `$VAR` and `$(...)` are fine). Values may
 * be cdktf tokens (the Elastic IP is one): they render as `${TfToken[...]}`, which cdktf turns into a
 * Terraform reference, and Terraform substitutes before the instance sees the script.
 */

/** Where every script keeps its settings; systemd units read them as environment files. */
export const SETTINGS_DIR = '/etc/guardduty-simulation';
/**
 * Where the malicious instance keeps the compromised user's access key: `/run` is a tmpfs, so the key
 * lives in memory only, readable by root, and is gone at the next boot.
 */
export const KEY_FILE = '/run/guardduty-simulation/compromised-user.key';

export interface Scenario1Options {
  /** Address to ping: the malicious instance's Elastic IP, on the threat list. */
  readonly targetIp: string;
  /** Minutes between two rounds of pings. @default 1 (as in the lab) */
  readonly intervalMinutes?: number;
}

export interface Scenario2Options {
  /** The malicious instance's Elastic IP: calls wait until the instance really sends from it. */
  readonly maliciousIp: string;
  readonly region: string;
  /** The compromised IAM user, whose access key the instance creates for itself. */
  readonly userName: string;
  /** The DynamoDB table the attacker reads. */
  readonly tableName: string;
  /** The SSM parameter the attacker reads. */
  readonly parameterName: string;
  /** Minutes between two rounds of API calls. @default 30 */
  readonly intervalMinutes?: number;
}

/**
 * Scenario 1: a systemd timer pings the target every minute, so the VPC flow logs show the
 * instance talking to an address on the threat list and GuardDuty raises
 * `UnauthorizedAccess:EC2/MaliciousIPCaller.Custom`. Amazon Linux 2023 has no cron; the timer
 * also survives reboots.
 */
export function scenario1UserData(options: Scenario1Options): string {
  const interval = positiveMinutes(options.intervalMinutes ?? 1, 'intervalMinutes');
  return bashScript`#!/bin/bash
# GuardDuty simulation, scenario 1: ping the malicious instance's Elastic IP on a schedule.
set -euo pipefail
install -d -m 0755 ${SETTINGS_DIR}
printf 'TARGET_IP=%s\\n' ${shellQuote(options.targetIp)} > ${SETTINGS_DIR}/scenario-1.env

${scheduledService({
    name: 'guardduty-scenario-1',
    description: 'GuardDuty simulation scenario 1: ping the address on the threat list',
    service: [
      `EnvironmentFile=${SETTINGS_DIR}/scenario-1.env`,
      '# No reply is fine: GuardDuty sees the outbound packets either way.',
      'ExecStart=/usr/bin/ping -c 5 -W 2 $TARGET_IP',
      'SuccessExitStatus=1',
    ],
    firstRunAfterBoot: '1min',
    everyMinutes: interval,
    accuracy: '5s',
  })}
`;
}

/**
 * Scenario 2: from the malicious instance (so from its Elastic IP, on the threat list), call IAM,
 * DynamoDB and SSM with the compromised user's access key, so GuardDuty raises
 * `Recon:IAMUser/MaliciousIPCaller.Custom` and `UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom`.
 *
 * No long-term secret in any Terraform state: the instance creates the user's key itself, with its
 * role (whose only IAM permissions are on that one user), the first time after each boot, and keeps it
 * in memory only (`KEY_FILE`, on a tmpfs). A key made before a reboot is lost with that memory, so it
 * is deleted and a new one made. A deactivated key (by the remediation, or by a person as in the lab)
 * is left alone and the scenario stops calling: the simulation never undoes a remediation.
 */
export function scenario2UserData(options: Scenario2Options): string {
  const interval = positiveMinutes(options.intervalMinutes ?? 30, 'intervalMinutes');
  const settings: [string, string][] = [
    ['MALICIOUS_IP', options.maliciousIp],
    ['SIMULATION_REGION', options.region],
    ['USER_NAME', options.userName],
    ['TABLE_NAME', options.tableName],
    ['PARAMETER_NAME', options.parameterName],
  ];
  const settingLines = settings.map(([name, value]) => `printf '${name}=%s\\n' ${shellQuote(value)}`).join('\n');
  return bashScript`#!/bin/bash
# GuardDuty simulation, scenario 2: call AWS APIs with a compromised user's key from an address on
# the threat list.
set -euo pipefail
install -d -m 0755 ${SETTINGS_DIR}
{
${settingLines}
} > ${SETTINGS_DIR}/scenario-2.env

cat > /usr/local/bin/guardduty-scenario-2 <<'SCRIPT'
#!/bin/bash
set -uo pipefail
. ${SETTINGS_DIR}/scenario-2.env

imds() {
  local token
  token=$(curl -sf -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 60') &&
    curl -sf -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"
}

# The Elastic IP is associated once the instance runs: calls made before that would not come from
# the address on the threat list (or would not get out at all).
for attempt in $(seq 1 60); do
  if [ "$(imds public-ipv4 || true)" = "$MALICIOUS_IP" ]; then break; fi
  echo "waiting for the Elastic IP $MALICIOUS_IP (attempt $attempt)"
  sleep 10
done
if [ "$(imds public-ipv4 || true)" != "$MALICIOUS_IP" ]; then
  echo "the instance does not send from $MALICIOUS_IP; not calling anything" >&2
  exit 1
fi

# The user's key, made with the instance role (before the key replaces it in this environment), kept
# in memory only (/run is a tmpfs).
KEY_FILE=${KEY_FILE}
if [ ! -s "$KEY_FILE" ]; then
  keys=$(aws --region "$SIMULATION_REGION" iam list-access-keys --user-name "$USER_NAME" --query 'AccessKeyMetadata[].[AccessKeyId,Status]' --output text) ||
    { echo "cannot list the access keys of $USER_NAME" >&2; exit 1; }
  if printf '%s\n' "$keys" | grep -q 'Inactive'; then
    echo "the access key of $USER_NAME was deactivated (remediated); not making another"
    exit 0
  fi
  # A key made before a reboot went with the memory that held it.
  for old in $(printf '%s\n' "$keys" | cut -f1); do
    aws --region "$SIMULATION_REGION" iam delete-access-key --user-name "$USER_NAME" --access-key-id "$old" || { echo "cannot delete the old key $old" >&2; exit 1; }
  done
  install -d -m 0700 "$(dirname "$KEY_FILE")"
  if ! (umask 077 && aws --region "$SIMULATION_REGION" iam create-access-key --user-name "$USER_NAME" --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text > "$KEY_FILE.new"); then
    rm -f "$KEY_FILE.new"
    echo "cannot create an access key for $USER_NAME" >&2
    exit 1
  fi
  mv "$KEY_FILE.new" "$KEY_FILE"
fi
read -r key_id secret < "$KEY_FILE"
export AWS_ACCESS_KEY_ID="$key_id" AWS_SECRET_ACCESS_KEY="$secret"
unset AWS_SESSION_TOKEN key_id secret

# Denied calls count too: GuardDuty sees every call from the address, allowed or not.
call() {
  if aws --region "$SIMULATION_REGION" "$@" > /dev/null 2>&1; then
    echo "called: aws $*"
  else
    echo "called (denied or failed): aws $*"
  fi
}
call sts get-caller-identity
call iam get-user
call iam list-users
call iam list-roles
call dynamodb list-tables
call dynamodb describe-table --table-name "$TABLE_NAME"
call dynamodb scan --table-name "$TABLE_NAME"
call ssm describe-parameters
call ssm get-parameter --name "$PARAMETER_NAME" --with-decryption
SCRIPT
chmod 0755 /usr/local/bin/guardduty-scenario-2

${scheduledService({
    name: 'guardduty-scenario-2',
    description: 'GuardDuty simulation scenario 2: AWS API calls with a compromised access key',
    service: ['ExecStart=/usr/local/bin/guardduty-scenario-2'],
    firstRunAfterBoot: '2min',
    everyMinutes: interval,
  })}
`;
}

interface ScheduledService {
  /** Unit name, without `.service` / `.timer`. */
  readonly name: string;
  readonly description: string;
  /** Lines of the `[Service]` section (a oneshot service). */
  readonly service: readonly string[];
  readonly firstRunAfterBoot: string;
  readonly everyMinutes: number;
  /** How late systemd may start a run. @default systemd's (one minute) */
  readonly accuracy?: string;
}

/**
 * Bash that installs a oneshot service and the timer that runs it, and starts the timer: Amazon
 * Linux 2023 has no cron, and a timer survives reboots.
 */
function scheduledService(unit: ScheduledService): string {
  const timer = [`OnBootSec=${unit.firstRunAfterBoot}`, `OnUnitActiveSec=${String(unit.everyMinutes)}min`, ...(unit.accuracy ? [`AccuracySec=${unit.accuracy}`] : [])];
  return bashScript`cat > /etc/systemd/system/${unit.name}.service <<'UNIT'
[Unit]
Description=${unit.description}
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
${unit.service.join('\n')}
UNIT

cat > /etc/systemd/system/${unit.name}.timer <<'UNIT'
[Unit]
Description=${unit.description.replace(/:.*$/, '')} schedule

[Timer]
${timer.join('\n')}

[Install]
WantedBy=timers.target
UNIT

systemctl daemon-reload
systemctl enable --now ${unit.name}.timer`;
}

/** Single-quotes a value for bash; a cdktf token has no quotes and passes through unchanged. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function positiveMinutes(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of minutes, at least 1; got ${value}`);
  return value;
}

/**
 * Joins a script template with its values, refusing Terraform interpolation syntax in the fixed
 * text, where it would be evaluated by Terraform instead of reaching bash.
 */
export function bashScript(strings: TemplateStringsArray, ...values: string[]): string {
  for (const part of strings) {
    const found = /\$\{|%\{/.exec(part);
    if (found) throw new Error(`user-data template contains "${found[0]}", which Terraform would interpolate: ${part.slice(found.index, found.index + 40)}`);
  }
  return strings.reduce((out, part, index) => out + part + (index < values.length ? values[index] : ''), '');
}
