// Writes data/corpus.txt: the small training text of `handgrad train chars`.
// The text is ours: sentences drawn from a tiny hand-written grammar with a
// seeded generator, so the file is the same on every machine (run it again
// and `git diff` shows nothing). About 100 KB: big enough for a char model
// to learn spelling, punctuation and a little grammar in a few minutes.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET_BYTES = 100_000;

// The library's own seeded generator (mulberry32), from the build (`npm run build` first).
const { seededRandom } = await import(join(root, 'dist/esm/train/index.js'));
const rand = seededRandom(20261126);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

const people = [
  'the student',
  'the teacher',
  'a tired student',
  'the old professor',
  'my friend',
  'the reviewer',
  'a curious child',
  'the night guard',
];
const things = [
  'the gradient',
  'the hidden state',
  'the cell',
  'the forget gate',
  'the input gate',
  'the loss',
  'the weight matrix',
  'the long sequence',
  'the last step',
  'the first marker',
];
const places = [
  'in the library',
  'by the river',
  'on the whiteboard',
  'at the back of the room',
  'under the lamp',
  'near the window',
  'in the notebook',
];
const times = ['at dawn', 'after lunch', 'late at night', 'every morning', 'before the exam', 'on sunday'];
const verbsP = [
  'writes down',
  'checks',
  'derives',
  'draws',
  'explains',
  'forgets',
  'remembers',
  'multiplies',
  'adds up',
  'questions',
];
const verbsT = [
  'vanishes',
  'explodes',
  'flows back',
  'keeps its value',
  'grows slowly',
  'shrinks at every step',
  'passes through the gate',
  'adds up over time',
];
const adjs = ['small', 'careful', 'quiet', 'patient', 'bright', 'stubborn', 'gentle', 'honest'];
const because = [
  'because the forget gate is close to one',
  'because the largest eigenvalue is below one',
  'because the largest eigenvalue is above one',
  'because the cell is an accumulator',
  'because the tanh saturates',
  'because nobody clipped the norm',
];
const verbsBase = [
  'vanish',
  'explode',
  'flow back',
  'keep its value',
  'grow slowly',
  'shrink at every step',
  'pass through the gate',
  'add up over time',
];
const numbers = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

const cap = (s) => s[0].toUpperCase() + s.slice(1);
const sentences = [
  () => `${cap(pick(people))} ${pick(verbsP)} ${pick(things)} ${pick(places)}.`,
  () => `${cap(pick(things))} ${pick(verbsT)} ${pick(because)}.`,
  () => `${cap(pick(times))}, ${pick(people)} ${pick(verbsP)} ${pick(things)}.`,
  () => `"Why does ${pick(things)} ${pick(verbsBase)}?" asks ${pick(people)}.`,
  () => `${cap(pick(people))} is ${pick(adjs)}, and ${pick(people)} is ${pick(adjs)}.`,
  () => `After ${pick(numbers.slice(1))} steps, ${pick(things)} ${pick(verbsT)}.`,
  () => `If ${pick(things)} ${pick(verbsT)}, then ${pick(things)} ${pick(verbsT)}.`,
  () => `${cap(pick(people))} counts ${pick(numbers)}, ${pick(numbers)}, ${pick(numbers)} and stops.`,
];

mkdirSync(join(root, 'data'), { recursive: true });
const paragraphs = [];
let size = 0;
while (size < TARGET_BYTES) {
  const count = 3 + Math.floor(rand() * 4);
  const p = Array.from({ length: count }, () => pick(sentences)()).join(' ');
  paragraphs.push(p);
  size += p.length + 2;
}
const text = `${paragraphs.join('\n\n')}\n`;
writeFileSync(join(root, 'data/corpus.txt'), text);
process.stdout.write(`wrote data/corpus.txt: ${text.length} characters, ${new Set(text).size} distinct\n`);
