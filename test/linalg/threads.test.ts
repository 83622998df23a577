/**
 * The thread pool of the WASM tier: the same bits with 1 and 2 threads (the
 * products, and every cell's step and sequence forward and backward), with
 * the size threshold lowered so these small shapes go through the workers;
 * the setter's checks; and the lifecycle — workers stop on request, never
 * keep a process alive, and a worker that fails is reported, not waited on.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CELL_DESCRIPTORS, fastDefs, gruDef, lstmDef, makeUpstream, type Named } from '../helpers/kernels';
import { randMatrix, randTensor, rng } from '../helpers/numeric';
import { Matrix, type Tensor3 } from '../../src/index';
import {
  matmulInto,
  matmulTransAInto,
  matmulTransBInto,
  productTier,
  setProductTier,
  wasmSimdAvailable,
  type ProductTier,
} from '../../src/linalg/index';
import { getThreads, setThreads, shutdownThreads, threadPoolHooks } from '../../src/linalg/threads';
import { resetWasmKernel, wasmArenaBytes } from '../../src/linalg/gemm-wasm';
import { availableCores, sabotageWorker } from '../../src/linalg/threads';

const root = join(__dirname, '../..');
const twoCores = availableCores() >= 2;
// The pool runs the WASM kernel: without WASM SIMD or a second core there is nothing to test.
const describePool = wasmSimdAvailable() && twoCores ? describe : describe.skip;

let tierBefore: ProductTier;
let threadsBefore: number;
beforeAll(() => {
  tierBefore = productTier();
  threadsBefore = getThreads();
  if (wasmSimdAvailable()) setProductTier('wasm');
  threadPoolHooks.minWork = 0;
  // The workers compute their shares (the caller takes none back unless a test says so): every product is split.
  threadPoolHooks.revoke = false;
});
afterAll(() => {
  setProductTier(tierBefore);
  threadPoolHooks.minWork = undefined;
  threadPoolHooks.revoke = true;
  setThreads(Math.min(threadsBefore, availableCores()));
  shutdownThreads();
});

/** Every value of every array, as bits (so −0 ≠ 0 and NaNs compare by payload). */
function bits(values: Record<string, Matrix | Tensor3>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(values))
    out[name] = Buffer.from(v.data.buffer, v.data.byteOffset, v.data.byteLength).toString('hex');
  return out;
}

/** Runs f with n threads and returns its result and how many shares of products a worker computed. */
function withThreads<T>(n: number, f: () => T): { result: T; parallel: number } {
  setThreads(n);
  const before = threadPoolHooks.workerShares;
  const result = f();
  return { result, parallel: threadPoolHooks.workerShares - before };
}

describe('setThreads and getThreads', () => {
  it('refuses counts outside 1 … the cores, naming the function', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, availableCores() + 1]) {
      expect(() => setThreads(bad)).toThrow(RangeError);
      expect(() => setThreads(bad)).toThrow(/^setThreads: n must be a whole number from 1 to \d+/);
    }
  });

  it('names a count of the wrong type for what it is', () => {
    expect(() => setThreads('2' as never)).toThrow(TypeError);
    expect(() => setThreads('2' as never)).toThrow(
      /^setThreads: n must be a whole number from 1 to \d+, got the string "2"$/,
    );
  });

  it('starts from HANDGRAD_THREADS, and refuses a bad value naming the variable', () => {
    const before = process.env.HANDGRAD_THREADS;
    const fresh = (value: string) => {
      process.env.HANDGRAD_THREADS = value;
      let module: typeof import('../../src/linalg/threads') | undefined;
      jest.isolateModules(() => {
        module = require('../../src/linalg/threads');
      });
      return module as typeof import('../../src/linalg/threads');
    };
    try {
      expect(fresh('1').getThreads()).toBe(1);
      if (twoCores) expect(fresh('2').getThreads()).toBe(2);
      for (const bad of ['0', 'lots', '1.5', String(availableCores() + 1)]) {
        expect(() => fresh(bad).getThreads()).toThrow(
          new RangeError(
            `handgrad: HANDGRAD_THREADS must be a whole number from 1 to ${availableCores()} (the cores available), ` +
              `got ${JSON.stringify(bad)}`,
          ),
        );
      }
    } finally {
      if (before === undefined) delete process.env.HANDGRAD_THREADS;
      else process.env.HANDGRAD_THREADS = before;
    }
  });

  it('reports what was set, and 1 after setThreads(1)', () => {
    setThreads(1);
    expect(getThreads()).toBe(1);
    if (twoCores) {
      setThreads(2);
      expect(getThreads()).toBe(2);
    }
  });
});

describePool('1 and 2 threads give the same bits', () => {
  const shapes: [number, number, number][] = [
    [5, 9, 7],
    [13, 37, 21], // columns not a multiple of 4: the last panel is partial
    [50, 64, 300], // depth past one K slice of the kernel (256)
    [7, 130, 2000], // long depth: B runs in several column blocks
  ];
  const products = [
    ['matmulInto', matmulInto, (M: number, N: number, K: number) => [randMatrix(M, K, r), randMatrix(K, N, r)]],
    [
      'matmulTransAInto',
      matmulTransAInto,
      (M: number, N: number, K: number) => [randMatrix(K, M, r), randMatrix(K, N, r)],
    ],
    [
      'matmulTransBInto',
      matmulTransBInto,
      (M: number, N: number, K: number) => [randMatrix(M, K, r), randMatrix(N, K, r)],
    ],
  ] as const;
  const r = rng(20);

  for (const [name, product, operands] of products) {
    for (const [M, N, K] of shapes) {
      for (const accumulate of [false, true]) {
        it(`${name} ${M}×${N}, depth ${K}${accumulate ? ', accumulating' : ''}`, () => {
          const [A, B] = operands(M, N, K) as [Matrix, Matrix];
          const C0 = randMatrix(M, N, r);
          const run = () => product(C0.clone(), A, B, accumulate) as Matrix;
          const one = withThreads(1, run);
          const two = withThreads(2, run);
          expect(one.parallel).toBe(0);
          expect(two.parallel).toBeGreaterThan(0);
          expect(bits({ C: two.result })).toEqual(bits({ C: one.result }));
        });
      }
    }
  }

  it('on strided views (C a block of a wider matrix)', () => {
    const wide = randMatrix(9, 40, r);
    const A = randMatrix(9, 11, r);
    const B = randMatrix(11, 30, r);
    const run = () => {
      const C = wide.clone();
      matmulInto({ data: C.data, offset: 5, stride: 40, rows: 9, cols: 30 }, A, B, true);
      return C;
    };
    const one = withThreads(1, run);
    const two = withThreads(2, run);
    expect(two.parallel).toBeGreaterThan(0);
    expect(bits({ C: two.result })).toEqual(bits({ C: one.result }));
  });

  for (const cell of CELL_DESCRIPTORS) {
    for (const def of fastDefs(cell)) {
      for (const shape of [
        { N: 3, T: 4, D: 5, H: 7 },
        { N: 8, T: 6, D: 20, H: 24 },
      ]) {
        it(`${def.name} forward and backward, N=${shape.N} T=${shape.T} D=${shape.D} H=${shape.H}`, () => {
          const rand = rng(7);
          const inputs: Named = def.makeInputs(shape, rand);
          const upstream = makeUpstream(def, inputs, rand);
          const run = () => ({ ...bits(def.forward(inputs)), ...bits(def.backward(inputs, upstream)) });
          const one = withThreads(1, run);
          const two = withThreads(2, run);
          expect(two.parallel).toBeGreaterThan(0);
          expect(two.result).toEqual(one.result);
        });
      }
    }
  }
});

describePool("the kernel's memory", () => {
  // A fresh copy of the library: the kernel stays on shared memory once it has moved, for the process's life.
  const fresh = () => {
    let modules:
      | {
          hg: typeof import('../../src/index');
          linalg: typeof import('../../src/linalg/index');
          gemm: typeof import('../../src/linalg/gemm-wasm');
          threads: typeof import('../../src/linalg/threads');
        }
      | undefined;
    jest.isolateModules(() => {
      modules = {
        hg: require('../../src/index'),
        linalg: require('../../src/linalg/index'),
        gemm: require('../../src/linalg/gemm-wasm'),
        threads: require('../../src/linalg/threads'),
      };
    });
    const m = modules as NonNullable<typeof modules>;
    // The default threshold, whatever HANDGRAD_THREAD_MIN_WORK says (test:threads sets it to 0), and the WASM
    // tier, whatever HANDGRAD_TIER says (test:ts-tier forces the TypeScript one, which has no pool).
    m.threads.threadPoolHooks.minWork = m.threads.THREAD_MIN_WORK;
    m.linalg.setProductTier('wasm');
    return m;
  };

  it('stays unshared through a small LSTM and GRU forward+backward with 2 threads (nothing worth the move)', () => {
    const { hg, gemm, threads } = fresh();
    threads.setThreads(2);
    try {
      // The bench's small size, inputs drawn as the kernel suites draw them.
      const shape = { N: 10, T: 20, D: 32, H: 64 };
      const dh = randTensor(shape.N, shape.T, shape.H, rng(11));
      const l = lstmDef.makeInputs(shape, rng(12)) as {
        x: Tensor3;
        h0: Matrix;
        c0: Matrix;
        Wx: Matrix;
        Wh: Matrix;
        b: Matrix;
      };
      const g = gruDef.makeInputs(shape, rng(13)) as {
        x: Tensor3;
        h0: Matrix;
        Wx: Matrix;
        Wh: Matrix;
        bx: Matrix;
        bh: Matrix;
      };
      hg.lstmBackward(dh, hg.lstmForward(l.x, l.h0, { Wx: l.Wx, Wh: l.Wh, b: l.b }, l.c0).cache);
      hg.gruBackward(dh, hg.gruForward(g.x, g.h0, { Wx: g.Wx, Wh: g.Wh, bx: g.bx, bh: g.bh }).cache);
      expect(threads.threadPoolHooks.parallelProducts).toBe(0);
      expect(gemm.wasmKernelHooks.moves).toBe(0);
      expect(gemm.wasmMemoryShared()).toBe(false);
      // The largest product there, the LSTM's dW_h (64×200 by 200×256), is over the split threshold itself:
      // the rule under test is the move's own, higher bar.
      expect(64 * 256 * 200).toBeGreaterThan(threads.THREAD_MIN_WORK);
    } finally {
      threads.shutdownThreads();
    }
  });

  it('moves on the first product of 4× the split threshold, and splits it', () => {
    const { linalg, gemm, threads } = fresh();
    threads.setThreads(2);
    try {
      const rand = rng(12);
      // 48×256 by 256×512 = 6.3·10^6 multiply-adds, under 4× the threshold (8.4·10^6): stays.
      linalg.matmulInto(Matrix.zeros(48, 512), randMatrix(48, 256, rand), randMatrix(256, 512, rand));
      expect(gemm.wasmKernelHooks.moves).toBe(0);
      expect(gemm.wasmMemoryShared()).toBe(false);
      // 64×256 by 256×512 = 8.4·10^6: moves, and this product is already split. (Where the engine cannot
      // allocate one more shared memory, late in a long test process, the kernel stays on its own and the
      // product runs on one thread: the move was still asked for, which is the rule under test.)
      linalg.matmulInto(Matrix.zeros(64, 512), randMatrix(64, 256, rand), randMatrix(256, 512, rand));
      expect(gemm.wasmKernelHooks.moves).toBe(1);
      expect(threads.threadPoolHooks.parallelProducts).toBe(gemm.wasmMemoryShared() ? 1 : 0);
    } finally {
      threads.shutdownThreads();
    }
  });
});

describePool('the pool over time', () => {
  it('stops its workers on shutdownThreads and on setThreads(1), and starts them again when needed', async () => {
    const A = randMatrix(20, 30, rng(1));
    const B = randMatrix(30, 40, rng(2));
    const waitForExits = async () => {
      for (let i = 0; i < 200 && threadPoolHooks.liveWorkers > 0; i++) await new Promise((r) => setTimeout(r, 10));
    };
    // The earlier tests' pools (one per switch of the count) finish exiting first.
    setThreads(1);
    await waitForExits();
    expect(threadPoolHooks.liveWorkers).toBe(0);
    setThreads(2);
    const before = matmulInto(Matrix.zeros(20, 40), A, B) as Matrix;
    expect(threadPoolHooks.liveWorkers).toBe(1);
    shutdownThreads();
    await waitForExits();
    expect(threadPoolHooks.liveWorkers).toBe(0);
    const again = matmulInto(Matrix.zeros(20, 40), A, B) as Matrix;
    expect(threadPoolHooks.liveWorkers).toBe(1);
    expect(bits({ C: again })).toEqual(bits({ C: before }));
    setThreads(1);
    await waitForExits();
    expect(threadPoolHooks.liveWorkers).toBe(0);
  });

  it('does a share itself when the worker has not claimed it by the time its own is done', () => {
    const A = randMatrix(20, 30, rng(8));
    const B = randMatrix(30, 40, rng(9));
    const run = () => matmulInto(Matrix.zeros(20, 40), A, B) as Matrix;
    const one = withThreads(1, run).result;
    setThreads(2);
    run(); // the pool starts
    threadPoolHooks.claimDelayMs = 300;
    threadPoolHooks.revoke = true;
    const revoked = threadPoolHooks.revoked;
    try {
      const two = withThreads(2, run);
      expect(threadPoolHooks.revoked).toBe(revoked + 1);
      expect(two.parallel).toBe(0);
      expect(bits({ C: two.result })).toEqual(bits({ C: one }));
    } finally {
      threadPoolHooks.claimDelayMs = 0;
      threadPoolHooks.revoke = false;
    }
  });

  it('survives the kernel being dropped (resetWasmKernel) between products', () => {
    const A = randMatrix(20, 30, rng(3));
    const B = randMatrix(30, 40, rng(4));
    const run = () => matmulInto(Matrix.zeros(20, 40), A, B) as Matrix;
    const first = withThreads(2, run);
    resetWasmKernel();
    expect(wasmArenaBytes()).toBe(0);
    const second = withThreads(2, run);
    expect(second.parallel).toBeGreaterThan(0);
    expect(bits({ C: second.result })).toEqual(bits({ C: first.result }));
  });

  it('hands the packing of large operands to the worker too, with the same bits', () => {
    // B is 2000×130 (2.6·10^5 values): its raw blocks are reordered by the worker while the caller copies the next.
    const A = randMatrix(30, 2000, rng(13));
    const B = randMatrix(2000, 130, rng(14));
    const run = () => matmulInto(Matrix.zeros(30, 130), A, B) as Matrix;
    const one = withThreads(1, run).result;
    const before = threadPoolHooks.packHandoffs;
    const two = withThreads(2, run).result;
    expect(threadPoolHooks.packHandoffs).toBeGreaterThan(before);
    expect(bits({ C: two })).toEqual(bits({ C: one }));
  });

  it('reports a worker that fails while packing, naming the product and the task', () => {
    const A = randMatrix(30, 2000, rng(15));
    const B = randMatrix(2000, 130, rng(16));
    const run = () => matmulInto(Matrix.zeros(30, 130), A, B) as Matrix;
    const good = withThreads(2, run).result;
    sabotageWorker(0, 'throw');
    expect(run).toThrow(
      /^matmulInto \(30×2000 by 2000×130\): worker 1 of the thread pool failed on packing an operand: it threw .*throw/,
    );
    expect(bits({ C: withThreads(2, run).result })).toEqual(bits({ C: good }));
  });

  describe('a worker that fails is reported with the product and the worker', () => {
    const A = randMatrix(20, 30, rng(5));
    const B = randMatrix(30, 40, rng(6));
    const run = () => matmulInto(Matrix.zeros(20, 40), A, B) as Matrix;
    afterEach(() => {
      threadPoolHooks.stallMs = 10_000;
    });

    it('when it throws', () => {
      const good = withThreads(2, run).result;
      sabotageWorker(0, 'throw');
      expect(run).toThrow(/^matmulInto \(20×30 by 30×40\): worker 1 of the thread pool failed .*made to throw/);
      // The next product starts a new pool (and a new memory) and is right again.
      expect(bits({ C: withThreads(2, run).result })).toEqual(bits({ C: good }));
    });

    it('when it leaves without answering', () => {
      const good = withThreads(2, run).result;
      threadPoolHooks.stallMs = 300;
      sabotageWorker(0, 'vanish');
      expect(run).toThrow(/^matmulInto \(20×30 by 30×40\): worker 1 .* no answer after 300 ms/);
      expect(bits({ C: withThreads(2, run).result })).toEqual(bits({ C: good }));
    });

    it('when it was terminated', async () => {
      const good = withThreads(2, run).result;
      sabotageWorker(0, 'terminate');
      for (let i = 0; i < 200 && threadPoolHooks.liveWorkers > 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(run).toThrow(/^matmulInto \(20×30 by 30×40\): worker 1 of the thread pool failed .*it exited/);
      expect(bits({ C: withThreads(2, run).result })).toEqual(bits({ C: good }));
    });
  });

  it.each(['cjs', 'esm'])(
    'never keeps a process alive (%s build, a child that used the pool exits at once)',
    (kind) => {
      const entry = join(root, `dist/${kind}/index.js`);
      const linalg = join(root, `dist/${kind}/linalg/public.js`);
      const script = `
      const load = ${kind === 'cjs' ? '(p) => Promise.resolve(require(p))' : '(p) => import(p)'};
      Promise.all([load(${JSON.stringify(entry)}), load(${JSON.stringify(linalg)})]).then(([hg, la]) => {
        hg.setThreads(2);
        const A = hg.Matrix.zeros(300, 256), B = hg.Matrix.zeros(256, 512);
        la.matmul(A, B);
        console.log(hg.getThreads());
        globalThis.doneAt = Date.now();
        process.on('exit', () => console.log(Date.now() - globalThis.doneAt));
      });`;
      const child = spawnSync(process.execPath, ['-e', script], {
        encoding: 'utf8',
        env: { ...process.env, HANDGRAD_THREAD_MIN_WORK: '0' },
        timeout: 20_000,
      });
      expect(child.stderr).toBe('');
      const [threads, exitMs] = child.stdout.trim().split('\n').map(Number);
      expect(threads).toBe(2);
      // From the last line of work to the exit event: no worker holds the event loop open.
      expect(exitMs).toBeLessThan(1000);
    },
  );
});
