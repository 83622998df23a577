/** `handgrad --version` prints package.json's version, in-process and through the built bin. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main';

const root = join(__dirname, '..', '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

test.each([['--version'], ['-V']])('handgrad %s prints the version and exits 0', async (flag) => {
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  try {
    expect(await runCli([flag])).toBe(0);
  } finally {
    spy.mockRestore();
  }
  expect(out).toBe(`${version}\n`);
});

test('the built bin prints the same version', () => {
  const out = execFileSync(process.execPath, [join(root, 'bin', 'handgrad.cjs'), '--version'], { encoding: 'utf8' });
  expect(out).toBe(`${version}\n`);
});
