import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { chmod, copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { EXIT_LOCKED } from '../../src/cli/run-command.js';
import { DEFAULT_STOP_DEADLINE_MS } from '../../src/daemon/shutdown.js';
import { repoRoot, tmpDir } from '../helpers/paths.js';

const execFileP = promisify(execFile);
const deploy = join(repoRoot, 'deploy');
const unitPath = join(deploy, 'facetag.service');
const installSh = join(deploy, 'install.sh');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command and returns its exit code and output instead of throwing on failure. */
async function run(cmd: string, args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileP(cmd, args, { cwd: repoRoot });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err; // not found, not an exit status
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function which(tool: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/bin', '/usr/sbin', '/bin'])) {
    try {
      accessSync(join(dir, tool), constants.X_OK);
      return join(dir, tool);
    } catch {}
  }
  return undefined;
}

/** The unit's [Service] (and [Unit]) settings; repeated keys keep every value. */
function parseUnit(text: string): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('[')) continue;
    const eq = line.indexOf('=');
    const key = line.slice(0, eq);
    settings.set(key, [...(settings.get(key) ?? []), line.slice(eq + 1)]);
  }
  return settings;
}

const analyze = which('systemd-analyze');
const sysusers = which('systemd-sysusers');
const noSystemd = 'systemd-analyze not found: apt-get install systemd (Debian package "systemd")';

let dir = '';
before(async () => {
  dir = await tmpDir('facetag-deploy-');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('facetag.service', () => {
  test('has the settings the daemon and its docs rely on', async () => {
    const unit = parseUnit(await readFile(unitPath, 'utf8'));
    const one = (key: string) => {
      const values = unit.get(key);
      assert.equal(values?.length, 1, `${key} set once`);
      return values?.[0] ?? '';
    };
    assert.equal(one('Type'), 'notify');
    assert.equal(one('NotifyAccess'), 'main');
    assert.equal(one('WatchdogSec'), '60');
    assert.equal(one('Restart'), 'on-failure');
    assert.ok(one('RestartPreventExitStatus').split(/\s+/).includes('78'), 'config errors (78) are not restarted');
    assert.ok(
      one('RestartPreventExitStatus').split(/\s+/).includes(String(EXIT_LOCKED)),
      'a second daemon on the same data folder is not restarted',
    );
    assert.equal(one('User'), 'facetag');
    assert.equal(one('Group'), 'facetag');
    assert.equal(one('StateDirectory'), 'facetag');
    assert.equal(one('ProtectSystem'), 'strict');
    assert.equal(one('IOSchedulingClass'), 'idle');
    for (const key of ['NoNewPrivileges', 'PrivateTmp', 'ReadWritePaths', 'MemoryMax', 'CPUQuota', 'Nice']) one(key);
    // ExecStart runs the package's own bin from the layout install.sh creates.
    const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { bin: { facetag: string } };
    assert.equal(
      one('ExecStart'),
      `/usr/bin/node /opt/facetag/${pkg.bin.facetag} run --config /etc/facetag/config.json`,
    );
    const env = unit.get('Environment') ?? [];
    assert.ok(env.some((e) => e.startsWith('FACETAG_PHOTOS=')));
    assert.ok(env.some((e) => e.startsWith('FACETAG_PORT=')));
    // The daemon must finish its own stop before systemd's SIGKILL.
    assert.ok(DEFAULT_STOP_DEADLINE_MS < Number(one('TimeoutStopSec')) * 1000, 'stop deadline < TimeoutStopSec');
  });

  test('systemd-analyze verify passes without warnings', { skip: analyze ? false : noSystemd }, async () => {
    // verify checks that the ExecStart binary is executable, and nothing else about the host (not
    // the user, the script path or the directories). Where node is not /usr/bin/node, check a copy
    // that runs the node running this test instead.
    const copy = join(dir, 'verify', 'facetag.service');
    await mkdir(join(dir, 'verify'));
    let text = await readFile(unitPath, 'utf8');
    if (!isExecutable('/usr/bin/node')) {
      text = text.replace('ExecStart=/usr/bin/node ', `ExecStart=${process.execPath} `);
    }
    await writeFile(copy, text);
    const result = await run(analyze ?? '', ['verify', copy]);
    assert.equal(result.code, 0, result.stderr);
    // verify exits 0 on unknown keys and invalid values and only prints them, so warnings fail here.
    const ours = result.stderr.split('\n').filter((l) => l.includes('facetag'));
    assert.deepEqual(ours, []);
  });

  test('hardening: systemd-analyze security rates it at most 2.0', { skip: analyze ? false : noSystemd }, async () => {
    const result = await run(analyze ?? '', ['security', '--offline=true', '--threshold=20', unitPath]);
    const overall = /Overall exposure level for facetag\.service: ([\d.]+)/.exec(result.stdout)?.[1];
    assert.equal(
      result.code,
      0,
      `exposure ${overall}; the ✗ lines:\n${result.stdout
        .split('\n')
        .filter((l) => l.startsWith('✗'))
        .join('\n')}`,
    );
  });
});

test('facetag.sysusers creates the facetag user and group', { skip: sysusers ? false : noSystemd }, async () => {
  const root = join(dir, 'sysusers');
  await mkdir(join(root, 'etc'), { recursive: true });
  const result = await run(sysusers ?? '', ['--dry-run', `--root=${root}`, join(deploy, 'facetag.sysusers')]);
  assert.equal(result.code, 0, result.stderr);
  const out = result.stdout + result.stderr;
  assert.match(out, /Creating group 'facetag'/);
  assert.match(out, /Creating user 'facetag' \(facetag face-tagging daemon\)/);
  assert.doesNotMatch(out, /ignoring|invalid|failed/i);
});

describe('install.sh', () => {
  test('is valid bash', async () => {
    const result = await run('bash', ['-n', installSh]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(((await stat(installSh)).mode & 0o111) !== 0, 'executable');
  });

  test('is shellcheck-clean', {
    skip: which('shellcheck') ? false : 'shellcheck not found (apt-get install shellcheck)',
  }, async () => {
    const result = await run('shellcheck', [
      installSh,
      join(deploy, 'facetag-command.sh'),
      join(repoRoot, 'bin/facetag'),
    ]);
    assert.equal(result.code, 0, result.stdout);
  });

  test('--dry-run prints the plan, mentions the unit, and changes nothing', async () => {
    const root = join(dir, 'dry');
    await mkdir(root);
    const result = await run('bash', [installSh, '--dry-run', '--root', root]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /would run: install -D -m 0644 \S+\/deploy\/facetag\.service \S+\/usr\/local\/lib\/systemd\/system\/facetag\.service/,
    );
    assert.match(result.stdout, /would run: systemd-sysusers/);
    assert.match(
      result.stdout,
      /would run: install -D -m 0755 \S+\/deploy\/facetag-command\.sh \S+\/usr\/local\/bin\/facetag/,
    );
    assert.match(result.stdout, /\/opt\/facetag/);
    assert.deepEqual(await readdir(root), []);
  });

  test('refuses to install without root', async () => {
    // nobody must be able to read the script whatever the checkout's permissions (a clone in a
    // mktemp -d folder is 0700), so it runs from a world-readable copy.
    const box = await mkdtemp(join(tmpdir(), 'facetag-nonroot-'));
    await chmod(box, 0o755);
    const script = join(box, 'install.sh');
    await copyFile(installSh, script);
    await chmod(script, 0o755);
    const args = [script, '--root', join(box, 'root')];
    // As root, drop to nobody for this one run (setpriv is in util-linux).
    const result =
      process.getuid?.() === 0
        ? await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'bash', ...args])
        : await run('bash', args);
    await rm(box, { recursive: true, force: true });
    assert.equal(result.code, 77);
    assert.match(result.stderr, /must run as root/);
  });

  test('rejects an unknown option with usage', async () => {
    const result = await run('bash', [installSh, '--frobnicate']);
    assert.equal(result.code, 64);
    assert.match(result.stderr, /unknown option --frobnicate[\s\S]*usage:/);
  });

  test('installs into a staging root, and a second run keeps the config and replaces the program', {
    skip: process.getuid?.() !== 0 ? 'needs root (CI runs as root)' : sysusers ? false : noSystemd,
  }, async () => {
    // A small fake build, so the test does not copy the real node_modules.
    const src = join(dir, 'src');
    await mkdir(join(src, 'dist/src'), { recursive: true });
    await mkdir(join(src, 'models'));
    await cp(deploy, join(src, 'deploy'), { recursive: true });
    await chmod(join(src, 'deploy/install.sh'), 0o755);
    await writeFile(join(src, 'dist/src/cli.js'), '// v1\n');
    await writeFile(join(src, 'models/cascade.xml'), '<x/>\n');
    await writeFile(join(src, 'package.json'), '{"name":"facetag","version":"0.0.0"}\n');
    await copyFile(join(repoRoot, 'config.example.json'), join(src, 'config.example.json'));
    const root = join(dir, 'root');
    await mkdir(root);
    const install = () => run('bash', [join(src, 'deploy/install.sh'), '--source', src, '--root', root]);

    const first = await install();
    assert.equal(first.code, 0, first.stderr + first.stdout);
    assert.match(first.stdout, /not running systemctl daemon-reload/);
    const passwd = await readFile(join(root, 'etc/passwd'), 'utf8');
    assert.match(passwd, /^facetag:x:\d+:\d+:facetag face-tagging daemon:\/var\/lib\/facetag:\/usr\/sbin\/nologin$/m);
    const gid = Number(/^facetag:x:(\d+):/m.exec(await readFile(join(root, 'etc/group'), 'utf8'))?.[1]);
    const config = join(root, 'etc/facetag/config.json');
    const st = await stat(config);
    assert.equal(st.mode & 0o777, 0o640);
    assert.deepEqual([st.uid, st.gid], [0, gid]);
    assert.equal((await stat(join(root, 'etc/facetag'))).mode & 0o777, 0o750);
    assert.equal(
      await readFile(join(root, 'usr/local/lib/systemd/system/facetag.service'), 'utf8'),
      await readFile(unitPath, 'utf8'),
    );
    assert.ok((await stat(join(root, 'usr/local/lib/sysusers.d/facetag.conf'))).isFile());
    // The command line runs the installed program with the service's data folder.
    const command = join(root, 'usr/local/bin/facetag');
    assert.equal((await stat(command)).mode & 0o777, 0o755);
    const wrapper = await readFile(command, 'utf8');
    assert.match(wrapper, /^exec \/usr\/bin\/node \/opt\/facetag\/dist\/src\/cli\.js "\$@"$/m);
    assert.match(wrapper, /STATE_DIRECTORY:=\/var\/lib\/facetag/);

    await writeFile(config, '{"photos":["/mine"]}\n');
    await writeFile(join(src, 'dist/src/cli.js'), '// v2\n');
    const second = await install();
    assert.equal(second.code, 0, second.stderr + second.stdout);
    assert.match(second.stdout, /keeping \S+\/etc\/facetag\/config\.json/);
    assert.equal(await readFile(config, 'utf8'), '{"photos":["/mine"]}\n');
    assert.equal(await readFile(join(root, 'opt/facetag/dist/src/cli.js'), 'utf8'), '// v2\n');
    assert.deepEqual(await readdir(join(root, 'opt')), ['facetag'], 'no staging leftovers');
  });
});

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
