import type { Matrix } from '../../src/index';
import { gradKey } from '../../src/train/index';
import {
  buildVocabulary,
  charBatch,
  charLossAndGrads,
  charLossOn,
  createCharModel,
  decodeIds,
  encodeText,
  loadCharModel,
  sampleText,
  saveCharModel,
  trainChars,
} from '../../src/experiments/chars';
import { cellNames } from '../../src/train/cells';
import { seededRandom } from '../../src/train/random';
import { normRelError } from '../helpers/numeric';

const TEXT = 'the cell keeps its value. the gate lets it through. '.repeat(20);

describe('vocabulary and batches', () => {
  it('encodes and decodes back to the same text', () => {
    const vocab = buildVocabulary(TEXT);
    expect(vocab.chars).toEqual([...new Set(TEXT)].sort());
    expect(decodeIds(encodeText(TEXT, vocab), vocab)).toBe(TEXT);
  });

  it('targets are the inputs shifted by one character', () => {
    const ids = encodeText(TEXT, buildVocabulary(TEXT));
    const { inputs, targets } = charBatch(ids, 4, 7, seededRandom(1));
    for (let n = 0; n < 4; n++) expect(inputs[n]!.slice(1)).toEqual(targets[n]!.slice(0, 6));
  });

  it('encodeText names a character the vocabulary lacks', () => {
    expect(() => encodeText('thz', buildVocabulary('the'))).toThrow(
      /character "z" at position 2 is not in the vocabulary/,
    );
  });

  it('buildVocabulary rejects a text with one distinct character', () => {
    expect(() => buildVocabulary('aaaa')).toThrow(/at least 2 distinct characters/);
  });

  it('charBatch rejects a text shorter than a window', () => {
    expect(() => charBatch([0, 1], 1, 5, seededRandom(1))).toThrow(/longer than T \+ 1 = 6/);
  });
});

describe('the char model', () => {
  it.each(cellNames())(
    '%s: gradients through embedding, cell, affine and softmax match centered differences',
    (cell) => {
      const vocab = buildVocabulary('abcde');
      const model = createCharModel(cell, vocab, 3, 2, seededRandom(4));
      const inputs = [
        [0, 1, 2, 4],
        [3, 3, 1, 0],
      ];
      const targets = [
        [1, 2, 4, 0],
        [3, 1, 0, 2],
      ];
      const { grads } = charLossAndGrads(model, model.params, inputs, targets);
      for (const [key, m] of Object.entries(model.params)) {
        const num = new Float64Array(m.data.length);
        for (let i = 0; i < m.data.length; i++) {
          const old = m.data[i]!;
          m.data[i] = old + 1e-5;
          const plus = charLossAndGrads(model, model.params, inputs, targets).loss;
          m.data[i] = old - 1e-5;
          const minus = charLossAndGrads(model, model.params, inputs, targets).loss;
          m.data[i] = old;
          num[i] = (plus - minus) / 2e-5;
        }
        expect(normRelError((grads[gradKey(key)] as Matrix).data, num)).toBeLessThan(1e-7);
      }
    },
  );

  it('a short LSTM run lowers the loss per character well below ln V', () => {
    const { model, lossPerChar } = trainChars(TEXT, {
      cell: 'lstm',
      H: 16,
      E: 8,
      T: 16,
      batchSize: 8,
      steps: 150,
      learningRate: 1e-2,
      seed: 1,
    });
    const V = model.vocab.chars.length;
    expect(lossPerChar[0]).toBeGreaterThan(0.8 * Math.log(V));
    expect(charLossOn(model, TEXT.slice(0, 400), 16)).toBeLessThan(0.5 * Math.log(V));
  }, 60_000);

  it('save → load gives the same params and the same samples', () => {
    const model = createCharModel('lstm', buildVocabulary(TEXT), 6, 4, seededRandom(2));
    const loaded = loadCharModel(saveCharModel(model));
    expect(loaded.vocab).toEqual(model.vocab);
    for (const [k, m] of Object.entries(model.params)) expect(loaded.params[k]!.data).toEqual(m.data);
    expect(sampleText(loaded, { length: 30, seed: 5, prime: 'the ' })).toBe(
      sampleText(model, { length: 30, seed: 5, prime: 'the ' }),
    );
  });

  it('sampling is deterministic for a seed and uses only vocabulary characters', () => {
    const model = createCharModel('rnn', buildVocabulary(TEXT), 5, 3, seededRandom(3));
    const s = sampleText(model, { length: 50, seed: 9 });
    expect(s).toHaveLength(50);
    expect([...s].every((ch) => model.vocab.chars.includes(ch))).toBe(true);
    expect(sampleText(model, { length: 50, seed: 9 })).toBe(s);
  });

  it('sampleText rejects a non-positive temperature', () => {
    const model = createCharModel('rnn', buildVocabulary('ab'), 2, 2, seededRandom(3));
    expect(() => sampleText(model, { length: 5, temperature: 0 })).toThrow(/temperature must be a positive number/);
  });

  it('loadCharModel rejects a param of the wrong shape, naming it', () => {
    const model = createCharModel('rnn', buildVocabulary('abc'), 2, 2, seededRandom(3));
    const json = JSON.parse(saveCharModel(model));
    json.params['out.W'].cols = 4;
    expect(() => loadCharModel(JSON.stringify(json))).toThrow(/params\.out\.W must be 2×3/);
  });

  it('loadCharModel rejects a file that is not a saved model', () => {
    expect(() => loadCharModel('{"format":"something-else"}')).toThrow(/not a handgrad-char-model v1 file/);
  });

  it('loadCharModel rejects non-finite values', () => {
    const model = createCharModel('rnn', buildVocabulary('abc'), 2, 2, seededRandom(3));
    const json = JSON.parse(saveCharModel(model));
    json.params['out.b'].data[0] = 'x';
    expect(() => loadCharModel(JSON.stringify(json))).toThrow(
      /params\.out\.b holds a value that is not a finite number/,
    );
  });
});
