/**
 * The core bundles for a browser: esbuild bundles src/index.ts for the
 * browser platform (it fails on any Node built-in), and the bundle runs in a
 * bare V8 context with no `require`, `process` or `module`.
 */
import { buildSync } from 'esbuild';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';

test('src/index.ts bundles for the browser and runs an LSTM forward/backward without Node globals', () => {
  const result = buildSync({
    entryPoints: [join(__dirname, '..', '..', 'src', 'index.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'handgrad',
    write: false,
    logLevel: 'silent',
  });
  expect(result.errors).toEqual([]);
  const code = result.outputFiles[0]!.text;
  const sandbox: Record<string, unknown> = {
    WebAssembly: (globalThis as Record<string, unknown>).WebAssembly,
    console,
    result: undefined,
  };
  runInNewContext(
    `${code}
     const { Matrix, Tensor3, lstmForward, lstmBackward } = handgrad;
     const x = Tensor3.from([[[1, 2], [3, 4]]]);
     const p = { Wx: Matrix.zeros(2, 4), Wh: Matrix.zeros(1, 4), b: Matrix.from([[0.5, 0.5, 0.5, 0.5]]) };
     const { h, cache } = lstmForward(x, Matrix.zeros(1, 1), p);
     result = { h: h.toArray(), db: lstmBackward(Tensor3.from([[[1], [1]]]), cache).db.toArray() };`,
    sandbox,
  );
  const { h, db } = sandbox.result as { h: number[][][]; db: number[][] };
  expect(h[0]).toHaveLength(2);
  expect(db[0]!.every(Number.isFinite)).toBe(true);
  expect(typeof sandbox.process).toBe('undefined');
});

test('in a browser the products use one thread unless the page is cross-origin isolated, silently', () => {
  const result = buildSync({
    entryPoints: [join(__dirname, '..', '..', 'src', 'linalg', 'public.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'linalg',
    write: false,
    logLevel: 'silent',
  });
  expect(result.errors).toEqual([]);
  const code = result.outputFiles[0]!.text;
  const run = (crossOriginIsolated: boolean) => {
    const sandbox: Record<string, unknown> = {
      WebAssembly: (globalThis as Record<string, unknown>).WebAssembly,
      navigator: { hardwareConcurrency: 4 },
      crossOriginIsolated,
      result: undefined,
    };
    runInNewContext(
      `${code}
       const { Matrix, matmul, setThreads, getThreads, setProductTier } = linalg;
       setThreads(4);
       setProductTier('wasm');
       const C = matmul(Matrix.from([[1, 2], [3, 4]]), Matrix.from([[5, 6], [7, 8]]));
       result = { threads: getThreads(), C: C.toArray() };`,
      sandbox,
    );
    return sandbox.result as { threads: number; C: number[][] };
  };
  // Not isolated: one thread. Isolated, but no Worker in this sandbox: one thread too. Both multiply.
  for (const isolated of [false, true])
    expect(run(isolated)).toEqual({
      threads: 1,
      C: [
        [19, 22],
        [43, 50],
      ],
    });
});

test('a page that refuses workers (a content security policy, say) gets one thread, not an error', () => {
  const result = buildSync({
    entryPoints: [join(__dirname, '..', '..', 'src', 'linalg', 'public.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'linalg',
    write: false,
    logLevel: 'silent',
  });
  const sandbox: Record<string, unknown> = {
    WebAssembly: (globalThis as Record<string, unknown>).WebAssembly,
    navigator: { hardwareConcurrency: 2 },
    crossOriginIsolated: true,
    Blob: class {},
    URL: { createObjectURL: () => 'blob:refused', revokeObjectURL: () => undefined },
    Worker: class {
      constructor() {
        throw new Error('Refused to create a worker from blob:refused');
      }
    },
    result: undefined,
  };
  runInNewContext(
    `${result.outputFiles[0]!.text}
     const { Matrix, matmul, setThreads, getThreads, setProductTier } = linalg;
     setThreads(2);
     setProductTier('wasm');
     const before = getThreads();
     const A = Matrix.zeros(300, 256), B = Matrix.zeros(256, 512);
     A.data.fill(1); B.data.fill(2);
     const C = matmul(A, B);
     result = { before, after: getThreads(), c: C.data[0], all: C.data.every((v) => v === 512) };`,
    sandbox,
  );
  expect(sandbox.result).toEqual({ before: 2, after: 1, c: 512, all: true });
});
