/**
 * One test per thrown error in src/interop: the type, and a message that
 * names the function and the offending field.
 */
import { Matrix, ShapeError } from '../../src/index';
import {
  gruGradsToTorch,
  gruParamsFromTorch,
  gruParamsToTorch,
  lstmGradsToTorch,
  lstmParamsFromCs231n,
  lstmParamsFromKeras,
  lstmParamsFromTorch,
  lstmParamsToCs231n,
  lstmParamsToKeras,
  lstmParamsToTorch,
  rnnGradsToTorch,
  rnnParamsFromTorch,
  rnnParamsToTorch,
} from '../../src/interop/index';
import { rng } from '../helpers/numeric';
import { randRows, randTorch, randVec } from './frameworks';

const r = rng(9);
const [D, H] = [3, 4];
const lstm = randTorch(4, D, H, r);
const gru = randTorch(3, D, H, r);
const rnn = randTorch(1, D, H, r);
const cs = { Wx: randRows(D, 4 * H, r), Wh: randRows(H, 4 * H, r), b: randVec(4 * H, r) };
const keras = { kernel: cs.Wx, recurrent_kernel: cs.Wh, bias: cs.b };
const lstmP = lstmParamsFromTorch(lstm);
const gruP = gruParamsFromTorch(gru);
const rnnP = rnnParamsFromTorch(rnn);
const z = (rows: number, cols: number) => Matrix.zeros(rows, cols);
const lstmG = { dWx: z(D, 4 * H), dWh: z(H, 4 * H), db: z(1, 4 * H) };
const gruG = { dWx: z(D, 3 * H), dWh: z(H, 3 * H), dbx: z(1, 3 * H), dbh: z(1, 3 * H) };
const rnnG = { dWx: z(D, H), dWh: z(H, H), db: z(1, H) };
const raggedRows = lstm.weight_ih.map((row, i) => (i === 2 ? row.slice(1) : row));

type Case = [label: string, thunk: () => unknown, type: ErrorConstructor | typeof ShapeError, message: RegExp];

const cases: Case[] = [
  // record and field types
  [
    'record is not an object',
    () => lstmParamsFromTorch(null as never),
    TypeError,
    /^lstmParamsFromTorch: w must be a PyTorch weights record \{ weight_ih, weight_hh, bias_ih, bias_hh \}, got null$/,
  ],
  [
    'a field is missing',
    () => lstmParamsFromTorch({ ...lstm, weight_hh: undefined } as never),
    TypeError,
    /^lstmParamsFromTorch: weight_hh must be an array of rows \(number\[\]\[\]\), got undefined$/,
  ],
  [
    'a field has no rows',
    () => gruParamsFromTorch({ ...gru, weight_ih: [] }),
    ShapeError,
    /^gruParamsFromTorch: weight_ih must have at least one row, got an empty array$/,
  ],
  [
    'row 0 is not an array',
    () => gruParamsFromTorch({ ...gru, weight_ih: [1, 2] as never }),
    TypeError,
    /^gruParamsFromTorch: weight_ih\[0\] must be an array of numbers, got the number 1$/,
  ],
  [
    'row 0 is empty',
    () => rnnParamsFromTorch({ ...rnn, weight_ih: [[]] }),
    ShapeError,
    /^rnnParamsFromTorch: weight_ih must have at least one column, weight_ih\[0\] is empty$/,
  ],
  [
    'a later row is not an array',
    () => rnnParamsFromTorch({ ...rnn, weight_hh: [[1], 'x'] as never }),
    TypeError,
    /^rnnParamsFromTorch: weight_hh\[1\] must be an array of numbers, got the string "x"$/,
  ],
  [
    'ragged rows',
    () => lstmParamsFromTorch({ ...lstm, weight_ih: raggedRows }),
    ShapeError,
    /^lstmParamsFromTorch: weight_ih is ragged: row 0 has 3 values but row 2 has 2$/,
  ],
  [
    'an entry is not a number',
    () => lstmParamsFromTorch({ ...lstm, weight_ih: [[0, 0, '1'], ...lstm.weight_ih.slice(1)] as never }),
    TypeError,
    /^lstmParamsFromTorch: weight_ih\[0\]\[2\] must be a number, got the string "1"$/,
  ],
  [
    'a bias is not an array',
    () => lstmParamsFromTorch({ ...lstm, bias_ih: 0 } as never),
    TypeError,
    /^lstmParamsFromTorch: bias_ih must be an array of numbers \(number\[\]\), got the number 0$/,
  ],
  [
    'a bias entry is not a number',
    () => gruParamsFromTorch({ ...gru, bias_hh: [...gru.bias_hh.slice(1), null] as never }),
    TypeError,
    /^gruParamsFromTorch: bias_hh\[11\] must be a number, got null$/,
  ],
  // shapes: block counts, divisibility, D and H
  [
    'LSTM weights given to the GRU converter: 3 does not divide 16 rows',
    () => gruParamsFromTorch(lstm),
    ShapeError,
    new RegExp(
      /^gruParamsFromTorch: weight_hh must have 3·H rows \(3 gate blocks\), got 16, /.source +
        /which 3 does not divide; weight_hh is 16×4$/.source,
    ),
  ],
  [
    'GRU weights given to the LSTM converter: 3 blocks, not 4',
    () => lstmParamsFromTorch(gru),
    ShapeError,
    new RegExp(
      /^lstmParamsFromTorch: weight_hh must be 16×4 \(4H×H for H=4 from its columns, blocks i\|f\|g\|o\), /.source +
        /got 12×4, which is 3 blocks of H=4 \(a GRU's weights\?\)$/.source,
    ),
  ],
  [
    'weight_ih rows not a multiple of 4',
    () => lstmParamsFromTorch({ ...lstm, weight_ih: lstm.weight_ih.slice(1) }),
    ShapeError,
    new RegExp(
      /^lstmParamsFromTorch: weight_ih must have 4·H rows \(4 gate blocks\), got 15, /.source +
        /which 4 does not divide; weight_ih is 15×3$/.source,
    ),
  ],
  [
    'weight_ih with a different H than weight_hh',
    () => lstmParamsFromTorch({ ...lstm, weight_ih: lstm.weight_ih.slice(4) }),
    ShapeError,
    new RegExp(
      /^lstmParamsFromTorch: weight_ih must be 16×3 \(4H×D for H=4 from weight_hh, blocks i\|f\|g\|o\), /.source +
        /got 12×3, which is 3 blocks of H=4/.source,
    ),
  ],
  [
    'RNN weight_hh not square',
    () => rnnParamsFromTorch({ ...rnn, weight_hh: randRows(H, H + 1, r) }),
    ShapeError,
    /^rnnParamsFromTorch: weight_hh must be 5×5 \(H×H for H=5 from its columns, no gate blocks\), got 4×5$/,
  ],
  [
    'bias of the wrong length',
    () => lstmParamsFromTorch({ ...lstm, bias_hh: lstm.bias_hh.slice(4) }),
    ShapeError,
    /^lstmParamsFromTorch: bias_hh must hold 16 values \(4H for H=4 from weight_hh\), got 12$/,
  ],
  [
    'cs231n: record is not an object',
    () => lstmParamsFromCs231n([] as never),
    TypeError,
    /^lstmParamsFromCs231n: w must be a cs231n weights record \{ Wx, Wh, b \}, got an empty array$/,
  ],
  [
    'cs231n: Wh columns not a multiple of 4',
    () => lstmParamsFromCs231n({ ...cs, Wh: randRows(H, 4 * H - 2, r) }),
    ShapeError,
    new RegExp(
      /^lstmParamsFromCs231n: Wh must have 4·H columns \(4 gate blocks\), got 14, /.source +
        /which 4 does not divide; Wh is 4×14: is it transposed \(its transpose is 14×4\)\?$/.source,
    ),
  ],
  [
    'cs231n: Wh not H×4H (a GRU-sized Wh)',
    () => lstmParamsFromCs231n({ ...cs, Wh: randRows(H, 3 * H, r) }),
    ShapeError,
    new RegExp(
      /^lstmParamsFromCs231n: Wh must be 4×16 \(H×4H for H=4 from its rows, blocks i\|f\|o\|g\), /.source +
        /got 4×12, which is 3 blocks of H=4 \(a GRU's weights\?\)$/.source,
    ),
  ],
  [
    'cs231n: Wx columns not a multiple of 4',
    () => lstmParamsFromCs231n({ ...cs, Wx: randRows(D, 5, r) }),
    ShapeError,
    /^lstmParamsFromCs231n: Wx must have 4·H columns \(4 gate blocks\), got 5, which 4 does not divide; Wx is 3×5$/,
  ],
  [
    'cs231n: Wx with another H',
    () => lstmParamsFromCs231n({ ...cs, Wx: randRows(D, 8, r) }),
    ShapeError,
    new RegExp(
      /^lstmParamsFromCs231n: Wx must be 3×16 \(D×4H for H=4 from Wh, blocks i\|f\|o\|g\), /.source +
        /got 3×8, which is 2 blocks of H=4$/.source,
    ),
  ],
  [
    'cs231n: b of the wrong length',
    () => lstmParamsFromCs231n({ ...cs, b: cs.b.slice(1) }),
    ShapeError,
    /^lstmParamsFromCs231n: b must hold 16 values \(4H for H=4 from Wh\), got 15$/,
  ],
  [
    'Keras: a field under its Keras name is missing',
    () => lstmParamsFromKeras({ ...keras, recurrent_kernel: undefined } as never),
    TypeError,
    /^lstmParamsFromKeras: recurrent_kernel must be an array of rows/,
  ],
  [
    'Keras: kernel with another H',
    () => lstmParamsFromKeras({ ...keras, kernel: randRows(D, 4 * H + 4, r) }),
    ShapeError,
    /^lstmParamsFromKeras: kernel must be 3×16 \(D×4H for H=4 from recurrent_kernel, blocks i\|f\|c\|o\), got 3×20/,
  ],
  [
    'Keras: bias of the wrong length',
    () => lstmParamsFromKeras({ ...keras, bias: [] }),
    ShapeError,
    /^lstmParamsFromKeras: bias must hold 16 values \(4H for H=4 from recurrent_kernel\), got 0$/,
  ],
  // handgrad side
  [
    'to PyTorch: params not an object',
    () => lstmParamsToTorch(undefined as never),
    TypeError,
    /^lstmParamsToTorch: p must be an LstmParams record \{ Wx, Wh, b \}, got undefined$/,
  ],
  [
    'to PyTorch: Wx not a Matrix',
    () => gruParamsToTorch({ ...gruP, Wx: [[1]] } as never),
    TypeError,
    new RegExp(
      /^gruParamsToTorch: Wx must be a Matrix, got a plain 1×1 array of numbers; /.source +
        /wrap it with Matrix\.from\(Wx\) \(a 1×1 Matrix\)/.source,
    ),
  ],
  [
    'to PyTorch: Wh not a Matrix',
    () => rnnParamsToTorch({ ...rnnP, Wh: 3 } as never),
    TypeError,
    /^rnnParamsToTorch: Wh must be a Matrix, got the number 3$/,
  ],
  [
    'to PyTorch: b of the wrong shape',
    () => rnnParamsToTorch({ ...rnnP, b: z(1, H + 1) }),
    ShapeError,
    /^rnnParamsToTorch: b must be 1×H = 1×4 \(H = 4 from Wh\), got 1×5$/,
  ],
  [
    'to PyTorch: an LSTM Wh for a GRU',
    () => gruParamsToTorch({ ...gruP, Wh: z(H, 4 * H) }),
    ShapeError,
    new RegExp(
      /^gruParamsToTorch: Wh must be H×3H = 4×12 \(H = 4 from Wx's columns \/ 3\), got 4×16; /.source +
        /4×16 is H×4H, the Wh of an LSTM \(lstm…\)$/.source,
    ),
  ],
  [
    'to cs231n: Wx of the wrong width',
    () => lstmParamsToCs231n({ ...lstmP, Wx: z(D, 3 * H) }),
    ShapeError,
    /^lstmParamsToCs231n: Wx must be D×4H = 3×16 \(D = 3 from Wx's rows, H = 4 from Wh\), got 3×12$/,
  ],
  [
    'to Keras: params not an object',
    () => lstmParamsToKeras('p' as never),
    TypeError,
    /^lstmParamsToKeras: p must be an LstmParams record \{ Wx, Wh, b \}, got the string "p"$/,
  ],
  [
    'grads to PyTorch: not an object',
    () => lstmGradsToTorch(null as never),
    TypeError,
    /^lstmGradsToTorch: g must be LSTM gradients \{ dWx, dWh, db \}, got null$/,
  ],
  [
    'grads to PyTorch: dWh not a Matrix',
    () => gruGradsToTorch({ ...gruG, dWh: undefined } as never),
    TypeError,
    /^gruGradsToTorch: dWh must be a Matrix, got undefined$/,
  ],
  [
    'grads to PyTorch: dWx of the wrong width',
    () => lstmGradsToTorch({ ...lstmG, dWx: z(D, 3 * H) }),
    ShapeError,
    /^lstmGradsToTorch: dWx must be 3×16 \(D×4H for H=4 from dWh\), got 3×12$/,
  ],
  [
    'grads to PyTorch: dWh not H×4H',
    () => lstmGradsToTorch({ ...lstmG, dWh: z(H, H) }),
    ShapeError,
    /^lstmGradsToTorch: dWh must be 4×16 \(H×4H for H=4\), got 4×4$/,
  ],
  [
    'grads to PyTorch: db of the wrong length',
    () => rnnGradsToTorch({ ...rnnG, db: z(1, 2 * H) }),
    ShapeError,
    /^rnnGradsToTorch: db must be 1×4 \(1×H for H=4\), got 1×8$/,
  ],
  [
    'grads to PyTorch: GRU dbh of the wrong length',
    () => gruGradsToTorch({ ...gruG, dbh: z(1, 4 * H) }),
    ShapeError,
    /^gruGradsToTorch: dbh must be 1×12 \(1×3H for H=4\), got 1×16$/,
  ],
  [
    'grads to PyTorch: GRU dbx missing',
    () => gruGradsToTorch({ ...gruG, dbx: undefined } as never),
    TypeError,
    /^gruGradsToTorch: dbx must be a Matrix \(1×12\), got undefined$/,
  ],
];

describe.each(cases)('%s', (_label, thunk, type, message) => {
  test(`throws ${type.name} naming the field`, () => {
    let caught: unknown;
    try {
      thunk();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(type);
    expect((caught as Error).message).toMatch(message);
    if (type === ShapeError) {
      const field = (caught as ShapeError).argument;
      expect((caught as Error).message).toContain(`: ${field} `);
    }
  });
});
