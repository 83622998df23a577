/**
 * Loading a numpy homework for `handgrad check --impl rnn_layers.py`: the
 * module is imported by a python3 process (python.ts) and each function it
 * defines under a cs231n name becomes a kernel function the checker calls
 * like a JavaScript one (numpy-specs.ts says how).
 */
import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { selectKernelSpecs, type KernelFunction, type KernelSpec } from '../gradcheck/index.js';
import { ModuleLoadError, findUserKernels, type UserKernel } from './impl.js';
import { PYTHON_SIGNATURES, numpyKernelSpecs } from './numpy-specs.js';
import { AsVector, PythonBridge } from './python.js';
import type { ChildRequest } from './sandbox.js';
import { UsageError } from './usage.js';

/** Whether `--impl` names a Python module (checked through python3). */
export function isPythonModule(specifier: string): boolean {
  return extname(specifier).toLowerCase() === '.py';
}

/**
 * Starts python3, imports the module and returns its kernels, each function
 * a synchronous call into Python.
 *
 * @throws UsageError when the file is missing or a directory, or --kernel names no numpy kernel.
 * @throws PythonUnavailableError when python3 or numpy is missing.
 * @throws ModuleLoadError when importing the module raises (its cause a PythonError with file:line).
 */
export function loadPythonModule(request: ChildRequest): { kernels: UserKernel[]; notes: string[] } {
  const all = numpyKernelSpecs();
  let specs: KernelSpec[];
  try {
    specs = request.kernels === null ? all : selectKernelSpecs(request.kernels, all);
  } catch (err) {
    throw new UsageError(`--kernel: ${(err as Error).message}`);
  }
  const path = resolve(request.cwd, request.impl);
  if (!existsSync(path)) throw new UsageError(`--impl: cannot find ${request.impl} (looked for ${path})`);
  if (statSync(path).isDirectory()) throw new UsageError(`--impl: ${request.impl} is a directory; pass the .py file`);
  const bridge = new PythonBridge(request.cwd);
  let defined: string[];
  try {
    defined = bridge.load(path, Object.keys(PYTHON_SIGNATURES));
  } catch (err) {
    throw new ModuleLoadError(request.impl, err);
  }
  const functions: Record<string, KernelFunction> = {};
  for (const name of defined) {
    const sig = PYTHON_SIGNATURES[name];
    if (sig === undefined) continue;
    functions[name] = (...args: unknown[]) =>
      bridge.call(name, args.map((a, i) => (sig.vectors.includes(i) ? new AsVector(a) : a)), sig.returns, sig.refs);
  }
  return findUserKernels(request.impl, functions, specs, all, request.kernels !== null);
}
