import { editsSuite } from '../helpers/edits';

/** x, h0, a weight or a bias edited between the forward and the backward is named. */
describe('lstm: edits between forward and backward', () => editsSuite('lstm'));
