// The realistic mistaken calls of scripts/reliability-probe.mjs, generated in
// a fixed order so that a child process can rebuild the same list and run a
// slice of it. Each case says what is actually wrong: the function (`fn`),
// the guilty argument (`arg`, matched by `argRe`) and the facts a clear
// message states (`facts`, e.g. the expected and the actual shape). A case
// with a `judge` may also be handled by returning (NaN kept to its example,
// an aliasing output computed right, a cache that kept its own copies); the
// judge says whether what came back is right.

/** A whole-word match for an argument or key name. */
const word = (name) => new RegExp(`(?<![\\w])${name.replace(/[.$]/g, '\\$&')}(?![\\w])`);
/** A number not inside a longer number. */
const num = (n) => new RegExp(`(?<![\\d.])${String(n).replace('.', '\\.')}(?![\\d])`);
/** A shape written a×b(×c), with × or x. */
const dims = (...d) => new RegExp(`(?<![\\d.])${d.join('\\s*[×x]\\s*')}(?![\\d])`);

/** A seeded uniform in [-1, 1), so that every probe run builds the same values. */
function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

/** Detaches `buf` (as transferring it to a worker would) and returns it. */
function detach(buf) {
  structuredClone(buf, { transfer: [buf] });
  return buf;
}

const N = 2;
const T = 3;
const D = 4;
const H = 5;

/**
 * @param api the six public subpaths, as loaded from dist/:
 *   { index, reference, gradcheck, interop, train, linalg }
 * @returns the cases, in a fixed order
 */
/** The one documented limit the probe finds: counted silent, allowed by the gate. */
export const DOCUMENTED_STEP_WEIGHTS = 'step caches do not stamp weights';

export function buildCases(api) {
  const { Matrix, Tensor3 } = api.index;
  const rand = lcg(7);
  const M = (r, c) => {
    const m = Matrix.zeros(r, c);
    for (let i = 0; i < m.data.length; i++) m.data[i] = rand();
    return m;
  };
  const T3 = (a, b, c) => {
    const t = Tensor3.zeros(a, b, c);
    for (let i = 0; i < t.data.length; i++) t.data[i] = rand();
    return t;
  };
  const copyM = (m) => new Matrix(m.rows, m.cols, Float64Array.from(m.data));
  const copyT = (t) => new Tensor3(...t.dims, Float64Array.from(t.data));
  const copyAny = (v) => (v instanceof Matrix ? copyM(v) : v instanceof Tensor3 ? copyT(v) : v);

  const cases = [];
  const add = (c) => {
    cases.push({ argRe: c.arg == null ? null : word(c.arg), ...c, id: cases.length });
  };

  /** The wrong things to pass for a Matrix argument that must be r×c. */
  function matrixMistakes(name, r, c, optional, view) {
    // A MatrixView (linalg) also has offset and stride.
    const duck = (data) => (view ? { rows: r, cols: c, offset: 0, stride: c, data } : { rows: r, cols: c, data });
    const out = [
      { what: `${name} with one row too many`, make: () => M(r + 1, c), facts: [num(r + 1), num(r)] },
      { what: `${name} with one column too many`, make: () => M(r, c + 1), facts: [num(c + 1), num(c)] },
      { what: `${name} as a Tensor3`, make: () => T3(r, 1, c), facts: [/Tensor3/] },
      { what: `${name} as a nested array`, make: () => M(r, c).toArray(), facts: [/array/i] },
      { what: `${name} as a ragged array`, make: () => [[1, 2], [3]], facts: [/array|ragged/i] },
      {
        what: `${name} with Float32Array data`,
        make: () => duck(new Float32Array(r * c)),
        facts: [/Float32Array/],
      },
      { what: `${name} as a bare Float64Array`, make: () => new Float64Array(r * c), facts: [/Float64Array/] },
      { what: `${name} = null`, make: () => null, facts: [/null/] },
      { what: `${name} as a number`, make: () => 3, facts: [/number|3/] },
      { what: `${name} as a string`, make: () => 'matrix', facts: [/string|"matrix"/] },
      {
        what: `${name} whose buffer was transferred (detached)`,
        make: () => {
          const m = M(r, c);
          detach(m.data.buffer);
          return m;
        },
        facts: [/detached|transferred/i],
      },
      {
        what: `${name} claiming ${r}×${c} over ${r * c - 1} values`,
        make: () => duck(new Float64Array(r * c - 1)),
        facts: [num(r * c - 1)],
      },
    ];
    if (r !== c) {
      // A weight's message shows its shape; an activation's may name the size it sets instead (D = 2 from x).
      const weight = /^(W|b|A|B|C|dst|src|row|target|pred)/.test(name);
      out.push({ what: `${name} transposed`, make: () => M(c, r), facts: weight ? [dims(c, r)] : [num(c), num(r)] });
    }
    if (!optional)
      out.push({ what: `${name} missing (undefined)`, make: () => undefined, facts: [/undefined|missing/i] });
    return out;
  }

  /** The wrong things to pass for a Tensor3 argument that must be a×b×c; `definesT` when a longer T is valid. */
  function tensorMistakes(name, a, b, c, definesT) {
    const out = [
      { what: `${name} with one example too many`, make: () => T3(a + 1, b, c), facts: [num(a + 1), num(a)] },
      { what: `${name} with one feature too many`, make: () => T3(a, b, c + 1), facts: [num(c + 1), num(c)] },
      { what: `${name} as a Matrix (one step)`, make: () => M(a, c), facts: [/Matrix/, /Tensor3/] },
      { what: `${name} as a nested array`, make: () => T3(a, b, c).toArray(), facts: [/array/i] },
      { what: `${name} as a ragged array`, make: () => [[[1]], [[1, 2]]], facts: [/array|ragged/i] },
      {
        what: `${name} with Float32Array data`,
        make: () => ({ dims: [a, b, c], data: new Float32Array(a * b * c) }),
        facts: [/Float32Array/],
      },
      { what: `${name} as a bare Float64Array`, make: () => new Float64Array(a * b * c), facts: [/Float64Array/] },
      { what: `${name} = null`, make: () => null, facts: [/null/] },
      { what: `${name} missing (undefined)`, make: () => undefined, facts: [/undefined|missing/i] },
      { what: `${name} as a number`, make: () => 3, facts: [/number|3/] },
      {
        what: `${name} whose buffer was transferred (detached)`,
        make: () => {
          const t = T3(a, b, c);
          detach(t.data.buffer);
          return t;
        },
        facts: [/detached|transferred/i],
      },
      {
        what: `${name} claiming ${a}×${b}×${c} over ${a * b * c + 1} values`,
        make: () => ({ dims: [a, b, c], data: new Float64Array(a * b * c + 1) }),
        facts: [num(a * b * c + 1)],
      },
    ];
    if (a !== b) {
      out.push({ what: `${name} time-major (T×N×…)`, make: () => T3(b, a, c), facts: [num(b), num(a)] });
    }
    if (!definesT) {
      out.push({ what: `${name} with one step too many`, make: () => T3(a, b + 1, c), facts: [num(b + 1), num(b)] });
    }
    return out;
  }

  // ---------------------------------------------------------------- recurrent kernels
  const CELLS = {
    rnn: { G: 1, params: ['Wx', 'Wh', 'b'], Name: 'Rnn' },
    lstm: { G: 4, params: ['Wx', 'Wh', 'b'], Name: 'Lstm' },
    gru: { G: 3, params: ['Wx', 'Wh', 'bx', 'bh'], Name: 'Gru' },
  };
  const paramShape = (cell, key, d = D, hh = H) => {
    const G = CELLS[cell].G;
    return key === 'Wx' ? [d, G * hh] : key === 'Wh' ? [hh, G * hh] : [1, G * hh];
  };
  const makeParams = (cell, d = D, hh = H) =>
    Object.fromEntries(CELLS[cell].params.map((k) => [k, M(...paramShape(cell, k, d, hh))]));

  /**
   * The arguments of each kernel: name, kind (M, T, P, C), shape, whether optional,
   * and the valid argument list.
   */
  function kernels(cell) {
    const lstm = cell === 'lstm';
    const step = lstm
      ? [
          ['x', 'M', [N, D]],
          ['hPrev', 'M', [N, H]],
          ['cPrev', 'M', [N, H]],
          ['p', 'P'],
        ]
      : [
          ['x', 'M', [N, D]],
          ['hPrev', 'M', [N, H]],
          ['p', 'P'],
        ];
    const seq = lstm
      ? [
          ['x', 'T', [N, T, D]],
          ['h0', 'M', [N, H]],
          ['p', 'P'],
          ['c0', 'M', [N, H], true],
        ]
      : [
          ['x', 'T', [N, T, D]],
          ['h0', 'M', [N, H]],
          ['p', 'P'],
        ];
    const stepBack = lstm
      ? [
          ['dh', 'M', [N, H]],
          ['dcNext', 'M', [N, H]],
          ['cache', 'C'],
        ]
      : [
          ['dh', 'M', [N, H]],
          ['cache', 'C'],
        ];
    const seqBack = lstm
      ? [
          ['dh', 'T', [N, T, H]],
          ['cache', 'C'],
          ['dcT', 'M', [N, H], true],
        ]
      : [
          ['dh', 'T', [N, T, H]],
          ['cache', 'C'],
        ];
    return [
      { kind: 'step', fwd: `${cell}StepForward`, bwd: `${cell}StepBackward`, fargs: step, bargs: stepBack },
      { kind: 'seq', fwd: `${cell}Forward`, bwd: `${cell}Backward`, fargs: seq, bargs: seqBack },
    ];
  }

  const validArg = (cell, spec) => {
    const [, kind, shape] = spec;
    if (kind === 'M') return M(...shape);
    if (kind === 'T') return T3(...shape);
    if (kind === 'P') return makeParams(cell);
    throw new Error(`no valid value for ${spec[0]}`);
  };

  /** The per-example rows of an output (a Matrix or Tensor3 both lead with N). */
  const exampleRows = (v, n) => {
    const per = v.data.length / (v.rows ?? v.dims[0]);
    return v.data.subarray(n * per, (n + 1) * per);
  };
  const same = (a, b) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]) || Math.abs(x - b[i]) <= 1e-12);
  const close = (a, b) => {
    let num2 = 0;
    let den = 0;
    for (let i = 0; i < a.length; i++) {
      num2 += (a[i] - b[i]) ** 2;
      den += a[i] ** 2 + b[i] ** 2;
    }
    return Number.isFinite(num2) && Math.sqrt(num2) <= 1e-9 * Math.max(1, Math.sqrt(den));
  };

  for (const [pathName, mod] of [
    ['handgrad', api.index],
    ['handgrad/reference', api.reference],
  ]) {
    for (const cell of Object.keys(CELLS)) {
      for (const k of kernels(cell)) {
        const fwd = mod[k.fwd];
        const bwd = mod[k.bwd];
        const freshArgs = () => k.fargs.map((s) => (s[3] ? undefined : validArg(cell, s)));
        // -------- forward: each argument wrong in each way
        for (const [i, spec] of k.fargs.entries()) {
          const [name, kind, shape, optional] = spec;
          const mistakes =
            kind === 'M'
              ? matrixMistakes(name, shape[0], shape[1], optional)
              : kind === 'T'
                ? tensorMistakes(name, ...shape, true)
                : [];
          for (const m of mistakes) {
            add({
              subpath: pathName,
              fn: k.fwd,
              arg: name,
              what: m.what,
              facts: m.facts,
              run: () => {
                const args = freshArgs();
                args[i] = m.make();
                return fwd(...args);
              },
            });
          }
        }
        // -------- forward: the params record
        const pIndex = k.fargs.findIndex((s) => s[0] === 'p');
        const withP = (p) => () => {
          const args = freshArgs();
          args[pIndex] = p();
          return fwd(...args);
        };
        add({ subpath: pathName, fn: k.fwd, arg: 'p', what: 'p = null', facts: [/null/], run: withP(() => null) });
        add({
          subpath: pathName,
          fn: k.fwd,
          arg: 'p',
          what: 'p missing',
          facts: [/undefined|missing/i],
          run: withP(() => undefined),
        });
        add({
          subpath: pathName,
          fn: k.fwd,
          arg: 'p',
          what: 'p as an array of matrices',
          facts: [/array/i],
          run: withP(() => Object.values(makeParams(cell))),
        });
        for (const key of CELLS[cell].params) {
          const [r, c] = paramShape(cell, key);
          add({
            subpath: pathName,
            fn: k.fwd,
            arg: key,
            what: `p without ${key}`,
            facts: [/missing|undefined|no /i],
            run: withP(() => {
              const p = makeParams(cell);
              delete p[key];
              return p;
            }),
          });
          add({
            subpath: pathName,
            fn: k.fwd,
            arg: key,
            what: `p with ${key.toLowerCase()} for ${key} (a typo)`,
            facts: [/missing|undefined|no /i],
            run: withP(() => {
              const p = makeParams(cell);
              p[key.toLowerCase()] = p[key];
              delete p[key];
              return p;
            }),
          });
          for (const m of matrixMistakes(key, r, c, false)) {
            if (m.what.endsWith('(undefined)')) continue;
            add({
              subpath: pathName,
              fn: k.fwd,
              arg: key,
              what: `p.${m.what}`,
              facts: m.facts,
              run: withP(() => ({ ...makeParams(cell), [key]: m.make() })),
            });
          }
        }
        // params of the other cells: the weights' widths give it away
        for (const other of Object.keys(CELLS)) {
          if (other === cell || CELLS[other].G === CELLS[cell].G) continue;
          const otherP = makeParams(other);
          // Any of the params may be named; a clear message says whose params they are.
          add({
            subpath: pathName,
            fn: k.fwd,
            arg: 'p or one of its matrices',
            argRe: /(?<!\w)(p|Wx|Wh|b|bx|bh)(?!\w)/,
            what: `p of a ${other.toUpperCase()} (Wx ${D}×${CELLS[other].G * H})`,
            facts: [new RegExp(other === 'rnn' ? 'rnn|vanilla' : other, 'i')],
            run: withP(() => otherP),
          });
        }
        if (cell === 'gru') {
          add({
            subpath: pathName,
            fn: k.fwd,
            arg: 'bx',
            what: 'p with one bias b (an LSTM-style record) instead of bx and bh',
            facts: [/missing|undefined|no /i],
            run: withP(() => {
              const { Wx, Wh } = makeParams(cell);
              return { Wx, Wh, b: M(1, 3 * H) };
            }),
          });
        }
        // the state of the wrong width, against correct weights: H comes from the weights
        const stateName = k.kind === 'step' ? 'hPrev' : 'h0';
        const sIndex = k.fargs.findIndex((s) => s[0] === stateName);
        for (const delta of [1, -1]) {
          add({
            subpath: pathName,
            fn: k.fwd,
            arg: stateName,
            what: `${stateName} ${H + delta} wide with weights of H = ${H}`,
            facts: [num(H + delta), num(H)],
            run: () => {
              const args = freshArgs();
              args[sIndex] = M(N, H + delta);
              return fwd(...args);
            },
          });
        }
        // the whole model built for another D or H
        for (const [dd, hh, guilty] of [
          [D + 2, H, 'x'],
          [D, H + 2, stateName],
        ]) {
          add({
            subpath: pathName,
            fn: k.fwd,
            arg: guilty,
            what: `weights built for D = ${dd}, H = ${hh} (the data has D = ${D}, H = ${H})`,
            facts: dd !== D ? [num(dd), num(D)] : [num(hh), num(H)],
            run: () => {
              const args = freshArgs();
              args[pIndex] = makeParams(cell, dd, hh);
              return fwd(...args);
            },
          });
        }
        // -------- forward: NaN and Infinity in one example stay in that example
        const xIndex = 0;
        for (const [label, value] of [
          ['NaN', Number.NaN],
          ['Infinity', Number.POSITIVE_INFINITY],
          ['-Infinity', Number.NEGATIVE_INFINITY],
        ]) {
          add({
            subpath: pathName,
            fn: k.fwd,
            arg: 'x',
            what: `${label} in example 0 of x`,
            facts: [/NaN|finite|Infinity/],
            run: () => {
              const args = freshArgs();
              const clean = fwd(...args.map(copyAny));
              args[xIndex].data[0] = value;
              return { clean, got: fwd(...args) };
            },
            judge: ({ clean, got }) => {
              for (let n = 1; n < N; n++) {
                if (!same(exampleRows(got.h, n), exampleRows(clean.h, n))) return 'silent: example 1 changed';
              }
              return 'handled';
            },
          });
        }
        add({
          subpath: pathName,
          fn: k.fwd,
          arg: 'Wx',
          what: 'NaN in Wx (a diverged model)',
          facts: [/NaN|finite/],
          run: () => {
            const args = freshArgs();
            args[pIndex].Wx.data[0] = Number.NaN;
            return fwd(...args);
          },
          judge: (got) => (got.h.data.some(Number.isNaN) ? 'handled' : 'silent: NaN weights gave numbers'),
        });

        // -------- backward
        const forwardOf = (m) => m[k.fwd](...freshArgs());
        const cacheIndex = k.bargs.findIndex((s) => s[0] === 'cache');
        const freshBack = (cache) =>
          k.bargs.map((s) => (s[0] === 'cache' ? cache : s[3] ? undefined : validArg(cell, s)));
        for (const [i, spec] of k.bargs.entries()) {
          const [name, kind, shape, optional] = spec;
          if (kind === 'C') continue;
          const mistakes =
            kind === 'M' ? matrixMistakes(name, shape[0], shape[1], optional) : tensorMistakes(name, ...shape, false);
          for (const m of mistakes) {
            add({
              subpath: pathName,
              fn: k.bwd,
              arg: name,
              what: m.what,
              facts: m.facts,
              run: () => {
                const args = freshBack(forwardOf(mod).cache);
                args[i] = m.make();
                return bwd(...args);
              },
            });
          }
        }
        const withCache = (makeCache) => () => {
          const args = freshBack(makeCache());
          return bwd(...args);
        };
        add({
          subpath: pathName,
          fn: k.bwd,
          arg: 'cache',
          what: 'cache = null',
          facts: [/null/],
          run: withCache(() => null),
        });
        add({
          subpath: pathName,
          fn: k.bwd,
          arg: 'cache',
          what: 'cache missing',
          facts: [/undefined|missing/i],
          run: withCache(() => undefined),
        });
        add({
          subpath: pathName,
          fn: k.bwd,
          arg: 'cache',
          what: 'cache = {}',
          facts: [/cache/],
          run: withCache(() => ({})),
        });
        add({
          subpath: pathName,
          fn: k.bwd,
          arg: 'cache',
          what: 'the whole forward result instead of its cache',
          facts: [/\.cache|result/],
          run: withCache(() => forwardOf(mod)),
        });
        // caches of other kernels: the other cells, the other kind, the other path
        for (const other of Object.keys(CELLS)) {
          for (const ok of kernels(other)) {
            if (other === cell && ok.kind === k.kind) continue;
            add({
              subpath: pathName,
              fn: k.bwd,
              arg: 'cache',
              what: `a ${ok.fwd} cache`,
              facts: [word(ok.fwd)],
              run: withCache(() => {
                const o = mod[ok.fwd](...ok.fargs.map((s) => (s[3] ? undefined : validArg(other, s))));
                return o.cache;
              }),
            });
          }
        }
        const otherMod = mod === api.index ? api.reference : api.index;
        add({
          subpath: pathName,
          fn: k.bwd,
          arg: 'cache',
          what: `a cache of the ${mod === api.index ? 'reference' : 'fast'} path's ${k.fwd}`,
          facts: [/reference/],
          run: () => {
            const fargs = freshArgs();
            const up = freshBack(null);
            const want = bwd(...up.map((u, j) => (j === cacheIndex ? fwd(...fargs).cache : u)));
            const got = bwd(...up.map((u, j) => (j === cacheIndex ? otherMod[k.fwd](...fargs).cache : u)));
            return { want, got };
          },
          judge: ({ want, got }) => {
            for (const key of Object.keys(want))
              if (!close(want[key].data, got[key].data)) return `silent: ${key} differs`;
            return 'handled';
          },
        });
        // a cache field missing or damaged
        const sampleCache = forwardOf(mod).cache;
        for (const field of Object.keys(sampleCache)) {
          add({
            subpath: pathName,
            fn: k.bwd,
            arg: 'cache',
            what: `cache without ${field}`,
            facts: [word(field)],
            // A field the backward can do without: the right gradients are handled.
            run: () => {
              const fargs = freshArgs();
              const up = freshBack(null);
              const want = bwd(...up.map((u, j) => (j === cacheIndex ? fwd(...fargs).cache : u)));
              const c = { ...fwd(...fargs).cache };
              delete c[field];
              return { want, got: bwd(...up.map((u, j) => (j === cacheIndex ? c : u))) };
            },
            judge: ({ want, got }) => {
              for (const key of Object.keys(want))
                if (!close(want[key].data, got[key].data)) return `silent: ${key} differs`;
              return 'handled';
            },
          });
          const v = sampleCache[field];
          if (v instanceof Matrix || v instanceof Tensor3 || v instanceof Float64Array) {
            add({
              subpath: pathName,
              fn: k.bwd,
              arg: 'cache',
              what: `cache.${field} replaced by a buffer of another size`,
              facts: [word(field)],
              run: withCache(() => {
                const c = { ...forwardOf(mod).cache };
                c[field] =
                  v instanceof Matrix
                    ? M(v.rows + 1, v.cols)
                    : v instanceof Tensor3
                      ? T3(v.dims[0] + 1, v.dims[1], v.dims[2])
                      : new Float64Array(v.length + 1);
                return c;
              }),
            });
          }
        }
        // -------- edits between forward and backward: detected, or the cache kept its own copy
        const edits = [
          ['x', (args) => args[0]],
          [stateName, (args) => args[sIndex]],
          ['Wx', (args) => args[pIndex].Wx],
          ['Wh', (args) => args[pIndex].Wh],
        ];
        for (const [name, pick] of edits) {
          for (const how of ['edited', 'detached']) {
            const verb = how === 'edited' ? 'edited in place' : 'transferred (detached)';
            // A step's cache checksums x and the state only (weights would cost +30–105% a step): a weight edited
            // between a step's forward and backward is a documented limit (docs/reliability.md), still silent.
            const stepWeight = how === 'edited' && (name === 'Wx' || name === 'Wh') && /Step/.test(k.bwd);
            add({
              subpath: pathName,
              fn: k.bwd,
              arg: name,
              what: `${name} ${verb} between forward and backward`,
              ...(stepWeight ? { documented: DOCUMENTED_STEP_WEIGHTS } : {}),
              facts: how === 'edited' ? [/chang|edit|modif/i] : [/detached|transferred/i],
              run: () => {
                const fargs = freshArgs();
                const keep = fargs.map((a) =>
                  a && typeof a === 'object' && !(a instanceof Matrix) && !(a instanceof Tensor3)
                    ? Object.fromEntries(Object.entries(a).map(([kk, vv]) => [kk, copyAny(vv)]))
                    : copyAny(a),
                );
                const up = freshBack(null);
                const expected = bwd(...up.map((u, j) => (j === cacheIndex ? fwd(...keep).cache : copyAny(u))));
                const { cache } = fwd(...fargs);
                const target = pick(fargs);
                if (how === 'edited') for (let j = 0; j < target.data.length; j++) target.data[j] += 0.5;
                else detach(target.data.buffer);
                up[cacheIndex] = cache;
                return { expected, got: bwd(...up) };
              },
              judge: ({ expected, got }) => {
                for (const key of Object.keys(expected)) {
                  if (!close(expected[key].data, got[key].data)) return `silent: ${key} changed`;
                }
                return 'handled';
              },
            });
          }
        }
        // NaN upstream in one example stays in that example's dx
        add({
          subpath: pathName,
          fn: k.bwd,
          arg: 'dh',
          what: 'NaN in example 0 of dh',
          facts: [/NaN|finite/],
          run: () => {
            const { cache } = forwardOf(mod);
            const up = freshBack(cache);
            const clean = bwd(...up.map(copyAny));
            up[0].data[0] = Number.NaN;
            return { clean, got: bwd(...up) };
          },
          judge: ({ clean, got }) =>
            same(exampleRows(got.dx, 1), exampleRows(clean.dx, 1)) ? 'handled' : 'silent: example 1 changed',
        });
      }
    }
  }

  // ---------------------------------------------------------------- constructors
  const ctor = (fn, what, arg, facts, run) => add({ subpath: 'handgrad', fn, arg, what, facts, run });
  ctor('Matrix', 'data of 5 values for 2×3', 'data', [num(5), num(6)], () => new Matrix(2, 3, new Float64Array(5)));
  ctor('Matrix', 'Float32Array data', 'data', [/Float32Array/], () => new Matrix(2, 3, new Float32Array(6)));
  ctor('Matrix', 'a plain array as data', 'data', [/array/i], () => new Matrix(2, 3, [1, 2, 3, 4, 5, 6]));
  ctor('Matrix', 'detached data', 'data', [/detached|transferred/i], () => {
    const d = new Float64Array(6);
    detach(d.buffer);
    return new Matrix(2, 3, d);
  });
  for (const [label, v, fact] of [
    ['-1', -1, num(-1)],
    ['0', 0, num(0)],
    ['1.5', 1.5, /1\.5/],
    ['"2"', '2', /"2"|string/],
    ['NaN', Number.NaN, /NaN/],
    ['Infinity', Number.POSITIVE_INFINITY, /Infinity/],
    ['null', null, /null/],
  ]) {
    ctor('Matrix', `rows = ${label}`, 'rows', [fact], () => new Matrix(v, 3));
    ctor('Matrix.zeros', `cols = ${label}`, 'cols', [fact], () => Matrix.zeros(2, v));
    ctor('Tensor3.zeros', `T = ${label}`, 'T', [fact], () => Tensor3.zeros(2, v, 3));
    ctor('Tensor3', `D = ${label}`, 'D', [fact], () => new Tensor3(2, 3, v));
  }
  ctor('Matrix.from', 'ragged rows', null, [/ragged|row 1/], () => Matrix.from([[1, 2], [3]]));
  ctor('Matrix.from', 'a string entry', null, [/"2"|string/], () => Matrix.from([[1, '2']]));
  ctor('Matrix.from', 'a flat array', null, [/array/i], () => Matrix.from([1, 2, 3]));
  ctor('Matrix.from', 'an empty array', null, [/empty|0/], () => Matrix.from([]));
  ctor('Matrix.from', 'a 3-level array', null, [/array|number/i], () => Matrix.from([[[1]]]));
  ctor('Tensor3.from', 'ragged steps', null, [/ragged/], () => Tensor3.from([[[1], [2]], [[3]]]));
  ctor('Tensor3.from', 'a 2-level array', null, [/array|Matrix/i], () =>
    Tensor3.from([
      [1, 2],
      [3, 4],
    ]),
  );
  ctor('Tensor3.from', 'a string entry', null, [/"2"|string/], () => Tensor3.from([[[1, '2']]]));

  // ---------------------------------------------------------------- linalg
  const la = api.linalg;
  const linalg = (fn, arg, what, facts, run, judge) =>
    add({ subpath: 'handgrad/linalg', fn, arg, what, facts, run, judge });
  // products: A is r×k, B is k×c (plain); the Trans forms read A or B transposed
  const products = [
    ['matmul', (a, b) => la.matmul(a, b), [3, 4], [4, 5]],
    ['matmulTransA', (a, b) => la.matmulTransA(a, b), [4, 3], [4, 5]],
    ['matmulTransB', (a, b) => la.matmulTransB(a, b), [3, 4], [5, 4]],
  ];
  for (const [fn, call, aShape, bShape] of products) {
    for (const [argName, argIndex, shape] of [
      ['A', 0, aShape],
      ['B', 1, bShape],
    ]) {
      for (const m of matrixMistakes(argName, shape[0], shape[1], false, true)) {
        // One more row or column on the outer dimension is a valid product.
        const inner = fn === 'matmul' ? (argIndex === 0 ? 'cols' : 'rows') : fn === 'matmulTransA' ? 'rows' : 'cols';
        if (m.what.endsWith('row too many') && inner !== 'rows') continue;
        if (m.what.endsWith('column too many') && inner !== 'cols') continue;
        if (m.what.endsWith('as a Tensor3') || m.what.endsWith('transposed')) {
          // A Tensor3 (r×1×c) has no rows; a transposed square-free operand breaks the inner size.
        }
        linalg(fn, argName, m.what, m.facts, () => {
          const args = [M(...aShape), M(...bShape)];
          args[argIndex] = m.make();
          return call(...args);
        });
      }
    }
  }
  const intoForms = [
    ['matmulInto', la.matmulInto, la.matmul, [3, 4], [4, 4]],
    ['matmulTransAInto', la.matmulTransAInto, la.matmulTransA, [4, 4], [4, 4]],
    ['matmulTransBInto', la.matmulTransBInto, la.matmulTransB, [4, 4], [4, 4]],
  ];
  for (const [fn, into, plain, aShape, bShape] of intoForms) {
    const cRows = fn === 'matmulTransAInto' ? aShape[1] : aShape[0];
    const cCols = fn === 'matmulTransBInto' ? bShape[0] : bShape[1];
    for (const m of matrixMistakes('C', cRows, cCols, false, true)) {
      linalg(fn, 'C', m.what, m.facts, () => into(m.make(), M(...aShape), M(...bShape)));
    }
    // the output aliasing an operand: computed right, or refused naming C (small and blocked sizes)
    for (const n of [4, 24]) {
      for (const [label, alias] of [
        ['C is A', 0],
        ['C is B', 1],
      ]) {
        for (const accumulate of [false, true]) {
          linalg(
            fn,
            'C',
            `${label}, ${n}×${n}${accumulate ? ' (accumulate)' : ''}`,
            [/alias|overlap|same/i],
            () => {
              const A = M(n, n);
              const B = M(n, n);
              const want = plain(A, B);
              if (accumulate) la.addInto(want, alias === 0 ? A : B);
              const C = alias === 0 ? A : B;
              into(C, A, B, accumulate);
              return { want, got: C };
            },
            ({ want, got }) => (close(want.data, got.data) ? 'handled' : 'silent: wrong product'),
          );
        }
      }
      linalg(
        fn,
        'C',
        `C a view overlapping A by one row, ${n}×${n}`,
        [/alias|overlap|same/i],
        () => {
          const buf = new Float64Array(3 * n * n);
          for (let i = 0; i < buf.length; i++) buf[i] = rand();
          const A = { data: buf, offset: 0, stride: n, rows: n, cols: n };
          const B = M(n, n);
          const want = plain(new Matrix(n, n, buf.slice(0, n * n)), B);
          const start = (n - 1) * n;
          into({ data: buf, offset: start, stride: n, rows: n, cols: n }, A, B);
          return { want, got: new Matrix(n, n, buf.slice(start, start + n * n)) };
        },
        ({ want, got }) => (close(want.data, got.data) ? 'handled' : 'silent: wrong product'),
      );
    }
  }
  for (const [fn, call, shapeC, shapeA, argName] of [
    ['addInto', la.addInto, [3, 4], [3, 4], 'A'],
    ['copyInto', la.copyInto, [3, 4], [3, 4], 'src'],
    ['sigmoidInto', la.sigmoidInto, [3, 4], [3, 4], 'src'],
    ['tanhInto', la.tanhInto, [3, 4], [3, 4], 'src'],
    ['addRowInto', la.addRowInto, [3, 4], [1, 4], 'row'],
    ['broadcastRowInto', la.broadcastRowInto, [3, 4], [1, 4], 'row'],
    ['colSumInto', (dst, A) => la.colSumInto(dst, A), [1, 4], [3, 4], 'A'],
  ]) {
    for (const m of matrixMistakes(argName, shapeA[0], shapeA[1], false, true)) {
      if (fn === 'colSumInto' && m.what.endsWith('row too many')) continue; // any row count sums
      linalg(fn, argName, m.what, m.facts, () => call(M(...shapeC), m.make()));
    }
    const dstName =
      fn === 'copyInto' || fn.endsWith('moidInto') || fn === 'tanhInto' || fn === 'colSumInto' ? 'dst' : 'C';
    for (const m of matrixMistakes(dstName, shapeC[0], shapeC[1], false, true)) {
      if (fn !== 'colSumInto' && m.what.endsWith('row too many') && argName === 'row') {
        // addRowInto/broadcastRowInto onto a taller C is valid
        continue;
      }
      linalg(fn, dstName, m.what, m.facts, () => call(m.make(), M(...shapeA)));
    }
  }
  linalg('colSum', 'A', 'A = null', [/null/], () => la.colSum(null));
  linalg('colSum', 'A', 'A as a nested array', [/array/i], () => la.colSum([[1, 2]]));
  linalg('colSum', 'A', 'A as a Tensor3', [/Tensor3/], () => la.colSum(T3(2, 3, 4)));
  for (const v of ['gpu', 'TS', '', null, 1]) {
    linalg('setProductTier', 'tier', `tier = ${JSON.stringify(v)}`, [/ts/, /wasm/], () => {
      try {
        return la.setProductTier(v);
      } finally {
        // A refused tier must leave the tier as it was; put it back in any case.
      }
    });
  }
  linalg('sigmoid', 'z', 'a Matrix to the scalar sigmoid', [/number|Matrix|sigmoidInto/], () => la.sigmoid(M(2, 2)));
  linalg('tanh', 'z', 'a Matrix to the scalar tanh', [/number|Matrix|tanhInto/], () => la.tanh(M(2, 2)));

  // ---------------------------------------------------------------- train: layers
  const tr = api.train;
  const train = (fn, arg, what, facts, run, judge) =>
    add({ subpath: 'handgrad/train', fn, arg, what, facts, run, judge });
  const V = 7;
  const ids = () => [
    [0, 1, 2],
    [3, 4, 6],
  ];
  const badIds = [
    ['the string "1"', '1', [/"1"/, /string/]],
    ['1.5', 1.5, [/1\.5/]],
    ['NaN', Number.NaN, [/NaN/]],
    ['-1', -1, [num(-1)]],
    [`${V} (= V)`, V, [num(V)]],
    ['null', null, [/null/]],
    ['true', true, [/true|boolean/]],
    ['a bigint', 1n, [/bigint/]],
  ];
  for (const [label, v, facts] of badIds) {
    train('wordEmbeddingForward', 'ids', `ids[1][2] = ${label}`, [...facts, /ids\[1\]\[2\]/], () => {
      const x = ids();
      x[1][2] = v;
      return tr.wordEmbeddingForward(x, M(V, D));
    });
    train('temporalSoftmaxLoss', 'targets', `targets[1][2] = ${label}`, [...facts, /targets\[1\]\[2\]/], () => {
      const y = ids();
      y[1][2] = v;
      return tr.temporalSoftmaxLoss(T3(2, 3, V), y);
    });
  }
  for (const [label, make, facts] of [
    ['ragged ids', () => [[0, 1, 2], [3]], [/ragged|ids\[1\]/]],
    ['flat ids', () => [0, 1, 2], [/ids\[0\]|array/]],
    ['ids = null', () => null, [/null/]],
    ['ids = []', () => [], [/empty|0/]],
    ['ids as a Matrix', () => Matrix.from(ids()), [/Matrix/]],
    ['ids as Int32Array rows', () => ids().map((r) => Int32Array.from(r)), [/Int32Array|array/]],
  ]) {
    train(
      'wordEmbeddingForward',
      'ids',
      label,
      facts,
      () => tr.wordEmbeddingForward(make(), M(V, D)),
      (out) => (label.includes('Int32Array') && out.out && out.out.dims[0] === 2 ? 'handled' : 'silent: accepted'),
    );
  }
  for (const m of matrixMistakes('W', V, D, false)) {
    if (m.what.endsWith('too many')) continue; // a bigger vocabulary, a wider embedding: valid
    train('wordEmbeddingForward', 'W', m.what, m.facts, () => tr.wordEmbeddingForward(ids(), m.make()));
  }
  const emb = () => tr.wordEmbeddingForward(ids(), M(V, D));
  for (const m of tensorMistakes('dout', 2, 3, D, false)) {
    train('wordEmbeddingBackward', 'dout', m.what, m.facts, () => tr.wordEmbeddingBackward(m.make(), emb().cache));
  }
  const affine = () => tr.temporalAffineForward(T3(2, 3, D), M(D, V), M(1, V));
  for (const [fn, make] of [
    ['wordEmbeddingBackward', () => tr.wordEmbeddingBackward(T3(2, 3, D), affine().cache)],
    ['temporalAffineBackward', () => tr.temporalAffineBackward(T3(2, 3, V), emb().cache)],
    ['wordEmbeddingBackward', () => tr.wordEmbeddingBackward(T3(2, 3, D), null)],
    ['temporalAffineBackward', () => tr.temporalAffineBackward(T3(2, 3, V), {})],
    [
      'temporalAffineBackward',
      () => tr.temporalAffineBackward(T3(2, 3, V), api.index.rnnForward(T3(2, 3, D), M(2, H), makeParams('rnn')).cache),
    ],
  ]) {
    const label = make.toString().includes('affine()')
      ? 'a temporalAffineForward cache'
      : make.toString().includes('emb()')
        ? 'a wordEmbeddingForward cache'
        : make.toString().includes('rnnForward')
          ? 'an rnnForward cache'
          : make.toString().includes('null')
            ? 'cache = null'
            : 'cache = {}';
    const facts = label.startsWith('a ') || label.startsWith('an ') ? [word(label.split(' ')[1])] : [/cache/];
    train(fn, 'cache', label, facts, make);
  }
  for (const [argName, idx, shapeArg] of [
    ['x', 0, 'T'],
    ['W', 1, [D, V]],
    ['b', 2, [1, V]],
  ]) {
    const mistakes =
      shapeArg === 'T' ? tensorMistakes('x', 2, 3, D, true) : matrixMistakes(argName, ...shapeArg, false);
    for (const m of mistakes) {
      if (argName === 'x' && m.what.endsWith('example too many')) continue;
      if (argName === 'x' && m.what.endsWith('time-major (T×N×…)')) continue; // any N and T are valid
      if (argName === 'W' && m.what.endsWith('column too many')) {
        // W one column wider than b: blame either; the message must name W and the widths
      }
      train('temporalAffineForward', argName, m.what, m.facts, () => {
        const args = [T3(2, 3, D), M(D, V), M(1, V)];
        args[idx] = m.make();
        return tr.temporalAffineForward(...args);
      });
    }
  }
  for (const m of tensorMistakes('dout', 2, 3, V, false)) {
    train('temporalAffineBackward', 'dout', m.what, m.facts, () => tr.temporalAffineBackward(m.make(), affine().cache));
  }
  for (const m of tensorMistakes('scores', 2, 3, V, false)) {
    if (m.what.endsWith('feature too many')) continue; // more classes than any target: valid
    train('temporalSoftmaxLoss', 'scores', m.what, m.facts, () => tr.temporalSoftmaxLoss(m.make(), ids()));
  }
  for (const [label, make, facts, judgeOk] of [
    [
      'mask one step short',
      () => [
        [true, true],
        [true, true],
      ],
      [/mask/, num(3)],
    ],
    [
      'mask of 0/1 numbers',
      () => [
        [1, 1, 0],
        [1, 0, 1],
      ],
      [/boolean|true|number/],
      true,
    ],
    ['mask = "all"', () => 'all', [/string|"all"/]],
    ['ragged mask', () => [[true, true, true], [true]], [/ragged|mask\[1\]/]],
  ]) {
    train(
      'temporalSoftmaxLoss',
      'mask',
      label,
      facts,
      () => ({ got: tr.temporalSoftmaxLoss(T3(2, 3, V), ids(), make()), label }),
      judgeOk
        ? ({ got }) => (Number.isFinite(got.loss) ? 'handled' : 'silent: loss not finite')
        : () => 'silent: accepted',
    );
  }
  for (const m of matrixMistakes('target', 3, 4, false)) {
    train('meanSquaredError', 'target', m.what, m.facts, () => tr.meanSquaredError(M(3, 4), m.make()));
  }
  for (const m of matrixMistakes('pred', 3, 4, false)) {
    if (m.what.endsWith('too many') || m.what.endsWith('transposed')) {
      // pred and target disagree: the message must name pred (changed) and both shapes
    }
    train('meanSquaredError', 'pred', m.what, m.facts, () => tr.meanSquaredError(m.make(), M(3, 4)));
  }

  // ---------------------------------------------------------------- train: optimisers
  const grads = (p) => Object.fromEntries(Object.entries(p).map(([k, v]) => [`d${k}`, M(v.rows, v.cols)]));
  const opt = [
    ['sgd', (p, g, o = { learningRate: 0.1 }) => tr.sgd(p, g, o), 'options'],
    ['sgdMomentum', (p, g, o = { learningRate: 0.1 }) => tr.sgdMomentum(p, g, undefined, o), 'options'],
    ['adam', (p, g, o = {}) => tr.adam(p, g, undefined, o), 'options'],
  ];
  for (const [fn, call] of opt) {
    for (const [label, g, facts] of [
      [
        'grads without dWh',
        (p) => {
          const x = grads(p);
          delete x.dWh;
          return x;
        },
        [/dWh/],
      ],
      [
        'grads keyed Wx (not dWx)',
        (p) => Object.fromEntries(Object.entries(grads(p)).map(([k, v]) => [k.slice(1), v])),
        [/dWx/],
      ],
      ['grads.dWx transposed', (p) => ({ ...grads(p), dWx: M(5, 4) }), [dims(5, 4), dims(4, 5)]],
      ['grads.db one column short', (p) => ({ ...grads(p), db: M(1, 4) }), [dims(1, 4), dims(1, 5)]],
      ['grads = null', () => null, [/null/]],
      [
        'grads.dWx with NaN',
        (p) => {
          const x = grads(p);
          x.dWx.data[0] = Number.NaN;
          return x;
        },
        [/NaN|finite/],
      ],
    ]) {
      const guilty = label.startsWith('grads.') ? label.split(' ')[0].slice(6) : 'grads';
      const withNaN = label.endsWith('NaN');
      train(
        fn,
        guilty,
        label,
        facts,
        () => {
          const p = makeParams('rnn');
          return { before: copyM(p.Wx), got: call(p, g(p)) };
        },
        withNaN
          ? ({ got }) => {
              const p2 = got.params ?? got;
              return p2.Wx.data.some(Number.isNaN) ? 'handled' : 'silent: NaN gradient gave numbers';
            }
          : undefined,
      );
    }
    for (const [label, o, facts] of [
      ['learningRate NaN', { learningRate: Number.NaN }, [/NaN/]],
      ['learningRate -0.1', { learningRate: -0.1 }, [/-0\.1/]],
      ['learningRate "0.1"', { learningRate: '0.1' }, [/"0\.1"|string/]],
      ['lr instead of learningRate', { lr: 0.1 }, [/learningRate|lr/]],
      ['options = null', null, [/null/]],
    ]) {
      if (fn === 'adam' && label.startsWith('lr instead')) continue; // adam has a default rate
      if (label === 'options = null' && fn === 'adam') continue;
      const arg = label.startsWith('options') ? 'options' : label.startsWith('lr ') ? 'learningRate' : 'learningRate';
      train(fn, arg, label, facts, () => call(makeParams('rnn'), grads(makeParams('rnn')), o));
    }
  }
  for (const [label, o, facts] of [
    ['beta1 = 1', { beta1: 1 }, [/beta1/, num(1)]],
    ['beta2 = -0.5', { beta2: -0.5 }, [/beta2/, /-0\.5/]],
    ['epsilon = 0', { epsilon: 0 }, [/epsilon/, num(0)]],
    ["eps (PyTorch's name) for epsilon", { eps: 1e-6 }, [/eps/, /epsilon/]],
  ]) {
    train('adam', label.startsWith('eps (') ? 'eps' : label.split(' ')[0], label, facts, () =>
      tr.adam(makeParams('rnn'), grads(makeParams('rnn')), undefined, o),
    );
  }
  train('sgdMomentum', 'momentum', 'momentum = 1.5', [/1\.5/], () =>
    tr.sgdMomentum(makeParams('rnn'), grads(makeParams('rnn')), undefined, { learningRate: 0.1, momentum: 1.5 }),
  );
  train('adam', 'state', 'the state of another model (LSTM)', [/dWx|Wx|state/, dims(D, 4 * H)], () => {
    const lstmP = makeParams('lstm');
    const s = tr.adam(lstmP, grads(lstmP), undefined, {}).state;
    return tr.adam(makeParams('rnn'), grads(makeParams('rnn')), s, {});
  });
  for (const [label, v, facts] of [
    ['-1', -1, [num(-1)]],
    ['NaN', Number.NaN, [/NaN/]],
    ['"5"', '5', [/"5"|string/]],
    ['0', 0, [num(0)]],
  ]) {
    train('clipGradNorm', 'maxNorm', `maxNorm = ${label}`, facts, () => {
      const p = makeParams('rnn');
      return tr.clipGradNorm(p, grads(p), v);
    });
  }

  // ---------------------------------------------------------------- train: init and random
  for (const fn of ['initRnnParams', 'initLstmParams', 'initGruParams']) {
    for (const [label, v, fact] of [
      ['0', 0, num(0)],
      ['-4', -4, num(-4)],
      ['4.5', 4.5, /4\.5/],
      ['"4"', '4', /"4"|string/],
      ['NaN', Number.NaN, /NaN/],
    ]) {
      train(fn, 'D', `D = ${label}`, [fact], () => tr[fn](v, H, tr.seededRandom(1)));
      train(fn, 'H', `H = ${label}`, [fact], () => tr[fn](D, v, tr.seededRandom(1)));
    }
    train(fn, 'rand', 'a seed number instead of a Rand', [/function|number|seededRandom/], () => tr[fn](D, H, 42));
    train(fn, 'rand', 'Math (not Math.random)', [/function|object/], () => tr[fn](D, H, Math));
  }
  for (const [label, v, fact] of [
    ['"x"', 'x', /"x"|string/],
    ['NaN', Number.NaN, /NaN/],
    ['undefined', undefined, /undefined|missing/],
  ]) {
    train('seededRandom', null, `seed = ${label}`, [fact], () => tr.seededRandom(v)());
  }
  for (const [label, args, arg, facts] of [
    ['rows = 0', [0, 3], 'rows', [num(0)]],
    ['cols = -1', [3, -1], 'cols', [num(-1)]],
    ['scale = NaN', [3, 3, Number.NaN], 'scale', [/NaN/]],
  ]) {
    train('randomNormalMatrix', arg, label, facts, () =>
      tr.randomNormalMatrix(args[0], args[1], tr.seededRandom(1), args[2]),
    );
  }
  train('randomOrthogonal', 'H', 'H = 0', [num(0)], () => tr.randomOrthogonal(0, tr.seededRandom(1)));
  train('randomOrthogonal', 'rand', 'rand missing', [/undefined|function/], () => tr.randomOrthogonal(3));
  for (const [label, w, facts] of [
    ['weights = []', [], [/empty|0/]],
    ['all-zero weights', [0, 0, 0], [/zero|sum|0/]],
    ['a negative weight', [0.5, -1, 0.5], [num(-1)]],
    ['a NaN weight', [0.5, Number.NaN], [/NaN/]],
    ['weights = null', null, [/null/]],
  ]) {
    train('sampleIndex', 'weights', label, facts, () => tr.sampleIndex(w, tr.seededRandom(1)));
  }
  for (const [label, make, facts] of [
    ['a Matrix', () => M(2, 5), [/Matrix/, /Tensor3/]],
    ['null', () => null, [/null/]],
  ]) {
    train('lastStep', 'h', `h = ${label}`, facts, () => tr.lastStep(make()));
  }
  for (const [label, args, arg, facts] of [
    ['T = 0', [M(2, 5), 0], 'T', [num(0)]],
    ['T = 2.5', [M(2, 5), 2.5], 'T', [/2\.5/]],
    ['dhT as a Tensor3', [T3(2, 3, 5), 3], 'dhT', [/Tensor3/]],
  ]) {
    train('lastStepBackward', arg, label, facts, () => tr.lastStepBackward(...args));
  }
  train('withLastStepAdded', 'dhLast', 'dhLast one column short', [dims(2, 4), dims(2, 5)], () =>
    tr.withLastStepAdded(T3(2, 3, 5), M(2, 4)),
  );
  train('getCell', null, 'an unknown cell name', [/"?lsmt"?/, /lstm/], () => tr.getCell('lsmt'));
  train('getCell', null, 'name = undefined', [/undefined|string/], () => tr.getCell(undefined));
  train('registerCell', 'cell', 'cell = {}', [/name/], () => tr.registerCell({}));
  train('initRecurrentWeights', 'gateCount', 'gateCount = 0', [num(0)], () =>
    tr.initRecurrentWeights(D, H, 0, tr.seededRandom(1)),
  );
  const cellApi = [tr.rnnCell, tr.lstmCell, tr.gruCell];
  for (const c of cellApi) {
    train(`${c.name}Forward`, 'x', `x as a Matrix to ${c.name}Cell.forward`, [/Tensor3/], () => {
      const p = c.init(D, H, tr.seededRandom(1));
      return c.forward(M(N, D), M(N, H), p);
    });
  }

  // ---------------------------------------------------------------- interop
  const io = api.interop;
  const interop = (fn, arg, what, facts, run) => add({ subpath: 'handgrad/interop', fn, arg, what, facts, run });
  const torchOf = (G) => ({
    weight_ih: M(G * H, D).toArray(),
    weight_hh: M(G * H, H).toArray(),
    bias_ih: Array.from(M(1, G * H).data),
    bias_hh: Array.from(M(1, G * H).data),
  });
  for (const [cell, G] of [
    ['rnn', 1],
    ['lstm', 4],
    ['gru', 3],
  ]) {
    const fn = `${cell}ParamsFromTorch`;
    for (const key of ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']) {
      interop(fn, key, `w without ${key}`, [/missing|undefined|no /i], () => {
        const w = torchOf(G);
        delete w[key];
        return io[fn](w);
      });
      interop(fn, key, `${key}_l0 (a state_dict key) for ${key}`, [/_l0|missing|undefined/i], () => {
        const w = torchOf(G);
        w[`${key}_l0`] = w[key];
        delete w[key];
        return io[fn](w);
      });
      interop(fn, key, `${key} = null`, [/null/], () => io[fn]({ ...torchOf(G), [key]: null }));
    }
    interop(fn, 'weight_ih', 'weight_ih one row short', [num(G * H - 1)], () => {
      const w = torchOf(G);
      w.weight_ih.pop();
      return io[fn](w);
    });
    interop(fn, 'weight_ih', 'a ragged weight_ih', [/ragged|weight_ih\[1\]/], () => {
      const w = torchOf(G);
      w.weight_ih[1] = w.weight_ih[1].slice(1);
      return io[fn](w);
    });
    if (G > 1) {
      interop(fn, 'weight_hh', 'weight_hh transposed (H × G·H)', [dims(H, G * H)], () => {
        const w = torchOf(G);
        w.weight_hh = M(H, G * H).toArray();
        return io[fn](w);
      });
    }
    interop(fn, 'bias_ih', 'bias_ih one value short', [num(G * H - 1), num(G * H)], () => {
      const w = torchOf(G);
      w.bias_ih.pop();
      return io[fn](w);
    });
    interop(fn, 'bias_hh', 'bias_hh with a string', [/string|"0\.5"/], () => {
      const w = torchOf(G);
      w.bias_hh[0] = '0.5';
      return io[fn](w);
    });
    for (const [other, OG] of [
      ['rnn', 1],
      ['lstm', 4],
      ['gru', 3],
    ]) {
      if (OG === G) continue;
      add({
        subpath: 'handgrad/interop',
        fn,
        arg: 'weight_ih or weight_hh',
        argRe: /weight_ih|weight_hh/,
        what: `PyTorch ${other.toUpperCase()} weights`,
        facts: [num(OG * H)],
        run: () => io[fn](torchOf(OG)),
      });
    }
    interop(fn, 'w', 'w = null', [/null/], () => io[fn](null));
    for (const dir of ['ParamsToTorch', 'GradsToTorch']) {
      const f = `${cell}${dir}`;
      interop(f, dir === 'GradsToTorch' ? 'g' : 'p', 'null', [/null/], () => io[f](null));
      for (const [other] of [['rnn'], ['lstm'], ['gru']]) {
        if (other === cell || (other !== 'gru' && cell !== 'gru' && false)) continue;
        const p = makeParams(other);
        const arg = dir === 'GradsToTorch' ? grads(p) : p;
        const guilty = dir === 'GradsToTorch' ? 'dWx' : 'Wx';
        interop(f, guilty, `${other.toUpperCase()} ${dir === 'GradsToTorch' ? 'gradients' : 'params'}`, [], () =>
          io[f](arg),
        );
      }
      const p = makeParams(cell);
      const asGrads = dir === 'GradsToTorch';
      if (CELLS[cell].G > 1)
        interop(f, asGrads ? 'dWh' : 'Wh', `${asGrads ? 'dWh' : 'Wh'} transposed`, [], () => {
          const rec = asGrads ? grads(p) : { ...p };
          const key = asGrads ? 'dWh' : 'Wh';
          rec[key] = M(CELLS[cell].G * H, H);
          return io[f](rec);
        });
      if (asGrads) {
        interop(f, 'dWx', 'params (Wx, …) instead of gradients (dWx, …)', [/dWx/], () => io[f](p));
      }
    }
  }
  for (const [fn, good, keys] of [
    [
      'lstmParamsFromCs231n',
      () => ({ Wx: M(D, 4 * H).toArray(), Wh: M(H, 4 * H).toArray(), b: Array.from(M(1, 4 * H).data) }),
      ['Wx', 'Wh', 'b'],
    ],
    [
      'lstmParamsFromKeras',
      () => ({
        kernel: M(D, 4 * H).toArray(),
        recurrent_kernel: M(H, 4 * H).toArray(),
        bias: Array.from(M(1, 4 * H).data),
      }),
      ['kernel', 'recurrent_kernel', 'bias'],
    ],
  ]) {
    for (const key of keys) {
      interop(fn, key, `w without ${key}`, [/missing|undefined|no /i], () => {
        const w = good();
        delete w[key];
        return io[fn](w);
      });
    }
    interop(fn, keys[0], `${keys[0]} one column short`, [num(4 * H - 1)], () => {
      const w = good();
      w[keys[0]] = M(D, 4 * H - 1).toArray();
      return io[fn](w);
    });
    interop(fn, keys[1], `${keys[1]} transposed`, [dims(4 * H, H)], () => {
      const w = good();
      w[keys[1]] = M(4 * H, H).toArray();
      return io[fn](w);
    });
    interop(fn, keys[2], `${keys[2]} as a 1×4H nested array`, [/array|number|1×20/], () => {
      const w = good();
      w[keys[2]] = [w[keys[2]]];
      return io[fn](w);
    });
    interop(fn, keys[0], `${keys[0]} as a Matrix`, [/Matrix|array/], () => {
      const w = good();
      w[keys[0]] = M(D, 4 * H);
      return io[fn](w);
    });
    interop(fn, 'w', 'w = null', [/null/], () => io[fn](null));
  }
  const kerasKeys = /kernel|recurrent_kernel|bias/;
  const cs231nKeys = /\b(Wx|Wh|b)\b/;
  add({
    subpath: 'handgrad/interop',
    fn: 'lstmParamsFromKeras',
    arg: 'a Keras key',
    argRe: kerasKeys,
    what: 'cs231n weights given as Keras weights',
    facts: [/undefined|missing/],
    run: () =>
      io.lstmParamsFromKeras({ Wx: M(D, 4 * H).toArray(), Wh: M(H, 4 * H).toArray(), b: Array.from(M(1, 4 * H).data) }),
  });
  for (const [label, w] of [
    [
      'Keras weights given as cs231n weights',
      () => ({ kernel: M(D, 4 * H).toArray(), recurrent_kernel: M(H, 4 * H).toArray(), bias: [] }),
    ],
    ['PyTorch weights given as cs231n weights', () => torchOf(4)],
  ]) {
    add({
      subpath: 'handgrad/interop',
      fn: 'lstmParamsFromCs231n',
      arg: 'a cs231n key',
      argRe: cs231nKeys,
      what: label,
      facts: [/undefined|missing/],
      run: () => io.lstmParamsFromCs231n(w()),
    });
  }
  for (const fn of ['lstmParamsToCs231n', 'lstmParamsToKeras']) {
    interop(fn, 'Wx', 'RNN params', [/Wx|Wh/, num(4 * H)], () => io[fn](makeParams('rnn')));
    interop(fn, 'p', 'p = null', [/null/], () => io[fn](null));
    interop(fn, 'Wh', 'Wh transposed', [dims(4 * H, H)], () => io[fn]({ ...makeParams('lstm'), Wh: M(4 * H, H) }));
  }

  // ---------------------------------------------------------------- gradcheck
  const gc = api.gradcheck;
  const grad = (fn, arg, what, facts, run) => add({ subpath: 'handgrad/gradcheck', fn, arg, what, facts, run });
  const f = (x) => x;
  for (const [label, args, arg, facts] of [
    ['f not a function', () => [42, M(2, 3), M(2, 3)], 'f', [/function/]],
    ['x = null', () => [f, null, M(2, 3)], 'x', [/null/]],
    ['x as a nested array', () => [f, [[1, 2, 3]], M(2, 3)], 'x', [/array/i]],
    ['dout of another shape', () => [f, M(2, 3), M(3, 2)], 'dout', [dims(3, 2), dims(2, 3)]],
    ['dout = null', () => [f, M(2, 3), null], 'dout', [/null/]],
    ['eps = 0', () => [f, M(2, 3), M(2, 3), { eps: 0 }], 'eps', [num(0)]],
    ['eps = -1e-5', () => [f, M(2, 3), M(2, 3), { eps: -1e-5 }], 'eps', [/-1e-5|-0\.00001/]],
    ['f returning a number', () => [() => 3, M(2, 3), M(2, 3)], 'f', [/number|3/]],
  ]) {
    grad('numericGradient', arg, label, facts, () => gc.numericGradient(...args()));
  }
  for (const fn of ['relError', 'normRelError']) {
    for (const [label, args, arg, facts] of [
      ['lengths 6 and 5', () => [M(2, 3), new Float64Array(5)], 'b', [num(6), num(5)]],
      ['a = null', () => [null, M(2, 3)], 'a', [/null/]],
      ['b a string', () => [M(2, 3), 'abc'], 'b', [/string/]],
      ['a = 3 (a number)', () => [3, 4], 'a', [/number/]],
    ]) {
      grad(fn, arg, label, facts, () => gc[fn](...args()));
    }
  }
  for (const [label, spec, facts] of [
    ['spec = null', null, [/null/]],
    ['spec = {}', {}, [/name|forward/]],
    ['a kernel name (string) instead of a spec', 'rnn', [/string|spec|"rnn"/]],
  ]) {
    grad('checkKernel', 'spec', label, facts, () => gc.checkKernel(spec));
  }
  for (const [label, options, arg, facts] of [
    ['tolerance = -1', { tolerance: -1 }, 'tolerance', [num(-1)]],
    ['seed = "x"', { seed: 'x' }, 'seed', [/"x"|string/]],
    ['sizes.H = 0', { sizes: { H: 0 } }, 'H', [num(0)]],
  ]) {
    grad('checkKernel', arg, label, facts, () => gc.checkKernel(gc.rnnStepSpec, options));
  }
  grad('registerKernelSpec', 'spec', 'spec = {}', [/name/], () => gc.registerKernelSpec({}));
  grad('selectKernelSpecs', null, 'an unknown kernel name', [/"?lsmt"?/], () => gc.selectKernelSpecs(['lsmt']));
  grad('selectKernelSpecs', null, 'a string instead of an array', [/string|array/], () => gc.selectKernelSpecs('lstm'));
  grad('mistakesOf', null, 'an unknown kernel', [/"?lsmt"?/], () => gc.mistakesOf('lsmt'));
  grad('describeGateOrder', null, 'an order with an unknown gate', [/"?q"?/], () =>
    gc.describeGateOrder(['f', 'i', 'g', 'q']),
  );
  grad('describeGateOrder', null, 'a repeated gate', [/"?f"?/], () => gc.describeGateOrder(['f', 'f', 'g', 'o']));
  grad('diagnoseKernel', 'kernel', 'an unknown kernel', [/"?lsmt"?/], () =>
    gc.diagnoseKernel('lsmt', { inputs: {}, upstream: {}, outputs: {} }),
  );
  grad('diagnoseKernel', 'case', 'case = null', [/null/], () => gc.diagnoseKernel('rnn-step', null));
  grad('diagnoseKernel', 'inputs', 'inputs without Wh', [/Wh/], () =>
    gc.diagnoseKernel('rnn-step', {
      inputs: { x: M(N, D), hPrev: M(N, H), Wx: M(D, H), b: M(1, H) },
      upstream: { h: M(N, H) },
      outputs: { h: M(N, H) },
    }),
  );

  return cases;
}

/**
 * Calls that ask for far more memory than their inputs hold. Each runs in its
 * own child process under a data-size limit and a timeout. `ok` cases are
 * valid calls that must succeed (a product that does not fit WASM memory
 * runs another way).
 */
export function buildHugeCases(api) {
  const { Matrix, Tensor3 } = api.index;
  const tr = api.train;
  const la = api.linalg;
  const bytes = /bytes|[KMGT]i?B\b/;
  return [
    {
      fn: 'Matrix.zeros',
      arg: 'rows',
      what: 'a 10⁵×10⁵ matrix (80 GB)',
      facts: [bytes],
      run: () => Matrix.zeros(1e5, 1e5),
    },
    { fn: 'Matrix', arg: 'rows', what: 'a 2²⁰×2²⁰ matrix', facts: [bytes], run: () => new Matrix(2 ** 20, 2 ** 20) },
    {
      fn: 'Tensor3.zeros',
      arg: 'N',
      what: 'a 10⁴×10⁴×10³ tensor',
      facts: [bytes],
      run: () => Tensor3.zeros(1e4, 1e4, 1e3),
    },
    {
      fn: 'Tensor3.zeros',
      arg: 'N',
      what: 'a 2³¹×1×1 tensor (past the typed-array length)',
      facts: [bytes],
      run: () => Tensor3.zeros(2 ** 31, 1, 1),
    },
    {
      fn: 'initLstmParams',
      arg: 'H',
      what: 'initLstmParams(20000, 20000)',
      facts: [bytes],
      run: () => tr.initLstmParams(2e4, 2e4, tr.seededRandom(1)),
    },
    {
      fn: 'initRnnParams',
      arg: 'H',
      what: 'initRnnParams(10⁶, 10⁶)',
      facts: [bytes],
      run: () => tr.initRnnParams(1e6, 1e6, tr.seededRandom(1)),
    },
    {
      fn: 'randomNormalMatrix',
      arg: 'rows',
      what: 'a 10⁶×10⁶ random matrix',
      facts: [bytes],
      run: () => tr.randomNormalMatrix(1e6, 1e6, tr.seededRandom(1)),
    },
    {
      fn: 'matmul',
      arg: 'A',
      what: 'an outer product 2¹⁶×1 · 1×2¹⁶ (32 GiB result)',
      facts: [bytes],
      run: () => la.matmul(Matrix.zeros(2 ** 16, 1), Matrix.zeros(1, 2 ** 16)),
    },
    {
      fn: 'gruForward',
      arg: 'x',
      what: 'gruForward with H = 512 on an 8 MB x (1×2²⁰×1)',
      facts: [bytes],
      run: () => {
        const H = 512;
        const p = {
          Wx: Matrix.zeros(1, 3 * H),
          Wh: Matrix.zeros(H, 3 * H),
          bx: Matrix.zeros(1, 3 * H),
          bh: Matrix.zeros(1, 3 * H),
        };
        return api.index.gruForward(Tensor3.zeros(1, 2 ** 20, 1), Matrix.zeros(1, H), p);
      },
    },
    {
      fn: 'lstmForward',
      arg: 'x',
      what: 'lstmForward with H = 1024 on an 8 MB x (1×2²⁰×1)',
      facts: [bytes],
      run: () => {
        const H = 1024;
        const p = { Wx: Matrix.zeros(1, 4 * H), Wh: Matrix.zeros(H, 4 * H), b: Matrix.zeros(1, 4 * H) };
        return api.index.lstmForward(Tensor3.zeros(1, 2 ** 20, 1), Matrix.zeros(1, H), p);
      },
    },
    {
      fn: 'lastStepBackward',
      arg: 'T',
      what: 'lastStepBackward of a 1000×1000 dhT over T = 10⁶',
      facts: [bytes],
      run: () => tr.lastStepBackward(Matrix.zeros(1000, 1000), 1e6),
    },
    {
      fn: 'matmulTransA',
      arg: 'A',
      what: 'matmulTransA over 2²⁵ rows (a valid call: must succeed)',
      facts: [],
      ok: true,
      run: () => {
        const A = Matrix.zeros(2 ** 25, 1);
        const B = Matrix.zeros(2 ** 25, 1);
        A.data.fill(1);
        B.data.fill(0.5);
        const C = la.matmulTransA(A, B);
        return { C, want: 2 ** 24 };
      },
      judge: ({ C, want }) => (C.data.every((v) => v === want) ? 'handled' : 'silent: wrong sums'),
    },
  ];
}
