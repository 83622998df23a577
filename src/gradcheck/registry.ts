/**
 * The kernels the checker knows: the step and sequence kernels of every
 * cell descriptor (src/cells.ts), then any spec registered with
 * registerKernelSpec (a kernel that is not a recurrent cell: write its spec
 * by hand, see spec.ts).
 */
import { CELL_DESCRIPTORS } from '../cells.js';
import { checkSpec } from './check.js';
import type { KernelSpec } from './spec.js';
import { cellSpecs } from './specs/cell.js';

const BUILTIN_SPECS: readonly KernelSpec[] = CELL_DESCRIPTORS.flatMap(cellSpecs);

const registered: KernelSpec[] = [...BUILTIN_SPECS];

/**
 * Adds a spec to the list {@link builtinKernelSpecs} returns (and so to
 * `handgrad check`'s kernels when registered before the program runs).
 *
 * @throws TypeError when `spec` lacks a field (see checkSpec).
 * @throws RangeError when a spec with the same name, forward or backward name is already registered.
 */
export function registerKernelSpec(spec: KernelSpec): void {
  checkSpec('registerKernelSpec', spec);
  const clash = registered.find(
    (s) => s.name === spec.name || s.forwardName === spec.forwardName || s.backwardName === spec.backwardName,
  );
  if (clash !== undefined) {
    throw new RangeError(
      `registerKernelSpec: spec ${JSON.stringify(spec.name)} clashes with ` +
        `the registered ${JSON.stringify(clash.name)} (same name or function names)`,
    );
  }
  registered.push(spec);
}

/**
 * Every registered kernel spec, in check order
 * (RNN step, RNN, LSTM step, LSTM, GRU step, GRU, then later additions).
 */
export function builtinKernelSpecs(): KernelSpec[] {
  return [...registered];
}

/**
 * The specs `patterns` select. A pattern is a kernel's exact name
 * (`lstm` is only the sequence kernel) or a prefix ending in `*`
 * (`lstm*` is `lstm-step` and `lstm`; `*` is everything). Order follows
 * the registry, without duplicates.
 *
 * `all` is the list to select from (default: the registry's).
 *
 * @throws TypeError when `patterns` is not an array of strings.
 * @throws RangeError naming the first pattern that selects nothing, with the known names.
 */
export function selectKernelSpecs(
  patterns: readonly string[],
  all: readonly KernelSpec[] = builtinKernelSpecs(),
): KernelSpec[] {
  if (!Array.isArray(patterns) || !patterns.every((p) => typeof p === 'string')) {
    throw new TypeError('selectKernelSpecs: patterns must be an array of kernel names');
  }
  const picked = new Set<KernelSpec>();
  for (const pattern of patterns) {
    const p = pattern.trim();
    const matches = p.endsWith('*')
      ? all.filter((s) => s.name.startsWith(p.slice(0, -1)))
      : all.filter((s) => s.name === p);
    if (matches.length === 0) {
      throw new RangeError(
        `selectKernelSpecs: unknown kernel ${JSON.stringify(pattern)}; ` +
          `known kernels: ${all.map((s) => s.name).join(', ')} ` +
          '(a trailing * matches a prefix, e.g. lstm*)',
      );
    }
    for (const s of matches) picked.add(s);
  }
  return all.filter((s) => picked.has(s));
}
