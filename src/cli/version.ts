/** The installed package's version, for `handgrad --version`. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The `version` of handgrad's package.json, found by walking up from this
 * file: dist/cjs/cli/ when installed, src/cli/ under the tests.
 */
export function packageVersion(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      // dist/cjs/package.json is only the module-type marker: keep walking.
      if (pkg.name === 'handgrad' && typeof pkg.version === 'string') return pkg.version;
    }
    if (dirname(dir) === dir) throw new Error(`handgrad: cannot find its own package.json above ${__dirname}`);
  }
}
