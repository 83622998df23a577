/**
 * Matching a user's module exports with the kernels to check, by the
 * library's function names: shared by `handgrad check --impl` (any module Node
 * can import) and the explorable page (a module pasted into a text box), so
 * both find the same kernels and say the same about the missing ones. Pure: no
 * Node APIs.
 */
import type { KernelFunction, KernelImplementation, KernelSpec, NumericGradientRequest } from '../gradcheck/index.js';
import { UsageError } from './usage.js';

/** A kernel found in the user's module, ready for checkKernel. */
export interface UserKernel {
  /** The spec whose names it exports. */
  readonly spec: KernelSpec;
  /** Its forward, and its backward when exported. */
  readonly implementation: KernelImplementation;
  /** Its finite differences computed where it runs (a numpy module's, in Python); see CheckKernelOptions. */
  readonly numericGradient?: (request: NumericGradientRequest) => ArrayLike<number>;
}

/**
 * Matches a module's exports with kernel specs by the library's function
 * names. `explicit` says the specs were chosen with --kernel, so each must be
 * there.
 *
 * @throws UsageError when the module exports no recognisable kernel, or lacks one asked for.
 */
export function findUserKernels(
  specifier: string,
  exports: Readonly<Record<string, unknown>>,
  specs: readonly KernelSpec[],
  allSpecs: readonly KernelSpec[],
  explicit: boolean,
): { kernels: UserKernel[]; notes: string[] } {
  const isFn = (name: string): boolean => typeof exports[name] === 'function';
  const known = allSpecs.flatMap((s) => [s.forwardName, s.backwardName]);
  if (!known.some(isFn)) {
    const names = Object.keys(exports);
    throw new UsageError(
      `--impl: ${specifier} exports none of the kernel functions (${known.join(', ')}); ` +
        `it exports ${names.length === 0 ? 'nothing' : names.slice(0, 8).join(', ')}`,
    );
  }
  const kernels: UserKernel[] = [];
  const notes: string[] = [];
  for (const spec of specs) {
    const forward = exports[spec.forwardName];
    const backward = exports[spec.backwardName];
    if (typeof forward !== 'function') {
      if (explicit)
        throw new UsageError(`--impl: ${specifier} does not export ${spec.forwardName}, needed to check ${spec.name}`);
      if (typeof backward === 'function') {
        notes.push(
          `${spec.name}: ${spec.backwardName} is exported without ${spec.forwardName}; ` +
            "a backward needs its own forward's cache, so it was not checked",
        );
      }
      continue;
    }
    kernels.push({
      spec,
      implementation:
        typeof backward === 'function'
          ? {
              forward: forward as KernelImplementation['forward'],
              backward: backward as KernelImplementation['forward'],
            }
          : { forward: forward as KernelImplementation['forward'] },
    });
  }
  if (kernels.length === 0) {
    throw new UsageError(
      `--impl: ${specifier} exports no forward to check (${specs.map((s) => s.forwardName).join(', ')})` +
        (notes.length > 0 ? `; ${notes[0] as string}` : ''),
    );
  }
  return { kernels, notes };
}

/**
 * Wraps each user function to keep what it throws, with its stack, before
 * checkKernel turns it into a message: the error's own location in the user's
 * code is then reported.
 */
export function recording(impl: KernelImplementation, thrown: { error: unknown; set: boolean }): KernelImplementation {
  const wrap = recorder(thrown);
  const forward = wrap(impl.forward);
  return impl.backward === undefined ? { forward } : { forward, backward: wrap(impl.backward) };
}

/** Wraps a function to keep what it throws, with its stack. */
export function recorder(thrown: { error: unknown; set: boolean }): <F extends KernelFunction>(f: F) => F {
  return <F extends KernelFunction>(f: F): F =>
    function (this: unknown, ...args: unknown[]) {
      try {
        return f.apply(this, args);
      } catch (err) {
        thrown.error = err;
        thrown.set = true;
        throw err;
      }
    } as F;
}
