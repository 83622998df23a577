import type { Matrix, Tensor3 } from '../../src/index';
import type * as mathjs from 'mathjs';

/** Largest |a − b| over all elements, after checking the shapes agree. */
export function maxAbsDiff(a: Matrix | Tensor3, b: number[][] | number[][][] | mathjs.Matrix): number {
  const arr = (Array.isArray(b) ? b : (b.toArray() as number[][])).flat(2) as number[];
  if (arr.length !== a.data.length) throw new Error(`size mismatch: ${a.data.length} vs ${arr.length}`);
  let worst = 0;
  for (let i = 0; i < arr.length; i++) worst = Math.max(worst, Math.abs((a.data[i] as number) - (arr[i] as number)));
  return worst;
}
