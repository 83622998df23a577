/**
 * Loading a user's kernels for `handgrad check --impl`: any module Node can
 * import (CommonJS or ESM, plain JS or compiled TypeScript) that exports
 * kernel functions under the library's names.
 */
import { existsSync, statSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from './usage.js';

export { findUserKernels, type UserKernel } from './user-kernels.js';

function firstLine(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.split('\n')[0] ?? text;
}

/** The user's module threw, or failed to compile or resolve an import, while loading; `cause` is what it threw. */
export class ModuleLoadError extends Error {
  /** What the import threw. */
  override readonly cause: unknown;

  constructor(specifier: string, cause: unknown) {
    super(`--impl: could not load ${specifier}: ${firstLine(cause)}`);
    this.name = 'ModuleLoadError';
    this.cause = cause;
  }
}

/**
 * Imports the module at `specifier` (a path, relative to `cwd`) and returns
 * its exports, those of a CommonJS `module.exports` included.
 *
 * @throws UsageError when the file is missing, a directory or TypeScript source.
 * @throws ModuleLoadError when importing it throws.
 */
export async function loadUserModule(specifier: string, cwd: string = process.cwd()): Promise<Record<string, unknown>> {
  const path = resolve(cwd, specifier);
  if (!existsSync(path)) throw new UsageError(`--impl: cannot find ${specifier} (looked for ${path})`);
  if (statSync(path).isDirectory())
    throw new UsageError(`--impl: ${specifier} is a directory; pass the module file, e.g. ${specifier}/index.js`);
  if (['.ts', '.mts', '.cts', '.tsx'].includes(extname(path))) {
    throw new UsageError(`--impl: ${specifier} is TypeScript source; compile it (tsc) and pass the .js file`);
  }
  let ns: Record<string, unknown>;
  try {
    // A real dynamic import (tsc keeps it under module NodeNext), so ESM
    // and CommonJS modules load alike.
    ns = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    throw new ModuleLoadError(specifier, err);
  }
  const merged: Record<string, unknown> = {};
  const def = ns.default;
  if ((typeof def === 'object' && def !== null) || typeof def === 'function') {
    for (const [k, v] of Object.entries(def as Record<string, unknown>)) merged[k] = v;
  }
  for (const [k, v] of Object.entries(ns)) if (k !== 'default') merged[k] = v;
  return merged;
}

const isThisPackage = (specifier: string): boolean => specifier === 'handgrad' || specifier.startsWith('handgrad/');

/**
 * Lets a homework `require('handgrad')` or `import … from 'handgrad'` when
 * its own folder cannot resolve the package (run through `npx handgrad` without
 * installing it, or with a global install): such imports then resolve to the
 * package running the check. An installed copy of the homework's project still
 * wins. Call once, before loading the module.
 */
export function letHomeworkFindThisPackage(): void {
  // The package resolves its own name (self-reference through "exports")
  // from a file in its root, whose package.json is the one named handgrad
  // (dist/cjs and dist/esm have their own, nameless ones).
  const anchor = join(__dirname, '..', '..', '..', 'package.json');
  const own = createRequire(anchor);
  let inFallback = false;
  const M = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const resolveFilename = M._resolveFilename;
  M._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    try {
      return resolveFilename.call(this, request, ...rest);
    } catch (err) {
      if (!isThisPackage(request) || inFallback) throw err;
      inFallback = true;
      try {
        return own.resolve(request);
      } finally {
        inFallback = false;
      }
    }
  };
  // ES modules resolve through loader hooks, which run on their own thread: a
  // data: URL module, given this file's URL to resolve from.
  const register = (Module as unknown as { register?: (url: string, options?: { data: unknown }) => void }).register;
  if (typeof register !== 'function') return;
  const hooks = `
    let self;
    export function initialize(data) { self = data.self; }
    export async function resolve(specifier, context, next) {
      try {
        return await next(specifier, context);
      } catch (err) {
        const ours = specifier === 'handgrad' || specifier.startsWith('handgrad/');
        if (ours) return next(specifier, { ...context, parentURL: self });
        throw err;
      }
    }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { self: pathToFileURL(anchor).href } });
}
