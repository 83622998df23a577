/**
 * Thrown when an argument has the wrong shape. The message names the calling
 * function, the argument, the expected shape and the actual one, e.g.
 * `lstmStepForward: hPrev must be N×H = 2×5 (N = 2 from x, H = 5 from Wh), got 2×4`.
 *
 * It extends `RangeError` so code that already catches range errors keeps
 * working; check `instanceof ShapeError` to tell shape mistakes apart.
 */
export class ShapeError extends RangeError {
  /** The argument that had the wrong shape, e.g. `"Wh"`. */
  readonly argument: string;

  /**
   * @param message - The full, human-readable message.
   * @param argument - The name of the offending argument.
   */
  constructor(message: string, argument: string) {
    super(message);
    this.name = 'ShapeError';
    this.argument = argument;
  }
}
