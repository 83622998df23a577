let allocations = 0;

/**
 * Allocates a zeroed `Float64Array` of `length` values. Every buffer the
 * library creates comes from here, so a test can count allocations and prove
 * that a sequence's time loop allocates nothing.
 */
export function allocFloat64(length: number): Float64Array {
  allocations++;
  return new Float64Array(length);
}

/** How many buffers the library's internal allocator has handed out since the process started. */
export function allocationCount(): number {
  return allocations;
}

/** Is `buffer` detached? `ArrayBuffer.prototype.detached` where the engine has it (Node ≥ 22). */
export function isDetached(buffer: ArrayBufferLike): boolean {
  const flag = (buffer as { detached?: unknown }).detached;
  if (typeof flag === 'boolean') return flag;
  if (buffer.byteLength !== 0) return false;
  try {
    // Node 20 has no `detached`; slicing a detached buffer throws.
    buffer.slice(0, 0);
    return false;
  } catch {
    return true;
  }
}
