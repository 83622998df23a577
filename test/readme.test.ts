/**
 * The README's usage example runs as written: its ts block is transpiled and
 * executed with 'handgrad' resolved to this checkout's sources.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import * as handgrad from '../src/index';

test('the README usage example runs and produces finite gradients', () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const block = /## Usage[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const js = ts.transpileModule(block!, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const logged: unknown[][] = [];
  const fakeConsole = { log: (...args: unknown[]) => logged.push(args) };
  const requireHandgrad = (name: string) => {
    if (name !== 'handgrad') throw new Error(`README example imports ${name}`);
    return handgrad;
  };
  new Function('require', 'exports', 'console', js)(requireHandgrad, {}, fakeConsole);
  expect(logged).toHaveLength(1);
  const [dims, c, dWx, db] = logged[0] as [number[], number[][], number[][], number[][]];
  expect(dims).toEqual([2, 3, 1]);
  expect(c).toHaveLength(2);
  expect(dWx).toHaveLength(2);
  expect(db[0]).toHaveLength(4);
  expect([...c.flat(), ...dWx.flat(), ...db.flat()].every(Number.isFinite)).toBe(true);
});
