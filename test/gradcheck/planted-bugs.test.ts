/**
 * The checker must catch real mistakes: each fixture in test/fixtures is a
 * student-style homework with one planted bug, and the report must fail on
 * the right gradient (and the right gate blocks) and pass the rest.
 */
import {
  KernelContractError,
  checkKernel,
  lstmSpec,
  lstmStepSpec,
  rnnSpec,
  rnnStepSpec,
  type KernelReport,
  type KernelSpec,
} from '../../src/gradcheck/index';

type Fns = Record<string, (...args: unknown[]) => unknown>;

const load = (name: string): Fns => require(`../fixtures/${name}`) as Fns;

function checkFixture(name: string, spec: KernelSpec): KernelReport {
  const mod = load(name);
  const forward = mod[spec.forwardName];
  const backward = mod[spec.backwardName];
  if (forward === undefined || backward === undefined) throw new Error(`${name} lacks ${spec.name}`);
  return checkKernel(spec, { implementation: { forward, backward } });
}

const failing = (r: KernelReport): string[] => r.rows.filter((row) => !row.ok).map((row) => row.name);
const wrongGates = (r: KernelReport, name: string): string[] =>
  (r.rows.find((row) => row.name === name)?.gates ?? []).filter((g) => !g.ok).map((g) => g.gate);

describe('planted bugs are reported as FAIL on the right gradient', () => {
  it('the correct homework passes every kernel, against finite differences and the library', () => {
    for (const spec of [rnnStepSpec, rnnSpec, lstmStepSpec, lstmSpec]) {
      const report = checkFixture('homework-correct.js', spec);
      expect(failing(report)).toEqual([]);
      expect(report.firstFailure).toBeNull();
    }
  });

  it('missing dc_next term: dcPrev and the f, i, g gate blocks fail, the o block does not', () => {
    const r = checkFixture('lstm-missing-dcnext.js', lstmStepSpec);
    expect(failing(r)).toEqual(['dWx', 'dWh', 'db', 'dx', 'dhPrev', 'dcPrev']);
    for (const name of ['dWx', 'dWh', 'db']) expect(wrongGates(r, name)).toEqual(['f', 'i', 'g']);
    expect(r.firstFailure).toMatchObject({ name: 'dWx', against: 'finite differences', gates: ['f', 'i', 'g'] });
  });

  it('transposed dWh: only dWh fails', () => {
    const r = checkFixture('rnn-transposed-dwh.js', rnnStepSpec);
    expect(failing(r)).toEqual(['dWh']);
    expect(r.firstFailure?.message).toMatch(/^rnn-step dWh, worst at \[\d, \d\]$/);
  });

  it('bias gradient without the sum over the batch: only db fails', () => {
    const r = checkFixture('lstm-bias-no-batch-sum.js', lstmStepSpec);
    expect(failing(r)).toEqual(['db']);
  });

  it('off-by-one in the BPTT loop: every gradient of the sequence fails, and dx is wrong exactly at t = 0', () => {
    const r = checkFixture('lstm-bptt-off-by-one.js', lstmSpec);
    expect(failing(r)).toEqual(['dWx', 'dWh', 'db', 'dx', 'dh0', 'dc0']);
    expect(r.rows.find((row) => row.name === 'dx')?.numeric?.worst.index[1]).toBe(0);
  });

  it('sign flip in the o gate: the o block alone fails in dWx, dWh, db; dcPrev is right', () => {
    const r = checkFixture('lstm-sign-flip-o-gate.js', lstmStepSpec);
    expect(failing(r)).toEqual(['dWx', 'dWh', 'db', 'dx', 'dhPrev']);
    for (const name of ['dWx', 'dWh', 'db']) expect(wrongGates(r, name)).toEqual(['o']);
    const first = r.firstFailure;
    expect(first?.message).toMatch(/^lstm-step dWx \(o-gate block\), worst at \[\d+, (1[2-5])\]$/);
  });

  it('a kernel that throws is a contract error, not a FAIL', () => {
    expect(() => checkFixture('kernel-throws.js', lstmStepSpec)).toThrow(KernelContractError);
  });

  it('a kernel returning the wrong shape is a contract error naming the output and both shapes', () => {
    expect(() => checkFixture('wrong-shape.js', rnnStepSpec)).toThrow(
      "rnn-step: your rnnStepForward's h must be 3×4 (N×H), got 4×3",
    );
  });
});
