/**
 * A run whose sizes pass the memory budget is a usage error (exit 2) naming
 * the function, the sizes and the bytes — never "internal error" (exit 70).
 */
import { runCli } from '../../src/cli/main';
import { getMemoryBudget, setMemoryBudget } from '../../src/linalg/budget';

async function run(argv: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const o = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s);
    return true;
  });
  try {
    return { code: await runCli(argv), err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('handgrad under a memory budget too small for the run', () => {
  const before = getMemoryBudget();
  beforeEach(() => setMemoryBudget(2048));
  afterEach(() => setMemoryBudget(before));

  test('flow exits 2 with the function, the sizes and the budget', async () => {
    const { code, err } = await run(['flow', '--T', '20']);
    expect(code).toBe(2);
    expect(err).toMatch(/^handgrad: initRnnParams: D = \d+, H = \d+ needs .* over the memory budget of 2\.0 KiB/);
    expect(err).not.toMatch(/internal error/);
  });

  test('train adding exits 2 the same way', async () => {
    const { code, err } = await run(['train', 'adding', '--steps', '2']);
    expect(code).toBe(2);
    expect(err).toMatch(/over the memory budget of 2\.0 KiB \(setMemoryBudget \/ HANDGRAD_MAX_BYTES\)/);
  });
});
