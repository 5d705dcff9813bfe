/**
 * The install paths of each OS, run in the stubbed scratch root: which commands run, in which order, and what a
 * busy dpkg lock, a lost apt source, a newer AL2023 kernel or a rate-limited registry do to them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderUserData } from '../../../lib/userdata/index.js';
import type { UserDataOptions } from '../../../lib/userdata/index.js';
import { AL2_DRIVER_VERSION } from '../../../lib/userdata/platform.js';
import { APT_INSTALL, baseOptions } from './fixtures.js';
import { BASH, makeSandbox, makeScratch, removeScratch, runInSandbox } from './sandbox.js';
import type { RunResult } from './sandbox.js';

afterAll(removeScratch);

type Run = RunResult & { root: string };

const run = (options: UserDataOptions, env: Record<string, string> = {}, absent: string[] = []): Run => {
  const sandbox = makeSandbox(absent);
  return { ...runInSandbox(renderUserData(options), sandbox, env), root: sandbox.root };
};

/** Index of each expected call (by prefix), asserting every one is present and after the one before it. */
const expectInOrder = (calls: string[], prefixes: string[]): void => {
  let from = 0;
  for (const prefix of prefixes) {
    const at = calls.findIndex((call, i) => i >= from && call.startsWith(prefix));
    if (at < 0) throw new Error(`expected "${prefix}" after call ${from} in:\n${calls.join('\n')}`);
    from = at + 1;
  }
};

const UPDATE = 'apt-get -o DPkg::Lock::Timeout=600 -q update';
const ubuntuStandard = baseOptions({ amiSource: 'standard' });

describe('Ubuntu standard AMI: NVIDIA repository, open driver, dpkg lock', () => {
  test('keyring by apt-get from the file, then headers, then nvidia-open with the toolkit, each after a refresh', () => {
    const result = run(ubuntuStandard);
    expect(result.status).toBe(0);
    expectInOrder(result.calls, [
      'curl -fsSL -o ' + join(result.root, 'state/downloads/cuda-keyring.deb'),
      `${APT_INSTALL} ${join(result.root, 'state/downloads/cuda-keyring.deb')}`,
      UPDATE,
      'apt-cache show --no-all-versions linux-headers-5.10.0-test',
      `${APT_INSTALL} linux-headers-5.10.0-test`,
      UPDATE,
      'apt-cache show --no-all-versions nvidia-open',
      'apt-cache show --no-all-versions cuda-toolkit-12-6',
      `${APT_INSTALL} nvidia-open cuda-toolkit-12-6`,
      'modprobe nvidia',
    ]);
    expect(result.calls.some((c) => c.startsWith('dpkg'))).toBe(false);
    expect(result.calls.some((c) => c.includes('cuda-drivers'))).toBe(false);
    // Every install keeps changed config files without a prompt.
    const installs = result.calls.filter((c) => c.startsWith('apt-get') && c.includes(' install '));
    expect(installs.length).toBeGreaterThanOrEqual(3);
    for (const install of installs) expect(install.startsWith(APT_INSTALL)).toBe(true);
  });

  test('a refresh after which the package is unknown (a failed source) is retried with the install', () => {
    // The first apt-cache lookup fails: apt-get update exited 0, but the CUDA source did not load.
    const result = run(ubuntuStandard, { STUB_APT_UNKNOWN: '1' });
    expect(result.status).toBe(0);
    expectInOrder(result.calls, [UPDATE, 'apt-cache show --no-all-versions linux-headers-', 'sleep 5', UPDATE, `${APT_INSTALL} linux-headers-`]);
    expect(result.setupLog).toContain('apt does not know linux-headers-5.10.0-test');
    expect(result.setupLog).toMatch(/attempt 1 failed, retrying in 5s: refresh_and_install linux-headers-5\.10\.0-test/);
  });

  test('a dpkg lock held by unattended-upgrades is waited for before the first install', () => {
    const result = run(ubuntuStandard, { STUB_APT_BUSY: '2' });
    expect(result.status).toBe(0);
    const firstInstall = result.calls.findIndex((c) => c.startsWith(APT_INSTALL));
    expect(result.calls.slice(0, firstInstall).filter((c) => c === 'sleep 5')).toHaveLength(2);
    expect(result.setupLog.match(/apt is busy \(unattended-upgrades\?\); waiting/g)).toHaveLength(2);
  });

  test('without fuser the locks are probed by python3 before every apt call', () => {
    const result = run(ubuntuStandard, {}, ['fuser']);
    expect(result.status).toBe(0);
    expectInOrder(result.calls, ['python3 -c import fcntl,os,sys', UPDATE, 'python3 -c import fcntl,os,sys', APT_INSTALL]);
    expect(result.calls.some((c) => c.startsWith('flock') || c.startsWith('fuser'))).toBe(false);
  });

  test('that probe sees a lock held the way dpkg holds it (fcntl), which flock(1) cannot see', async () => {
    // Prepare: the function as rendered, a real python3 alone on PATH (so no fuser), and a lock file.
    const fn = /^apt_locks_busy\(\) \{\n[\s\S]*?\n\}$/m.exec(renderUserData(ubuntuStandard))?.[0] ?? '';
    const python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim();
    const dir = makeScratch('gpu-deploy-locks-');
    const lock = join(dir, 'lock-frontend');
    writeFileSync(lock, '');
    mkdirSync(join(dir, 'bin'));
    symlinkSync(python, join(dir, 'bin', 'python3'));
    const busy = (): number | null =>
      spawnSync(BASH, ['-c', `APT_LOCKS=("$1")\n${fn}\napt_locks_busy`, 'bash', lock], { env: { PATH: join(dir, 'bin') } }).status;
    expect(busy()).toBe(1);
    // Act: a process takes dpkg's kind of lock (fcntl F_SETLK, as lockf does) and keeps it.
    const holder = spawn(python, ['-c', 'import fcntl,os,sys,time\nfd=os.open(sys.argv[1],os.O_RDWR)\nfcntl.lockf(fd,fcntl.LOCK_EX)\nprint("held",flush=True)\ntime.sleep(60)', lock]);
    try {
      await once(holder.stdout, 'data');
      // Assess
      expect(busy()).toBe(0);
      expect(spawnSync('flock', ['-n', lock, 'true']).status).toBe(0);
    } finally {
      holder.kill();
    }
  });

  test('a DLAMI that lacks only the CA bundle refreshes once and installs it', () => {
    const result = run(baseOptions(), {}, ['ca-certificates']);
    expect(result.status).toBe(0);
    expect(result.calls.filter((c) => c.startsWith('apt-get'))).toEqual([UPDATE, `${APT_INSTALL} ca-certificates`]);
  });
});

describe('Amazon Linux 2023: the devel package of the running kernel', () => {
  const al2023 = baseOptions({ osType: 'amazon-linux-2023', amiSource: 'standard' });

  test.each([
    ['6.12.40-63.114.amzn2023.x86_64', 'kernel6.12', 'kernel6.12'],
    ['6.1.147-172.266.amzn2023.x86_64', 'kernel', 'kernel'],
    // rpm cannot say (no package owns the file): the name follows the version.
    ['6.18.2-10.30.amzn2023.x86_64', '', 'kernel6.18'],
    ['6.1.147-172.266.amzn2023.x86_64', '', 'kernel'],
  ])('kernel %s owned by "%s" installs %s-devel', (kernel, owner, expected) => {
    const result = run(al2023, { STUB_KERNEL: kernel, STUB_KERNEL_PACKAGE: owner });
    expect(result.status).toBe(0);
    expectInOrder(result.calls, [
      `rpm -q --qf %{NAME}\\n -f /boot/vmlinuz-${kernel}`,
      `dnf -y -q install ${expected}-devel-${kernel} ${expected}-modules-extra-${kernel}`,
      'curl -fsSL -o ',
      'dnf -y module enable nvidia-driver:open-dkms',
      'dnf -y -q install nvidia-open cuda-toolkit-12-6',
      'modprobe nvidia',
    ]);
    expect(result.setupLog).toContain(`running kernel ${kernel} comes from package ${expected}`);
  });
});

describe('Amazon Linux 2: the driver runfile', () => {
  const al2 = baseOptions({ osType: 'amazon-linux-2', amiSource: 'standard' });

  test('nouveau out, dkms in, open modules from a 570+ runfile, then the persistence daemon unit', () => {
    const result = run(al2);
    expect(result.status).toBe(0);
    expectInOrder(result.calls, [
      'yum -y -q install gcc make kernel-devel-5.10.0-test',
      'yum -y -q install gcc10',
      'yum -y -q install dkms',
      'modprobe -r nouveau',
      `curl -fsSL -o ${join(result.root, 'state/downloads/nvidia-driver.run')} https://us.download.nvidia.com/tesla/${AL2_DRIVER_VERSION}/NVIDIA-Linux-x86_64-${AL2_DRIVER_VERSION}.run`,
      'nvidia-driver.run --silent --dkms --disable-nouveau -m=kernel-open',
      'systemctl daemon-reload',
      'cuda.run --silent --toolkit',
      'modprobe nvidia',
      'systemctl enable --now nvidia-persistenced',
    ]);
    expect(Number(AL2_DRIVER_VERSION.split('.')[0])).toBeGreaterThanOrEqual(570);
    expect(readFileSync(join(result.root, 'etc/modprobe.d/blacklist-nouveau.conf'), 'utf8')).toBe('blacklist nouveau\noptions nouveau modeset=0\n');
    const unit = readFileSync(join(result.root, 'etc/systemd/system/nvidia-persistenced.service'), 'utf8');
    expect(unit).toContain('ExecStart=/usr/bin/nvidia-persistenced --verbose');
    expect(unit).toContain('WantedBy=multi-user.target');
  });

  test('dkms comes from EPEL when the base repositories lack it', () => {
    const result = run(al2, { STUB_NO_DKMS: '1' });
    expect(result.status).toBe(0);
    expectInOrder(result.calls, ['yum -y -q install dkms', 'amazon-linux-extras install -y epel', 'yum -y -q install dkms', 'nvidia-driver.run --silent']);
  });

  test('a DLAMI gets no runfile and no unit', () => {
    const result = run(baseOptions({ osType: 'amazon-linux-2' }));
    expect(result.status).toBe(0);
    expect(result.calls.some((c) => c.includes('.run'))).toBe(false);
    expect(existsSync(join(result.root, 'etc/systemd/system/nvidia-persistenced.service'))).toBe(false);
  });
});

describe('images: the GPU check off Docker Hub, a rate-limited Ollama pull named', () => {
  test('the Docker GPU check pulls and runs the plain Ubuntu image from ECR Public', () => {
    const result = run(baseOptions());
    expectInOrder(result.calls, [
      'docker pull public.ecr.aws/docker/library/ubuntu:24.04',
      'docker run --rm --gpus all public.ecr.aws/docker/library/ubuntu:24.04 nvidia-smi -L',
      'docker pull ollama/ollama:latest',
    ]);
  });

  test('toomanyrequests on the Ollama image fails the ollama stage at once, naming the limit and ollama.image', () => {
    const result = run(baseOptions(), { STUB_PULL_RATE_LIMITED: 'ollama/ollama:latest' });
    expect(result.status).toBe(1);
    expect(result.calls.filter((c) => c === 'docker pull ollama/ollama:latest')).toHaveLength(1);
    expect(result.statusFile).toMatchObject({
      stage: 'ollama',
      outcome: 'failed',
      message:
        "docker pull ollama/ollama:latest refused: toomanyrequests (the registry's anonymous pull rate limit); " +
        'set ollama.image to a copy in a registry without that limit (your own ECR repository, for example)',
    });
    expect(result.setupLog).toContain('You have reached your unauthenticated pull rate limit');
  });

  test('a refused GPU-check image fails the docker stage by name, without the Ollama hint', () => {
    const result = run(baseOptions(), { STUB_PULL_RATE_LIMITED: 'public.ecr.aws/docker/library/ubuntu:24.04' });
    expect(result.status).toBe(1);
    expect(result.statusFile).toMatchObject({
      stage: 'docker',
      outcome: 'failed',
      message: "docker pull public.ecr.aws/docker/library/ubuntu:24.04 refused: toomanyrequests (the registry's anonymous pull rate limit)",
    });
  });
});
