import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { statSync } from 'node:fs';
import {
  bashScript,
  KEY_FILE,
  scenario1UserData,
  scenario2UserData,
  SETTINGS_DIR,
  shellQuote,
  type Scenario2Options,
} from '../../../lib/simulation/user-data';

/** `bash -n` on a script: its exit status and what bash said. */
function bashSyntax(script: string): { status: number | null; stderr: string } {
  const result = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr };
}

/** The body of a quoted here-document `cat > <target> <<'<marker>'` in a script. */
function hereDocument(script: string, target: string, marker: string): string {
  const start = script.indexOf(`cat > ${target} <<'${marker}'\n`);
  if (start < 0) throw new Error(`no here-document for ${target}`);
  const body = script.slice(script.indexOf('\n', start) + 1);
  const end = body.indexOf(`\n${marker}\n`);
  if (end < 0) throw new Error(`here-document ${marker} for ${target} is not closed`);
  return body.slice(0, end + 1);
}

const SCENARIO_2: Scenario2Options = {
  maliciousIp: '198.51.100.7',
  region: 'us-west-2',
  userName: 'GuardDuty-Example-Compromised-Simulated',
  tableName: 'GuardDuty-Example-Customer-DB',
  parameterName: 'gd_prod_dbpwd_sample',
};

describe('scenario1UserData', () => {
  it('is valid bash that writes the target and enables a timer pinging it every minute', () => {
    const script = scenario1UserData({ targetIp: '198.51.100.7' });
    expect(bashSyntax(script)).toEqual({ status: 0, stderr: '' });
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    expect(script).toContain(`printf 'TARGET_IP=%s\\n' '198.51.100.7' > ${SETTINGS_DIR}/scenario-1.env\n`);
    const timer = hereDocument(script, '/etc/systemd/system/guardduty-scenario-1.timer', 'UNIT');
    expect(timer).toContain('[Timer]\nOnBootSec=1min\nOnUnitActiveSec=1min\n');
    expect(timer).toContain('WantedBy=timers.target');
    const service = hereDocument(script, '/etc/systemd/system/guardduty-scenario-1.service', 'UNIT');
    expect(service).toContain(`EnvironmentFile=${SETTINGS_DIR}/scenario-1.env\n`);
    expect(service).toContain('ExecStart=/usr/bin/ping -c 5 -W 2 $TARGET_IP\n');
    expect(script.trimEnd().endsWith('systemctl enable --now guardduty-scenario-1.timer')).toBe(true);
  });

  it('takes another interval and refuses one that is not a whole positive number of minutes', () => {
    expect(scenario1UserData({ targetIp: '198.51.100.7', intervalMinutes: 5 })).toContain('OnUnitActiveSec=5min\n');
    expect(() => scenario1UserData({ targetIp: '198.51.100.7', intervalMinutes: 0 })).toThrow(
      'intervalMinutes must be a whole number of minutes, at least 1; got 0',
    );
    expect(() => scenario1UserData({ targetIp: '198.51.100.7', intervalMinutes: 1.5 })).toThrow(/got 1.5$/);
  });

  it('keeps a hostile value inside its quotes', () => {
    const script = scenario1UserData({ targetIp: "1.2.3.4'; rm -rf / #" });
    expect(bashSyntax(script).status).toBe(0);
    expect(script).toContain(`printf 'TARGET_IP=%s\\n' '1.2.3.4'\\''; rm -rf / #' >`);
  });
});

describe('scenario2UserData', () => {
  it('is valid bash, and so is the script it installs', () => {
    const script = scenario2UserData(SCENARIO_2);
    expect(bashSyntax(script)).toEqual({ status: 0, stderr: '' });
    expect(bashSyntax(hereDocument(script, '/usr/local/bin/guardduty-scenario-2', 'SCRIPT'))).toEqual({ status: 0, stderr: '' });
  });

  it('writes its settings, and schedules the calls after boot and every 30 minutes', () => {
    const script = scenario2UserData(SCENARIO_2);
    expect(script).toContain(
      [
        '{',
        "printf 'MALICIOUS_IP=%s\\n' '198.51.100.7'",
        "printf 'SIMULATION_REGION=%s\\n' 'us-west-2'",
        "printf 'USER_NAME=%s\\n' 'GuardDuty-Example-Compromised-Simulated'",
        "printf 'TABLE_NAME=%s\\n' 'GuardDuty-Example-Customer-DB'",
        "printf 'PARAMETER_NAME=%s\\n' 'gd_prod_dbpwd_sample'",
        `} > ${SETTINGS_DIR}/scenario-2.env`,
      ].join('\n'),
    );
    const timer = hereDocument(script, '/etc/systemd/system/guardduty-scenario-2.timer', 'UNIT');
    expect(timer).toContain('OnBootSec=2min\nOnUnitActiveSec=30min\n');
    expect(scenario2UserData({ ...SCENARIO_2, intervalMinutes: 10 })).toContain('OnUnitActiveSec=10min\n');
    expect(script.trimEnd().endsWith('systemctl enable --now guardduty-scenario-2.timer')).toBe(true);
  });

  it('holds no key: the instance makes one at run time and keeps it in memory only (/run)', () => {
    const script = scenario2UserData(SCENARIO_2);
    expect(script).not.toMatch(/AKIA|ASIA/);
    // Nothing written to a credentials file or profile; the key file is on the /run tmpfs.
    expect(script).not.toMatch(/aws_access_key_id|aws configure|\.aws\/credentials/);
    expect(KEY_FILE.startsWith('/run/')).toBe(true);
    expect(script).toContain(`KEY_FILE=${KEY_FILE}\n`);
    expect(script).toContain('export AWS_ACCESS_KEY_ID="$key_id" AWS_SECRET_ACCESS_KEY="$secret"');
  });

  describe('the installed script, run with a stand-in curl and aws', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'gd-scenario-2-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    /** The user's keys as IAM lists them (`id<TAB>status` lines), as the fake aws answers. */
    const keysFile = () => path.join(dir, 'iam-keys');
    const keyFile = () => path.join(dir, 'run', 'compromised-user.key');

    function run(publicIp: string) {
      const script = scenario2UserData(SCENARIO_2);
      const settings = script.slice(script.indexOf('{\n') + 2, script.indexOf(`\n} > ${SETTINGS_DIR}`));
      writeFileSync(path.join(dir, 'settings.env'), spawnSync('bash', ['-c', settings], { encoding: 'utf8' }).stdout);
      const installed = hereDocument(script, '/usr/local/bin/guardduty-scenario-2', 'SCRIPT')
        .replace(`. ${SETTINGS_DIR}/scenario-2.env`, `. ${path.join(dir, 'settings.env')}`)
        .replace(`KEY_FILE=${KEY_FILE}`, `KEY_FILE=${keyFile()}`);
      const bin = path.join(dir, 'bin');
      mkdirSync(bin, { recursive: true });
      const fake = (name: string, body: string) => {
        writeFileSync(path.join(bin, name), `#!/bin/bash\n${body}\n`);
        chmodSync(path.join(bin, name), 0o755);
      };
      fake('curl', `case "$*" in *api/token*) echo token-1;; *public-ipv4*) echo ${publicIp};; *) exit 22;; esac`);
      fake(
        'aws',
        [
          `echo "$AWS_ACCESS_KEY_ID|$*" >> ${path.join(dir, 'calls')}`,
          'case "$*" in',
          `  *"iam list-access-keys"*) cat ${keysFile()} 2>/dev/null || true;;`,
          `  *"iam delete-access-key"*) grep -v "$8" ${keysFile()} > ${keysFile()}.left; mv ${keysFile()}.left ${keysFile()};;`,
          `  *"iam create-access-key"*) printf 'AKIDEXAMPLE\\tActive\\n' >> ${keysFile()}; printf 'AKIDEXAMPLE\\tSECRETEXAMPLE\\n';;`,
          '  *"iam list-users"*) exit 254;;',
          'esac',
        ].join('\n'),
      );
      fake('sleep', 'exit 0');
      const result = spawnSync('bash', ['-c', installed], {
        encoding: 'utf8',
        env: { PATH: `${bin}:/usr/bin:/bin`, AWS_ACCESS_KEY_ID: 'ROLE', AWS_SESSION_TOKEN: 'role-token' },
      });
      let calls: string[] = [];
      try {
        calls = readFileSync(path.join(dir, 'calls'), 'utf8').trim().split('\n');
      } catch {
        calls = [];
      }
      rmSync(path.join(dir, 'calls'), { force: true });
      return { ...result, calls };
    }

    const withRole = (args: string) => `ROLE|--region us-west-2 ${args}`;
    const withKey = (args: string) => `AKIDEXAMPLE|--region us-west-2 ${args}`;
    const USER = 'GuardDuty-Example-Compromised-Simulated';
    const listKeys = withRole(`iam list-access-keys --user-name ${USER} --query AccessKeyMetadata[].[AccessKeyId,Status] --output text`);
    const createKey = withRole(`iam create-access-key --user-name ${USER} --query AccessKey.[AccessKeyId,SecretAccessKey] --output text`);
    const scenarioCalls = [
      withKey('sts get-caller-identity'),
      withKey('iam get-user'),
      withKey('iam list-users'),
      withKey('iam list-roles'),
      withKey('dynamodb list-tables'),
      withKey('dynamodb describe-table --table-name GuardDuty-Example-Customer-DB'),
      withKey('dynamodb scan --table-name GuardDuty-Example-Customer-DB'),
      withKey('ssm describe-parameters'),
      withKey('ssm get-parameter --name gd_prod_dbpwd_sample --with-decryption'),
    ];

    it('makes the key with the instance role the first time, keeps it in a file only root reads, then calls IAM, DynamoDB and SSM with it', () => {
      const { status, stdout, calls } = run('198.51.100.7');

      expect(status).toBe(0);
      expect(calls).toEqual([listKeys, createKey, ...scenarioCalls]);
      expect(readFileSync(keyFile(), 'utf8')).toBe('AKIDEXAMPLE\tSECRETEXAMPLE\n');
      expect(statSync(keyFile()).mode & 0o777).toBe(0o600);
      expect(stdout).toContain('called (denied or failed): aws iam list-users\n');
      expect(stdout).toContain('called: aws iam get-user\n');
      expect(stdout).not.toContain('SECRETEXAMPLE');
    });

    it('uses the key it made on later runs, without any IAM key call', () => {
      run('198.51.100.7');

      const { status, calls } = run('198.51.100.7');

      expect(status).toBe(0);
      expect(calls).toEqual(scenarioCalls);
    });

    it('after a reboot (the key gone with the memory) deletes the old key and makes a new one', () => {
      writeFileSync(keysFile(), 'AKIDBEFOREREBOOT\tActive\n');

      const { status, calls } = run('198.51.100.7');

      expect(status).toBe(0);
      expect(calls).toEqual([listKeys, withRole(`iam delete-access-key --user-name ${USER} --access-key-id AKIDBEFOREREBOOT`), createKey, ...scenarioCalls]);
      expect(readFileSync(keysFile(), 'utf8')).toBe('AKIDEXAMPLE\tActive\n');
    });

    it('never undoes a remediation: with a deactivated key it makes no new key and calls nothing', () => {
      writeFileSync(keysFile(), 'AKIDDEACTIVATED\tInactive\n');

      const { status, stdout, calls } = run('198.51.100.7');

      expect(status).toBe(0);
      expect(stdout).toContain(`the access key of ${USER} was deactivated (remediated); not making another`);
      expect(calls).toEqual([listKeys]);
    });

    it('calls nothing while the instance does not send from the Elastic IP', () => {
      const { status, stderr, calls } = run('203.0.113.9');
      expect(status).toBe(1);
      expect(stderr).toContain('the instance does not send from 198.51.100.7; not calling anything');
      expect(calls).toEqual([]);
    });
  });
});

describe('bashSyntax, the check itself', () => {
  it('fails a broken script', () => {
    expect(bashSyntax('if true; then echo unterminated\n').status).not.toBe(0);
  });
});

describe('shellQuote', () => {
  it('single-quotes, escaping single quotes, and leaves a token as it is', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('${TfToken[TOKEN.1]}')).toBe(`'\${TfToken[TOKEN.1]}'`);
  });
});

describe('bashScript', () => {
  it('refuses Terraform interpolation syntax in the fixed text, but not in values', () => {
    expect(() => bashScript`echo \${HOME}`).toThrow('user-data template contains "${", which Terraform would interpolate: ${HOME}');
    expect(() => bashScript`echo %{ if x }`).toThrow(/contains "%\{"/);
    expect(bashScript`ip=${'${TfToken[TOKEN.1]}'}`).toBe('ip=${TfToken[TOKEN.1]}');
  });
});
