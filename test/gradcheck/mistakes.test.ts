/**
 * The catalog of classic mistakes: every mutation really differs from the
 * reference (exactly on the outputs and gradients it says it affects), the
 * diagnosis names each one when a user's results are the mutation's, says
 * nothing for a correct kernel, and names a gate order in the layout the
 * user's code was handed.
 */
import {
  checkKernel,
  diagnoseKernel,
  lstmStepSpec,
  describeGateOrder,
  mistakeCatalog,
  mistakesOf,
  normRelError,
  selectKernelSpecs,
  type KernelFunction,
  type KernelSpec,
} from '../../src/gradcheck/index';
import { type Matrix, lstmStepBackward, lstmStepForward } from '../../src/index';
import { gaussianSource, seededUniform } from '../../src/gradcheck/random';
import { evalShape, zerosOfShape, type Checkable } from '../../src/gradcheck/shapes';

// D = H so that "W instead of Wᵀ in dx" is possible for the RNN.
const sizes = { N: 3, T: 3, D: 4, H: 4 };

interface Case {
  inputs: Record<string, Checkable>;
  upstream: Record<string, Checkable>;
}

function drawCase(spec: KernelSpec, seed: number): Case {
  const gauss = gaussianSource(seededUniform(seed));
  const draw = (shape: string, scale: number): Checkable => {
    const t = zerosOfShape(evalShape(shape, sizes));
    for (let i = 0; i < t.data.length; i++) t.data[i] = scale * gauss();
    return t;
  };
  const inputs: Record<string, Checkable> = {};
  for (const input of spec.inputs) inputs[input.name] = draw(input.shape, input.scale);
  const upstream: Record<string, Checkable> = {};
  for (const output of spec.outputs) upstream[output.name] = draw(output.shape, 1);
  return { inputs, upstream };
}

type Impl = { forward: KernelFunction; backward: KernelFunction };

/** Outputs (by output name) and gradients (by gradient name) of `impl` on the case. */
type Results = { outputs: Record<string, Checkable>; gradients: Record<string, Checkable> };

function results(spec: KernelSpec, impl: Impl, c: Case): Results {
  const args: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c.inputs)) args[k] = v.clone();
  const fwd = spec.callForward(impl.forward, args) as Record<string, Checkable>;
  const up: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c.upstream)) up[k] = v.clone();
  const bwd = spec.callBackward(impl.backward, up, fwd.cache) as Record<string, Checkable>;
  const outputs: Record<string, Checkable> = {};
  for (const o of spec.outputs) outputs[o.name] = fwd[o.name] as Checkable;
  const gradients: Record<string, Checkable> = {};
  for (const i of spec.inputs) gradients[i.gradient] = bwd[i.gradient] as Checkable;
  return { outputs, gradients };
}

const specs = selectKernelSpecs(['*']);
const catalog = mistakeCatalog();

describe('the catalog', () => {
  it('has unique ids, a sentence, a formula and a docs anchor for every entry', () => {
    expect(new Set(catalog.map((m) => m.id)).size).toBe(catalog.length);
    for (const m of catalog) {
      expect(m.description.length).toBeGreaterThan(10);
      expect(m.formula).toMatch(/=/);
      expect(m.anchor).toMatch(/^docs\/(rnn|lstm|gru|shapes)\.md#[a-z0-9-]+$/);
      expect(Object.keys(m.implementations).length).toBeGreaterThan(0);
    }
  });

  it('holds every LSTM and GRU gate-order permutation but the identity', () => {
    expect(catalog.filter((m) => m.cell === 'lstm' && m.family === 'gate-order')).toHaveLength(23);
    expect(catalog.filter((m) => m.cell === 'gru' && m.family === 'gate-order')).toHaveLength(5);
  });

  const entries = catalog.map((m) => [m.id, m] as const);
  it.each(entries)('%s differs from the reference exactly where it says', (_id, mistake) => {
    const changed = new Set<string>();
    for (const [kernel, impl] of Object.entries(mistake.implementations)) {
      const spec = specs.find((s) => s.name === kernel) as KernelSpec;
      const c = drawCase(spec, 7);
      const ref = results(spec, spec.reference, c);
      const mut = results(spec, impl, c);
      const differs: string[] = [];
      for (const [name, v] of Object.entries({ ...ref.outputs, ...ref.gradients })) {
        const m = (mut.outputs[name] ?? mut.gradients[name]) as Checkable;
        if (normRelError(m.data, v.data) > 1e-6) differs.push(name);
      }
      expect(differs.length).toBeGreaterThan(0);
      for (const d of differs) changed.add(d);
    }
    expect([...changed].sort()).toEqual([...mistake.affects].sort());
  });
});

describe('diagnoseKernel', () => {
  it('refuses a case that is not a record', () => {
    expect(() => diagnoseKernel(lstmStepSpec, null as never)).toThrow(
      new TypeError('diagnoseKernel: case must be a case { inputs, upstream, outputs, gradients? }, got null'),
    );
  });

  it('refuses a case without its inputs record', () => {
    expect(() => diagnoseKernel(lstmStepSpec, {} as never)).toThrow(
      new TypeError("diagnoseKernel: case.inputs must be a record of lstm-step's inputs, got undefined"),
    );
  });

  it('refuses a case missing one of the kernel’s inputs, naming it', () => {
    const c = drawCase(lstmStepSpec, 3);
    const { Wh: _dropped, ...inputs } = c.inputs;
    expect(() => diagnoseKernel(lstmStepSpec, { ...c, inputs, outputs: {} })).toThrow(
      new RangeError('diagnoseKernel: case.inputs is missing Wh (lstm-step takes Wx, Wh, b, x, hPrev, cPrev)'),
    );
  });

  it.each(catalog.map((m) => [m.id, m] as const))("names %s when the results are that mutation's", (id, mistake) => {
    for (const [kernel, impl] of Object.entries(mistake.implementations)) {
      const spec = specs.find((s) => s.name === kernel) as KernelSpec;
      const c = drawCase(spec, 11);
      const user = results(spec, impl, c);
      const found = diagnoseKernel(spec, { ...c, ...user });
      expect(found.map((d) => d.id)).toContain(id);
      const d = found.find((x) => x.id === id);
      expect(d?.sentence).toContain(mistake.formula);
      expect(d?.anchor).toBe(mistake.anchor);
    }
  });

  it('says nothing for the reference itself, on every kernel', () => {
    for (const spec of specs) {
      const c = drawCase(spec, 3);
      expect(diagnoseKernel(spec, { ...c, ...results(spec, spec.reference, c) })).toEqual([]);
    }
  });

  it('names two mistakes in different gradients at once', () => {
    const spec = lstmStepSpec;
    const c = drawCase(spec, 5);
    const byId = (id: string): Impl => catalog.find((m) => m.id === id)?.implementations['lstm-step'] as Impl;
    const dcnext = results(spec, byId('lstm-missing-dcnext'), c);
    const row0 = results(spec, byId('lstm-bias-row0'), c);
    const user = { outputs: dcnext.outputs, gradients: { ...dcnext.gradients, db: row0.gradients.db as Checkable } };
    const found = diagnoseKernel(spec, { ...c, ...user });
    expect(found.map((d) => d.id)).toEqual(['lstm-missing-dcnext', 'lstm-bias-row0']);
    expect(found[0]?.sentence).toBe(
      'dWx, dWh (f, i, g blocks), dx, dhPrev and dcPrev match a backward that does not add dc_next: ' +
        'dc_t = dc_next + dh_t ⊙ o ⊙ (1 − tanh² c_t)',
    );
    expect(found[1]?.sentence).toBe(
      'db matches db taken from row 0 of dA instead of summed over the batch: ' +
        'db = e_Nᵀ·dA (the sum over the N rows)',
    );
  });

  it('names a weight gradient that is both transposed and wrong in another way', () => {
    const spec = lstmStepSpec;
    const c = drawCase(spec, 13);
    const impl = catalog.find((m) => m.id === 'lstm-missing-dcnext')?.implementations['lstm-step'] as Impl;
    const wrong = results(spec, impl, c).gradients;
    const dWh = wrong.dWh as Checkable;
    // dWh is H×4H; stored as its 4H×H transpose.
    const [rows, cols] = [sizes.H, 4 * sizes.H];
    const stored = dWh.clone();
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) stored.data[j * rows + i] = dWh.data[i * cols + j] as number;
    }
    const outputs = results(spec, spec.reference, c).outputs;
    const found = diagnoseKernel(spec, { ...c, outputs, gradients: { ...wrong, dWh: stored } });
    expect(found.map((d) => d.id)).toEqual(['lstm-missing-dcnext', 'lstm-transposed-dWh']);
    expect(found[0]?.gradients).toContain('dWh');
    expect(found[1]?.gradients).toEqual(['dWh']);
  });

  it('says nothing of W instead of Wᵀ in dx when W_x is not square (the slip cannot be made)', () => {
    const rnn = catalog.find((m) => m.id === 'rnn-dx-without-transpose') as (typeof catalog)[number];
    const spec = specs.find((s) => s.name === 'rnn-step') as KernelSpec;
    const wide = { ...sizes, D: 5 };
    const gauss = gaussianSource(seededUniform(2));
    const c: Case = { inputs: {}, upstream: {} };
    for (const input of spec.inputs) {
      const t = zerosOfShape(evalShape(input.shape, wide));
      for (let i = 0; i < t.data.length; i++) t.data[i] = input.scale * gauss();
      c.inputs[input.name] = t;
    }
    const up = zerosOfShape(evalShape('N×H', wide));
    for (let i = 0; i < up.data.length; i++) up.data[i] = gauss();
    c.upstream.h = up;
    const mutated = results(spec, rnn.implementations['rnn-step'] as Impl, c);
    const reference = results(spec, spec.reference, c).gradients.dx as Checkable;
    expect(normRelError((mutated.gradients.dx as Checkable).data, reference.data)).toBeLessThan(1e-15);
    expect(diagnoseKernel(spec, { ...c, ...mutated })).toEqual([]);
  });

  it('names two gate-local mistakes in different blocks of the same gradients', () => {
    const spec = lstmStepSpec;
    const c = drawCase(spec, 9);
    const impl = (id: string): Impl => catalog.find((m) => m.id === id)?.implementations['lstm-step'] as Impl;
    const flip = results(spec, impl('lstm-sign-flip-o'), c).gradients;
    const plus = results(spec, impl('lstm-sigma-plus-f'), c).gradients;
    // f block from one, o block from the other, i and g blocks right.
    const H = sizes.H;
    const mix = (a: Checkable, b: Checkable): Checkable => {
      const out = a.clone();
      for (let k = 0; k < out.data.length; k++) if (k % (4 * H) < H) out.data[k] = b.data[k] as number;
      return out;
    };
    const mixed = (name: string): Checkable => mix(flip[name] as Checkable, plus[name] as Checkable);
    const gradients = { ...flip, dWx: mixed('dWx'), dWh: mixed('dWh'), db: mixed('db') };
    const found = diagnoseKernel(spec, { ...c, outputs: results(spec, spec.reference, c).outputs, gradients });
    expect(found.map((d) => [d.id, d.matches.map((m) => `${m.name}:${m.gates?.join('') ?? 'all'}`)])).toEqual([
      ['lstm-sigma-plus-f', ['dWx:f', 'dWh:f', 'db:f']],
      // dx and dhPrev are the sign flip's alone here.
      ['lstm-sign-flip-o', ['dWx:o', 'dWh:o', 'db:o', 'dx:all', 'dhPrev:all']],
    ]);
  });

  it('names a gate order in the layout the user was handed (a numpy homework given i|f|o|g that reads f|i|g|o)', () => {
    // Blocks of the library layout f|i|g|o rearranged into cs231n's i|f|o|g.
    const toCs231n = (m: Matrix): Matrix => {
      const H = m.cols / 4;
      const out = m.clone();
      [1, 0, 3, 2].forEach((src, k) => {
        for (let r = 0; r < m.rows; r++) {
          for (let j = 0; j < H; j++) out.data[r * m.cols + k * H + j] = m.data[r * m.cols + src * H + j] as number;
        }
      });
      return out;
    };
    // Applying the same swap twice is the identity, so it also converts back.
    const forward = (x: Matrix, h: Matrix, c: Matrix, p: { Wx: Matrix; Wh: Matrix; b: Matrix }) =>
      lstmStepForward(x, h, c, { Wx: toCs231n(p.Wx), Wh: toCs231n(p.Wh), b: toCs231n(p.b) });
    const backward = (dh: Matrix, dc: Matrix, cache: Parameters<typeof lstmStepBackward>[2]) => {
      const g = lstmStepBackward(dh, dc, cache);
      return { ...g, dWx: toCs231n(g.dWx), dWh: toCs231n(g.dWh), db: toCs231n(g.db) };
    };
    const gateOrder = ['i', 'f', 'o', 'g'];
    const report = checkKernel(lstmStepSpec, { sizes, implementation: { forward, backward }, gateOrder });
    expect(report.ok).toBe(false);
    expect(report.diagnoses.map((d) => d.id)).toEqual(['lstm-gate-order-figo']);
    expect(report.diagnoses[0]?.sentence).toMatch(
      new RegExp(
        '^h, c \\(forward\\), dWx, dWh, db, dx, dhPrev and dcPrev match a forward that reads the gate blocks as ' +
          "f\\|i\\|g\\|o \\(handgrad's order\\) while the weights are laid out i\\|f\\|o\\|g \\(cs231n's order\\): ",
      ),
    );
    // The same homework handed the library's layout is right.
    const library = { forward: lstmStepForward, backward: lstmStepBackward };
    expect(checkKernel(lstmStepSpec, { sizes, implementation: library }).diagnoses).toEqual([]);
  });
});

describe('mistakesOf and describeGateOrder refuse names they do not know', () => {
  it('mistakesOf refuses an unknown kernel, listing the known ones', () => {
    expect(() => mistakesOf('lsmt')).toThrow(RangeError);
    expect(() => mistakesOf('lsmt')).toThrow(/^mistakesOf: kernel must be one of rnn-step, .*lstm.*, got "lsmt"/);
    expect(mistakesOf('lstm').length).toBeGreaterThan(0);
  });
  it.each([
    [['f', 'i', 'g', 'q'], 'an unknown gate "q"'],
    [['f', 'f', 'g', 'o'], 'the gate "f" twice'],
    [['r', 'z'], '2 gates'],
  ])("describeGateOrder refuses %p (%s), listing each cell's gates", (order, what) => {
    expect(() => describeGateOrder(order)).toThrow(RangeError);
    expect(() => describeGateOrder(order)).toThrow(
      `describeGateOrder: order must hold each of the LSTM's gates f, i, g, o or each of the GRU's r, z, n once, ` +
        `got ${JSON.stringify(order.join('|'))} (${what})`,
    );
  });
});
