import { editsSuite } from '../helpers/edits';

/** x, h0, a weight or a bias edited between the forward and the backward is named. */
describe('rnn: edits between forward and backward', () => editsSuite('rnn'));
