import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import { Matrix, Tensor3, lstmBackward, lstmForward } from '../../src/index';
import { adam, clipGradNorm, gradKey, initLstmParams, seededRandom, sgd, withPrefix } from '../../src/train/index';
import { normRelError } from '../helpers/numeric';
import { typedLstmSteps, typedModelStep } from './typed-loop.fixture';

const root = join(__dirname, '..', '..');
const fixture = join(__dirname, 'typed-loop.fixture.ts');

/** The diagnostics of a strict compile of `text` standing in for the fixture file. */
function compile(text: string): string[] {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    strict: true,
    noUncheckedIndexedAccess: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    baseUrl: root,
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, readFile } = host;
  host.readFile = (f) => (f === fixture ? text : readFile.call(host, f));
  host.getSourceFile = (f, lang, ...rest) =>
    f === fixture ? ts.createSourceFile(f, text, lang) : getSourceFile.call(host, f, lang, ...rest);
  const program = ts.createProgram([fixture], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

describe('the optimizers’ types (compiled under strict)', () => {
  const source = readFileSync(fixture, 'utf8');

  it('typed params and a backward’s own gradients compile with no cast; every @ts-expect-error is an error', () => {
    expect(compile(source)).toEqual([]);
  }, 60_000);

  it('without the directives, the missing d-key is reported by name', () => {
    const errors = compile(source.replace(/^\s*\/\/ @ts-expect-error.*$/gm, ''));
    expect(errors.some((e) => /Property 'dWh' is missing/.test(e))).toBe(true);
    // The order TypeScript lists the missing names in is not fixed.
    const readOut = errors.find((e) => /is missing the following properties from type 'GradsOf<Model>'/.test(e));
    expect(readOut).toMatch(/"out\.dW"/);
    expect(readOut).toMatch(/"out\.db"/);
    expect(errors).toHaveLength(6);
  }, 60_000);
});

describe('the typed loops run', () => {
  it('Adam on LstmParams: three steps move each weight within Adam’s bound, and the keys stay Wx, Wh, b', () => {
    // Kingma & Ba §2.1: with 1 − β₁ > √(1 − β₂), one step is at most α·(1 − β₁)/√(1 − β₂).
    const bound = 3 * 1e-3 * (0.1 / Math.sqrt(0.001));
    const { before, after, state } = typedLstmSteps();
    expect(Object.keys(after)).toEqual(['Wx', 'Wh', 'b']);
    expect(state.t).toBe(3);
    for (const k of ['Wx', 'Wh', 'b'] as const) {
      expect(after[k].rows).toBe(before[k].rows);
      let moved = 0;
      for (let i = 0; i < after[k].data.length; i++) {
        const step = Math.abs(after[k].data[i]! - before[k].data[i]!);
        expect(step).toBeLessThanOrEqual(bound);
        moved = Math.max(moved, step);
      }
      expect(moved).toBeGreaterThan(1e-3); // Adam's first step alone is ≈ α for every weight with g ≠ 0
    }
  });

  it('a prefixed model: cell.* gradients are clipped and applied; the read-out, with zero gradient, stays', () => {
    const { before, after } = typedModelStep();
    expect(after['out.W'].data).toEqual(before['out.W'].data);
    // Independently: the cell's gradient from lstmBackward, the global norm over Wx, Wh, b only (dx, dh0 and dc0
    // are no param's gradient), then w − 0.1·scale·dw.
    const [N, T, D, H] = [2, 3, 4, 5];
    const p = initLstmParams(D, H, seededRandom(2));
    const x = Tensor3.zeros(N, T, D);
    x.data.fill(0.5);
    const dh = Tensor3.zeros(N, T, H);
    dh.data.fill(1);
    const g = lstmBackward(dh, lstmForward(x, Matrix.zeros(N, H), p).cache);
    let sq = 0;
    for (const m of [g.dWx, g.dWh, g.db]) for (const v of m.data) sq += v * v;
    const scale = Math.min(1, 1 / Math.sqrt(sq));
    expect(scale).toBeLessThan(1); // the clip is active, so the scale is tested
    const expected = p.Wh.data.map((w, i) => w - 0.1 * scale * g.dWh.data[i]!);
    expect(normRelError(after['cell.Wh'].data, expected)).toBeLessThan(1e-14);
  });
});

describe('untyped callers get the missing gradient by name', () => {
  const [N, T, D, H] = [1, 2, 2, 3];
  const p = initLstmParams(D, H, seededRandom(3));
  const g = lstmBackward(Tensor3.zeros(N, T, H), lstmForward(Tensor3.zeros(N, T, D), Matrix.zeros(N, H), p).cache);
  const { dWh: _dropped, ...withoutDWh } = g;

  it.each([
    ['adam', () => adam(p, withoutDWh as never, undefined)],
    ['sgd', () => sgd(p, withoutDWh as never, { learningRate: 1 })],
    ['clipGradNorm', () => clipGradNorm(p, withoutDWh as never, 1)],
  ])('%s', (fn, call) => {
    expect(call).toThrow(new RangeError(`${fn}: grads is missing dWh (the gradient of params.Wh)`));
  });

  it('a prefixed key names the prefixed gradient', () => {
    const model = withPrefix('cell', p);
    const { 'cell.dWh': _gone, ...grads } = withPrefix('cell', g);
    expect(() => adam(model, grads as never, undefined)).toThrow(
      'adam: grads is missing cell.dWh (the gradient of params["cell.Wh"])',
    );
  });
});

describe('gradKey', () => {
  it('puts d in front of the last dot-separated segment', () => {
    expect(['Wx', 'b', 'cell.Wx', 'out.W', 'enc.cell.Wh', 'a.'].map(gradKey)).toEqual([
      'dWx',
      'db',
      'cell.dWx',
      'out.dW',
      'enc.cell.dWh',
      'a.d',
    ]);
  });
});
