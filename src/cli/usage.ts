/**
 * A mistake in how the CLI was called (unknown kernel, a size that is not a
 * number, a module that cannot be loaded…). The CLI prints its message as one
 * line and exits 2, never a stack trace.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * A run that was called right but could not finish (a training run that
 * diverged). The CLI prints its message as one line and exits 1.
 */
export class RunFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunFailure';
  }
}

/** Parses a positive integer option, or throws a {@link UsageError} naming it. */
export function parsePositiveInt(option: string, value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`${option} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Parses a finite positive number option, or throws a {@link UsageError} naming it. */
export function parsePositiveNumber(option: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`${option} must be a positive number, got ${JSON.stringify(value)}`);
  }
  return n;
}
