/**
 * Every kernel described the same way, so one shared suite can check them
 * all: its differentiable inputs (parameters included), its forward outputs
 * and its backward, keyed by name (`d` + input name for gradients).
 */
import {
  Matrix,
  Tensor3,
  gruBackward,
  gruForward,
  gruStepBackward,
  gruStepForward,
  lstmBackward,
  lstmForward,
  lstmStepBackward,
  lstmStepForward,
  rnnBackward,
  rnnForward,
  rnnStepBackward,
  rnnStepForward,
} from '../../src/index';
import { randMatrix, randTensor } from './numeric';

export type Arr = Matrix | Tensor3;
export type Named = Record<string, Arr>;
export interface Shape {
  N: number;
  T: number;
  D: number;
  H: number;
}

export interface KernelDef {
  name: string;
  /** Names of the differentiable inputs, in call order. */
  inputs: readonly string[];
  /** Names of the outputs that receive an upstream gradient. */
  outputs: readonly string[];
  makeInputs(s: Shape, rand: () => number): Named;
  forward(inp: Named): Named;
  backward(inp: Named, upstream: Named): Named;
}

const M = (v: Arr | undefined): Matrix => v as Matrix;
const T3 = (v: Arr | undefined): Tensor3 => v as Tensor3;

function weights(D: number, H: number, G: number, rand: () => number): Named {
  return {
    Wx: randMatrix(D, G * H, rand, 1 / Math.sqrt(D)),
    Wh: randMatrix(H, G * H, rand, 1 / Math.sqrt(H)),
    b: randMatrix(1, G * H, rand, 0.5),
  };
}
const params = (inp: Named) => ({ Wx: M(inp.Wx), Wh: M(inp.Wh), b: M(inp.b) });

export const rnnStepDef: KernelDef = {
  name: 'rnn-step',
  inputs: ['x', 'hPrev', 'Wx', 'Wh', 'b'],
  outputs: ['h'],
  makeInputs: ({ N, D, H }, r) => ({ x: randMatrix(N, D, r), hPrev: randMatrix(N, H, r), ...weights(D, H, 1, r) }),
  forward: (inp) => ({ h: rnnStepForward(M(inp.x), M(inp.hPrev), params(inp)).h }),
  backward: (inp, up) => {
    const { cache } = rnnStepForward(M(inp.x), M(inp.hPrev), params(inp));
    return { ...rnnStepBackward(M(up.h), cache) };
  },
};

export const rnnDef: KernelDef = {
  name: 'rnn',
  inputs: ['x', 'h0', 'Wx', 'Wh', 'b'],
  outputs: ['h'],
  makeInputs: ({ N, T, D, H }, r) => ({ x: randTensor(N, T, D, r), h0: randMatrix(N, H, r), ...weights(D, H, 1, r) }),
  forward: (inp) => ({ h: rnnForward(T3(inp.x), M(inp.h0), params(inp)).h }),
  backward: (inp, up) => {
    const { cache } = rnnForward(T3(inp.x), M(inp.h0), params(inp));
    return { ...rnnBackward(T3(up.h), cache) };
  },
};

export const lstmStepDef: KernelDef = {
  name: 'lstm-step',
  inputs: ['x', 'hPrev', 'cPrev', 'Wx', 'Wh', 'b'],
  outputs: ['h', 'c'],
  makeInputs: ({ N, D, H }, r) => ({
    x: randMatrix(N, D, r),
    hPrev: randMatrix(N, H, r),
    cPrev: randMatrix(N, H, r),
    ...weights(D, H, 4, r),
  }),
  forward: (inp) => {
    const { h, c } = lstmStepForward(M(inp.x), M(inp.hPrev), M(inp.cPrev), params(inp));
    return { h, c };
  },
  backward: (inp, up) => {
    const { cache } = lstmStepForward(M(inp.x), M(inp.hPrev), M(inp.cPrev), params(inp));
    return { ...lstmStepBackward(M(up.h), M(up.c), cache) };
  },
};

export const lstmDef: KernelDef = {
  name: 'lstm',
  inputs: ['x', 'h0', 'c0', 'Wx', 'Wh', 'b'],
  outputs: ['h', 'c'],
  makeInputs: ({ N, T, D, H }, r) => ({
    x: randTensor(N, T, D, r),
    h0: randMatrix(N, H, r),
    c0: randMatrix(N, H, r),
    ...weights(D, H, 4, r),
  }),
  forward: (inp) => {
    const { h, c } = lstmForward(T3(inp.x), M(inp.h0), params(inp), M(inp.c0));
    return { h, c };
  },
  backward: (inp, up) => {
    const { cache } = lstmForward(T3(inp.x), M(inp.h0), params(inp), M(inp.c0));
    return { ...lstmBackward(T3(up.h), cache, M(up.c)) };
  },
};

/** Weights scaled like a PyTorch init (1/√fan-in), biases O(0.5) so no gate sits at 0. */
export function gruWeights(D: number, H: number, rand: () => number): Named {
  return {
    Wx: randMatrix(D, 3 * H, rand, 1 / Math.sqrt(D)),
    Wh: randMatrix(H, 3 * H, rand, 1 / Math.sqrt(H)),
    bx: randMatrix(1, 3 * H, rand, 0.5),
    bh: randMatrix(1, 3 * H, rand, 0.5),
  };
}
export const gruParams = (inp: Named) => ({ Wx: M(inp.Wx), Wh: M(inp.Wh), bx: M(inp.bx), bh: M(inp.bh) });

export const gruStepDef: KernelDef = {
  name: 'gru-step',
  inputs: ['x', 'hPrev', 'Wx', 'Wh', 'bx', 'bh'],
  outputs: ['h'],
  makeInputs: ({ N, D, H }, r) => ({ x: randMatrix(N, D, r), hPrev: randMatrix(N, H, r), ...gruWeights(D, H, r) }),
  forward: (inp) => ({ h: gruStepForward(M(inp.x), M(inp.hPrev), gruParams(inp)).h }),
  backward: (inp, up) => {
    const { cache } = gruStepForward(M(inp.x), M(inp.hPrev), gruParams(inp));
    return { ...gruStepBackward(M(up.h), cache) };
  },
};

export const gruDef: KernelDef = {
  name: 'gru',
  inputs: ['x', 'h0', 'Wx', 'Wh', 'bx', 'bh'],
  outputs: ['h'],
  makeInputs: ({ N, T, D, H }, r) => ({ x: randTensor(N, T, D, r), h0: randMatrix(N, H, r), ...gruWeights(D, H, r) }),
  forward: (inp) => ({ h: gruForward(T3(inp.x), M(inp.h0), gruParams(inp)).h }),
  backward: (inp, up) => {
    const { cache } = gruForward(T3(inp.x), M(inp.h0), gruParams(inp));
    return { ...gruBackward(T3(up.h), cache) };
  },
};

/** Random upstream gradients shaped like the outputs. */
export function makeUpstream(def: KernelDef, inp: Named, rand: () => number): Named {
  const out = def.forward(inp);
  const up: Named = {};
  for (const name of def.outputs) {
    const o = out[name];
    up[name] = o instanceof Tensor3 ? randTensor(...o.dims, rand) : randMatrix(M(o).rows, M(o).cols, rand);
  }
  return up;
}
