/**
 * The reference path stands alone: following every import from
 * src/reference.ts (the `handgrad/reference` entry) reaches no product tier,
 * gemm, WASM, tier switch, view or fast cell code. Type-only imports are
 * erased from the JavaScript and are not followed.
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

const root = resolve(__dirname, '../..');

/** The relative modules `file` loads at run time (`import … from`, `export … from`, not `import type`). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+'(\.[^']+)'/gms)) {
    if (m[2] !== undefined) continue;
    out.push(resolve(dirname(file), (m[3] as string).replace(/\.js$/, '.ts')));
  }
  return out;
}

/** Every file reachable from `entry`, as paths relative to the project root. */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [resolve(root, entry)];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    const rel = relative(root, file);
    if (seen.has(rel)) continue;
    seen.add(rel);
    queue.push(...runtimeImports(file));
  }
  return seen;
}

/** Speed machinery: none of it may sit on the reference path. */
const FORBIDDEN = [
  /^src\/linalg\/(products|gemm-ts|gemm-wasm|tier|views|batch-first|activations|index)\.ts$/,
  /^src\/linalg\/wasm\//,
  /^src\/(rnn|lstm|gru)\/(step|sequence|resident|index)\.ts$/,
  /^src\/index\.ts$/,
];
const MACHINERY = /\b(SlidingView|WebAssembly|holdOperand|useWasm|matmulInto|tanhInto|sigmoidInto)\b/;

describe('the reference path imports no speed machinery', () => {
  const files = reachable('src/reference.ts');

  test('it reaches the three reference cells, their params and the boundary checks', () => {
    for (const f of ['src/rnn/reference.ts', 'src/lstm/reference.ts', 'src/gru/reference.ts', 'src/linalg/check.ts']) {
      expect(files).toContain(f);
    }
  });

  test('no file on it is a product tier, gemm, WASM, tier, view or fast cell module', () => {
    expect([...files].filter((f) => FORBIDDEN.some((re) => re.test(f)))).toEqual([]);
  });

  test('no file on it names the machinery', () => {
    expect([...files].filter((f) => MACHINERY.test(readFileSync(resolve(root, f), 'utf8')))).toEqual([]);
  });

  test('the walk does find machinery where it is: from the fast LSTM sequence', () => {
    const fast = [...reachable('src/lstm/sequence.ts')];
    expect(fast).toContain('src/linalg/products.ts');
    expect(fast).toContain('src/linalg/gemm-wasm.ts');
    expect(fast.filter((f) => FORBIDDEN.some((re) => re.test(f))).length).toBeGreaterThan(3);
  });
});
