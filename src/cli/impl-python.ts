/**
 * Loading a numpy homework for `handgrad check --impl rnn_layers.py`: the
 * module is imported by a python3 process (python.ts) and each function it
 * defines under a cs231n name becomes a kernel function the checker calls
 * like a JavaScript one (numpy-specs.ts says how).
 */
import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import {
  selectKernelSpecs,
  type KernelFunction,
  type KernelSpec,
  type NumericGradientRequest,
} from '../gradcheck/index.js';
import { ModuleLoadError, findUserKernels, type UserKernel } from './impl.js';
import { PYTHON_SIGNATURES, numpyKernelSpecs, type PythonSignature } from './numpy-specs.js';
import { AsVector, type PythonBridge } from './python.js';
import type { ChildRequest } from './sandbox.js';
import { UsageError } from './usage.js';

/** Whether `--impl` names a Python module (checked through python3). */
export function isPythonModule(specifier: string): boolean {
  return extname(specifier).toLowerCase() === '.py';
}

/**
 * Imports the module in `bridge`'s python3 and returns its kernels, each
 * function a synchronous call into Python.
 *
 * @throws UsageError when the file is missing or a directory, or --kernel names no numpy kernel.
 * @throws ModuleLoadError when importing the module raises (its cause a PythonError with file:line).
 */
export function loadPythonModule(
  request: ChildRequest,
  bridge: PythonBridge,
): { kernels: UserKernel[]; notes: string[] } {
  const all = numpyKernelSpecs();
  let specs: KernelSpec[];
  try {
    specs = request.kernels === null ? all : selectKernelSpecs(request.kernels, all);
  } catch (err) {
    throw new UsageError(`--kernel: ${(err as Error).message.replace(/^selectKernelSpecs: /, '')}`);
  }
  const path = resolve(request.cwd, request.impl);
  if (!existsSync(path)) throw new UsageError(`--impl: cannot find ${request.impl} (looked for ${path})`);
  if (statSync(path).isDirectory()) throw new UsageError(`--impl: ${request.impl} is a directory; pass the .py file`);
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
    functions[name] = (...args: unknown[]) => bridge.call(name, pythonArgs(sig, args), sig.returns, sig.refs);
  }
  const found = findUserKernels(request.impl, functions, specs, all, request.kernels !== null);
  const kernels = found.kernels.map((k) => ({ ...k, numericGradient: differences(bridge, k.spec) }));
  return { kernels, notes: found.notes };
}

function pythonArgs(sig: PythonSignature, args: readonly unknown[]): unknown[] {
  return args.map((a, i) => (sig.vectors.includes(i) ? new AsVector(a) : a));
}

/** What callForward passes to the forward, caught before the call. */
class Captured {
  constructor(readonly args: unknown[]) {}
}

/**
 * The finite differences of a Python forward, computed in Python: one round
 * trip per input instead of two per coordinate. The positional argument to
 * perturb is found by calling the spec's callForward with a function that
 * only records its arguments.
 */
function differences(bridge: PythonBridge, spec: KernelSpec): (request: NumericGradientRequest) => ArrayLike<number> {
  const fn = spec.forwardName;
  const sig = PYTHON_SIGNATURES[fn] as PythonSignature;
  return (request) => {
    let args: unknown[] = [];
    try {
      spec.callForward((...a: unknown[]) => {
        throw new Captured(a);
      }, request.values);
    } catch (c) {
      if (!(c instanceof Captured)) throw c;
      args = c.args;
    }
    const perturb = args.indexOf(request.values[request.input]);
    if (perturb < 0) throw new Error(`${spec.name}: ${request.input} is not an argument of ${fn}`);
    const upstream: Record<string, unknown> = {};
    for (const o of spec.outputs) upstream[o.name] = request.upstream[o.name];
    const { indices, eps } = request;
    return bridge.centeredDifferences(fn, pythonArgs(sig, args), perturb, indices, eps, sig.returns, upstream);
  };
}
