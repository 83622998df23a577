/**
 * bench/floor.mjs: the products it times must be the row's whole work, so
 * their flops must add up to the bench's own count, 6·N·T·(D+H)·gH, and the
 * held ones must be the 2·T products with W_h inside the time loops. Run in a
 * child process because the bench is an ES module outside the TypeScript build.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

interface Shape {
  N: number;
  T: number;
  D: number;
  H: number;
  gates: number;
  mode: 'step' | 'sequence';
}

interface Product {
  M: number;
  N: number;
  K: number;
  held?: boolean;
}

function productsOf(shapes: Shape[]): Product[][] {
  const script = `
    const { productsOf } = await import(${JSON.stringify(join(root, 'bench', 'floor.mjs'))});
    const { chunkSteps } = await import(${JSON.stringify(join(root, 'dist', 'esm', 'linalg', 'batch-first.js'))});
    const shapes = ${JSON.stringify(shapes)};
    console.log(JSON.stringify(shapes.map((s) => productsOf({ ...s, chunkSteps }))));`;
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
  ) as Product[][];
}

const flopsOf = (list: Product[]): number => list.reduce((sum, p) => sum + 2 * p.M * p.N * p.K, 0);

describe('bench kernel floor: the products of a row', () => {
  // Small, the bench sizes, and shapes large enough that the backward runs in chunks (N·T·gH > 2^18).
  const shapes: Shape[] = [];
  const sizes: [number, number, number, number][] = [
    [1, 1, 1, 1],
    [2, 3, 4, 5],
    [10, 20, 32, 64],
    [32, 50, 128, 256],
    [50, 16, 512, 512],
    [7, 13, 3, 900],
  ];
  for (const [N, T, D, H] of sizes) {
    for (const gates of [1, 3, 4]) {
      for (const mode of ['step', 'sequence'] as const)
        shapes.push({ N, T: mode === 'step' ? 1 : T, D, H, gates, mode });
    }
  }
  const lists = productsOf(shapes);

  it.each(shapes.map((s, i) => [`${s.mode} N=${s.N} T=${s.T} D=${s.D} H=${s.H} g=${s.gates}`, s, i] as const))(
    'add up to 6·N·T·(D+H)·gH flops: %s',
    (_name, s, i) => {
      const list = lists[i] as Product[];
      expect(flopsOf(list)).toBe(6 * s.N * s.T * (s.D + s.H) * s.gates * s.H);
      expect(list.filter((p) => p.held)).toHaveLength(s.mode === 'sequence' ? 2 * s.T : 0);
    },
  );

  it('splits the backward products into chunks on the large shapes, their rows covering all N·T', () => {
    const i = shapes.findIndex((s) => s.N === 50 && s.gates === 4 && s.mode === 'sequence');
    const s = shapes[i] as Shape;
    const dx = (lists[i] as Product[]).filter((p) => !p.held && p.N === s.D && p.K === 4 * s.H);
    expect(dx.length).toBe(4);
    expect(dx.reduce((sum, p) => sum + p.M, 0)).toBe(s.N * s.T);
  });
});
