// The reliability probe: about two thousand realistic mistaken calls to every
// public subpath of the built package (dist/; run `node scripts/build.mjs`
// first), each annotated with what is actually wrong (scripts/reliability/
// cases.mjs), plus calls that ask for far more memory than they hold, plus
// Ctrl-C sent to the CLI while it saves a model over an existing one. Each
// call ends as one of:
//
//   clear    threw a TypeError or RangeError (ShapeError included) whose message
//            starts with the function's name, names the guilty argument and
//            states the case's facts (expected and actual sizes, the bad value)
//   handled  returned what the library promises (NaN kept to its example, an
//            aliasing output computed right, a valid huge call that succeeds)
//   unclear  threw, but untyped, blaming another argument, without the facts,
//            or with the engine's own text
//   silent   returned a result for a wrong call (or a wrong result)
//   crash    the process died, or a non-Error / WebAssembly trap came out
//   hang     no answer within the timeout
//
// Usage: node scripts/reliability-probe.mjs [--tier ts,wasm] [--no-huge]
//          [--no-interrupts] [--out FILE] [--save] [--update-doc] [--markdown]
//          [--max-unclear N] [--list]
//        node scripts/reliability-probe.mjs --table-from FILE   (prints the doc's table)
//        node scripts/reliability-probe.mjs --doc-from FILE     (rewrites it in docs/reliability.md)
// `npm run reliability` runs it, writes bench/results/<date>-reliability.json
// and rewrites the figures in docs/reliability.md.
// Exit status 1 when any call crashed or hung, an interrupted save lost a file,
// a call was silent (more than --max-silent, default 0, not counting the calls
// of a documented limit: a case's `documented`, listed in the results), or more
// calls than --max-unclear (default: no ceiling) are unclear.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const self = fileURLToPath(import.meta.url);
const OUTCOMES = ['clear', 'handled', 'unclear', 'silent', 'crash', 'hang'];
/** Messages that are the engine's, not the library's. */
const ENGINE = new RegExp(
  [
    'Invalid typed array length',
    'Array buffer allocation failed',
    'Cannot read propert',
    'Cannot set propert',
    'is not a function',
    'is not iterable',
    'Maximum call stack',
    'WebAssembly',
    'out of memory',
    'internal error',
    'detached ArrayBuffer',
    'Cannot convert',
    'Cannot mix BigInt',
    'undefined is not',
    'null is not',
  ].join('|'),
  'i',
);

async function loadApi() {
  const at = (p) => import(pathToFileURL(join(root, 'dist/esm', p)).href);
  const [index, reference, gradcheck, interop, train, linalg] = await Promise.all(
    ['index.js', 'reference.js', 'gradcheck/index.js', 'interop/index.js', 'train/index.js', 'linalg/public.js'].map(
      at,
    ),
  );
  return { index, reference, gradcheck, interop, train, linalg };
}

function describeResult(v) {
  const seen = [];
  const walk = (x, depth) => {
    if (depth > 3 || x === null || typeof x !== 'object') return;
    if (x.data instanceof Float64Array) seen.push(x.data);
    else for (const y of Object.values(x)) walk(y, depth + 1);
  };
  walk(v, 0);
  return seen.some((d) => d.some((e) => !Number.isFinite(e))) ? 'returned non-finite values' : 'returned a result';
}

/** Runs one case and says how it ended (a child process calls this). */
function judgeCase(c) {
  let result;
  try {
    result = c.run();
  } catch (err) {
    if (!(err instanceof Error)) return { outcome: 'crash', reasons: [`threw a non-Error: ${String(err)}`] };
    const message = String(err.message);
    if (err instanceof WebAssembly.RuntimeError || err instanceof WebAssembly.CompileError) {
      return { outcome: 'crash', reasons: [`WebAssembly trap`], name: err.name, message };
    }
    const reasons = [];
    if (!(err instanceof TypeError || err instanceof RangeError)) reasons.push(`untyped ${err.name}`);
    if (!message.startsWith(c.fn)) reasons.push(`does not start with ${c.fn}`);
    if (c.argRe && !c.argRe.test(message)) reasons.push(`does not name ${c.arg}`);
    for (const f of c.facts ?? []) if (!f.test(message)) reasons.push(`lacks ${f.source}`);
    if (ENGINE.test(message)) reasons.push('engine text');
    return { outcome: reasons.length === 0 ? 'clear' : 'unclear', reasons, name: err.name, message };
  }
  if (c.judge) {
    let verdict;
    try {
      verdict = c.judge(result);
    } catch (err) {
      verdict = `silent: judging the result threw ${err}`;
    }
    if (verdict === 'handled') return { outcome: 'handled', reasons: [] };
    return { outcome: 'silent', reasons: [verdict.replace(/^silent: /, '')] };
  }
  return { outcome: 'silent', reasons: [describeResult(result)] };
}

// ---------------------------------------------------------------- child modes
async function worker(from) {
  const api = await loadApi();
  const { buildCases } = await import('./reliability/cases.mjs');
  const cases = buildCases(api);
  const tier = api.linalg.productTier();
  for (let i = from; i < cases.length; i++) {
    const c = cases[i];
    const t0 = performance.now();
    const r = judgeCase(c);
    if (api.linalg.productTier() !== tier) api.linalg.setProductTier(tier);
    process.stdout.write(`${JSON.stringify({ id: i, ms: performance.now() - t0, ...r })}\n`);
  }
}

async function hugeWorker(i) {
  const api = await loadApi();
  const { buildHugeCases } = await import('./reliability/cases.mjs');
  const c = buildHugeCases(api)[i];
  const t0 = performance.now();
  const r = judgeCase({ ...c, argRe: null });
  process.stdout.write(`${JSON.stringify({ id: i, ms: performance.now() - t0, ...r })}\n`);
}

// ---------------------------------------------------------------- parent
function runChild(args, env, timeoutMs, onLine, shellPrefix) {
  return new Promise((resolve) => {
    const nodeArgs = [...args];
    const child = shellPrefix
      ? spawn('sh', ['-c', `${shellPrefix}; exec "$0" "$@"`, process.execPath, ...nodeArgs], { env })
      : spawn(process.execPath, nodeArgs, { env });
    let timer;
    let timedOut = false;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
    };
    arm();
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-2000);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      arm();
      try {
        onLine(JSON.parse(line));
      } catch {
        // a stray line from the library (none expected): ignored
      }
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, stderr });
    });
  });
}

function flag(name) {
  return process.argv.includes(name);
}
function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function probeCases(env) {
  const api = await loadApi();
  const { buildCases } = await import('./reliability/cases.mjs');
  const cases = buildCases(api);
  const results = new Array(cases.length);
  let next = 0;
  const perCaseTimeout = Number(process.env.RELIABILITY_CASE_TIMEOUT_MS ?? 15000);
  while (next < cases.length) {
    const start = next;
    const r = await runChild([self, '--worker', String(start)], env, perCaseTimeout, (line) => {
      results[line.id] = line;
      next = line.id + 1;
    });
    if (next < cases.length) {
      // The child stopped before the end: the case it was running hung or killed it.
      results[next] = {
        id: next,
        outcome: r.timedOut ? 'hang' : 'crash',
        reasons: [
          r.timedOut
            ? `no answer in ${perCaseTimeout} ms`
            : `exit ${r.code ?? r.signal}: ${r.stderr.trim().split('\n').pop()}`,
        ],
      };
      next++;
    }
    if (next === start) next++;
  }
  return cases.map((c, i) => ({
    id: i,
    subpath: c.subpath,
    fn: c.fn,
    arg: c.arg,
    what: c.what,
    ...(c.documented ? { documented: c.documented } : {}),
    ...results[i],
  }));
}

async function probeHuge(env) {
  const api = await loadApi();
  const { buildHugeCases } = await import('./reliability/cases.mjs');
  const huge = buildHugeCases(api);
  const limitMb = Number(process.env.RELIABILITY_HUGE_MB ?? 3072);
  const timeoutMs = Number(process.env.RELIABILITY_HUGE_TIMEOUT_MS ?? 30000);
  // The library's own memory budget, under the data limit, unless the caller set one.
  const hugeEnv = { HANDGRAD_MAX_BYTES: `${Math.floor((limitMb * 2) / 3)}M`, ...env };
  const out = [];
  for (const [i, c] of huge.entries()) {
    let line;
    const t0 = performance.now();
    const r = await runChild(
      ['--max-old-space-size=1024', self, '--huge-worker', String(i)],
      hugeEnv,
      timeoutMs,
      (l) => {
        line = l;
      },
      `ulimit -d ${limitMb * 1024}`,
    );
    const ms = performance.now() - t0;
    const base = { id: i, subpath: 'huge', fn: c.fn, arg: c.arg, what: c.what, ms };
    if (line) out.push({ ...base, ...line, ms: line.ms });
    else
      out.push({
        ...base,
        outcome: r.timedOut ? 'hang' : 'crash',
        reasons: [
          r.timedOut
            ? `no answer in ${timeoutMs} ms`
            : `exit ${r.code ?? r.signal}: ${r.stderr.trim().split('\n').pop()}`,
        ],
      });
  }
  return out;
}

/**
 * Ctrl-C sent to `handgrad train chars … --save model.json` over an existing
 * model, the moment the save begins: the parent watches the folder in a busy
 * loop and sends SIGINT as soon as model.json changes or another file appears
 * there (a temporary file), then after 0, 0.5, 1, … ms more. A file is lost when the
 * model no longer parses afterwards; leftovers are files other than the model
 * left in the folder.
 */
async function probeInterrupts(env) {
  const bin = join(root, 'bin/handgrad.cjs');
  const runs = Number(process.env.RELIABILITY_INTERRUPTS ?? 6);
  const dir = mkdtempSync(join(tmpdir(), 'handgrad-interrupt-'));
  const model = join(dir, 'model.json');
  const base = ['train', 'chars', '--cell', 'lstm', '--H', '128', '--T', '8', '--batch', '2', '--sample-every', '1000'];
  const train = (extra) =>
    spawnSync(process.execPath, [bin, ...base, ...extra, '--save', model], { env, encoding: 'utf8', timeout: 120000 });
  const first = train(['--steps', '1']);
  if (first.status !== 0 || !existsSync(model)) {
    rmSync(dir, { recursive: true, force: true });
    return {
      runs: 0,
      lost: 0,
      note: `could not train the first model: ${(first.stderr || '').trim().split('\n').pop()}`,
    };
  }
  const again = ['--load', model, '--steps', '1'];
  const loads = () => {
    try {
      JSON.parse(readFileSync(model, 'utf8'));
      return true;
    } catch {
      return false;
    }
  };
  const good = readFileSync(model);
  const bytes = good.length;
  let lost = 0;
  let caught = 0;
  const details = [];
  for (let k = 0; k < runs; k++) {
    const before = statSync(model);
    const child = spawn(process.execPath, [bin, ...base, ...again, '--save', model], { env, stdio: 'ignore' });
    const closed = new Promise((resolve) => child.on('close', (c, sig) => resolve(c ?? sig)));
    // Busy-wait for the save to begin (the event loop is blocked; the child runs on).
    const deadline = Date.now() + 60000;
    let seen = false;
    for (let i = 0; Date.now() < deadline; i++) {
      let st = null;
      try {
        st = statSync(model);
      } catch {
        // renamed away for a moment: the save has begun
      }
      if (
        st === null ||
        st.size !== before.size ||
        st.mtimeMs !== before.mtimeMs ||
        (i % 16 === 0 && readdirSync(dir).length > 1)
      ) {
        seen = true;
        break;
      }
      if (i % 4096 === 0 && child.exitCode === null && !existsSync(`/proc/${child.pid}`)) break;
    }
    const extra = k * 0.5;
    const until = performance.now() + extra;
    while (performance.now() < until) {
      // spread the moment of the interrupt over the save
    }
    child.kill('SIGINT');
    const code = await closed;
    if (seen) caught++;
    const ok = loads();
    if (!ok) lost++;
    details.push({ afterSaveBeganMs: extra, sawSave: seen, exit: code, loads: ok });
    if (!ok) writeFileSync(model, good); // a good model again for the next run
  }
  const leftovers = readdirSync(dir).filter((f) => f !== 'model.json');
  rmSync(dir, { recursive: true, force: true });
  return { runs, lost, caughtSaving: caught, modelBytes: bytes, leftovers: leftovers.length, details };
}

const secs = (ms) => Math.round(ms / 100) / 10;

function tally(list) {
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0]));
  for (const r of list) counts[r.outcome]++;
  return counts;
}

/** The figures table of docs/reliability.md, from a results file. */
export function markdownTable(res) {
  const head = '| calls to | tried | clear error | handled | unclear | silent | of them documented | crash | hang |';
  const rows = [head, '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'];
  // Results files from before the documented class have no such count: shown as a dash, not a 0.
  const documented = res.documented?.bySubpath;
  const line = (name, c, d) => {
    const tried = OUTCOMES.reduce((sum, o) => sum + c[o], 0);
    const cells = OUTCOMES.map((o) => c[o]);
    cells.splice(OUTCOMES.indexOf('silent') + 1, 0, documented ? d : '–');
    rows.push(`| ${name} | ${tried} | ${cells.join(' | ')} |`);
  };
  for (const [k, c] of Object.entries(res.bySubpath)) {
    line(k === 'huge' ? 'huge sizes' : `\`${k}\``, c, documented?.[k] ?? 0);
  }
  line('**all**', res.counts, res.documented?.silent ?? 0);
  const it = res.interrupts;
  const files =
    it && it.runs > 0 ? `${it.lost} of ${it.runs} interrupted saves lost a file` : 'interrupted saves not measured';
  const tiers = res.tier.split(', ').length;
  const each = tiers > 1 ? `each call on ${tiers} product tiers (${res.tier}), ` : `product tier ${res.tier}, `;
  const why =
    res.documented?.silent > 0 ? `; the documented ones are a stated limit (${res.documented.why.join('; ')})` : '';
  return `${rows.join('\n')}\n\n${each}huge sizes on the default tier; ${files}${why}; Node ${res.node}.`;
}

function gitCommit() {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: root, encoding: 'utf8' }).stdout.trim();
  return `${r.stdout.trim()}${dirty ? '+' : ''}`;
}

function latestResults() {
  const dir = join(root, 'bench/results');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('-reliability.json'))
    .sort();
  return files.length ? join(dir, files[files.length - 1]) : null;
}

function updateDoc(res) {
  const path = join(root, 'docs/reliability.md');
  const doc = readFileSync(path, 'utf8');
  const re = /<!-- reliability:start -->\n[\s\S]*?<!-- reliability:end -->/;
  if (!re.test(doc)) throw new Error('docs/reliability.md has no reliability markers');
  writeFileSync(
    path,
    doc.replace(re, () => `<!-- reliability:start -->\n${markdownTable(res)}\n<!-- reliability:end -->`),
  );
}

async function main() {
  if (flag('--worker')) return worker(Number(option('--worker')));
  if (flag('--huge-worker')) return hugeWorker(Number(option('--huge-worker')));
  if (flag('--table-from')) {
    process.stdout.write(`${markdownTable(JSON.parse(readFileSync(option('--table-from'), 'utf8')))}\n`);
    return;
  }
  if (flag('--doc-from')) {
    updateDoc(JSON.parse(readFileSync(option('--doc-from'), 'utf8')));
    return;
  }
  if (flag('--latest')) {
    process.stdout.write(`${latestResults() ?? ''}\n`);
    return;
  }
  if (!existsSync(join(root, 'dist/esm/index.js'))) throw new Error('no dist/: run node scripts/build.mjs first');
  // The calls run once on each product tier (the TypeScript one and, where the
  // engine has SIMD, WebAssembly); the huge sizes and the interrupts on the default.
  const { wasmSimdAvailable } = await import(pathToFileURL(join(root, 'dist/esm/linalg/public.js')).href);
  const tiers = option('--tier', wasmSimdAvailable() ? 'ts,wasm' : 'ts').split(',');
  const tier = tiers.join(', ');
  const env = { ...process.env, FORCE_COLOR: '0' };
  if (flag('--list')) {
    const { buildCases } = await import('./reliability/cases.mjs');
    for (const c of buildCases(await loadApi())) console.log(`${c.id}\t${c.fn}\t${c.arg}\t${c.what}`);
    return;
  }
  const t0 = performance.now();
  const cases = [];
  for (const t of tiers) {
    for (const r of await probeCases({ ...env, HANDGRAD_TIER: t })) cases.push({ ...r, tier: t });
  }
  const t1 = performance.now();
  const huge = flag('--no-huge') ? [] : await probeHuge(env);
  const t2 = performance.now();
  const interrupts = flag('--no-interrupts') ? null : await probeInterrupts(env);
  const t3 = performance.now();
  const all = [...cases, ...huge];
  const counts = tally(all);
  const res = {
    date: new Date().toISOString(),
    commit: gitCommit(),
    tier,
    node: process.versions.node,
    seconds: { calls: secs(t1 - t0), huge: secs(t2 - t1), interrupts: secs(t3 - t2) },
    tried: all.length,
    counts,
    bySubpath: Object.fromEntries(
      [...new Set(all.map((r) => r.subpath))].map((k) => [k, tally(all.filter((r) => r.subpath === k))]),
    ),
    interrupts,
    // Silent calls of a documented limit (the case's `documented`): counted silent above, allowed by the gate.
    documented: {
      silent: all.filter((r) => r.outcome === 'silent' && r.documented).length,
      bySubpath: Object.fromEntries(
        [...new Set(all.map((r) => r.subpath))].map((k) => [
          k,
          all.filter((r) => r.subpath === k && r.outcome === 'silent' && r.documented).length,
        ]),
      ),
      why: [...new Set(all.filter((r) => r.outcome === 'silent' && r.documented).map((r) => r.documented))],
    },
    huge: huge.map(({ name, ...r }) => ({ ...r, ms: Math.round(r.ms) })),
    // The calls that did not end clear or handled, with the message they got.
    notClear: cases
      .filter((r) => r.outcome !== 'clear' && r.outcome !== 'handled')
      .map(({ id, tier: t, subpath, fn, arg, what, documented, outcome, reasons, message }) => ({
        id,
        tier: t,
        subpath,
        fn,
        arg,
        what,
        ...(documented ? { documented } : {}),
        outcome,
        reasons,
        message,
      })),
  };

  // the console report
  const rowsBy = new Map();
  for (const r of all) {
    const k = `${r.subpath} ${r.fn}${r.tier ? ` [${r.tier}]` : ''}`;
    if (!rowsBy.has(k)) rowsBy.set(k, []);
    rowsBy.get(k).push(r);
  }
  const pad = (s, n) => String(s).padEnd(n);
  console.log(`${pad('function', 44)}${OUTCOMES.map((o) => pad(o, 9)).join('')}`);
  for (const [k, list] of rowsBy) {
    const c = tally(list);
    if (c.clear + c.handled === list.length && !flag('--all-rows')) continue;
    console.log(`${pad(k, 44)}${OUTCOMES.map((o) => pad(c[o], 9)).join('')}`);
  }
  console.log(`${pad(`all ${all.length} calls`, 44)}${OUTCOMES.map((o) => pad(counts[o], 9)).join('')}`);
  if (interrupts) console.log(`interrupted saves: ${interrupts.runs}, files lost: ${interrupts.lost}`);
  console.log(`seconds: calls ${res.seconds.calls}, huge ${res.seconds.huge}, interrupts ${res.seconds.interrupts}`);
  if (flag('--verbose')) {
    for (const r of all) if (r.outcome !== 'clear' && r.outcome !== 'handled') console.log(JSON.stringify(r));
  }
  if (flag('--markdown')) console.log(`\n${markdownTable(res)}`);

  const out = option(
    '--out',
    flag('--save')
      ? join(root, `bench/results/${res.date.slice(0, 10)}-${res.date.slice(11, 16).replace(':', '')}-reliability.json`)
      : null,
  );
  if (out) {
    // One record a line: readable diffs, a small file.
    const { notClear, huge: hugeRows, ...head } = res;
    const lines = (list) => list.map((r) => `  ${JSON.stringify(r)}`).join(',\n');
    const text =
      `${JSON.stringify(head, null, 1).replace(/\n}$/, '')},\n` +
      ` "huge": [\n${lines(hugeRows)}\n ],\n "notClear": [\n${lines(notClear)}\n ]\n}\n`;
    JSON.parse(text);
    writeFileSync(out, text);
    console.log(`wrote ${out}`);
  }
  if (flag('--update-doc')) {
    updateDoc(res);
    console.log('rewrote the figures in docs/reliability.md');
  }

  const maxUnclear = Number(option('--max-unclear', 'Infinity'));
  const maxSilent = Number(option('--max-silent', '0'));
  const failures = counts.crash + counts.hang + (interrupts?.lost ?? 0);
  // Only the documented class of silent calls is allowed; any other silent call counts against --max-silent.
  const undocumented = counts.silent - res.documented.silent;
  if (res.documented.silent > 0) {
    console.log(`documented silent calls (allowed): ${res.documented.silent} (${res.documented.why.join('; ')})`);
  }
  if (failures > 0 || undocumented > maxSilent || counts.unclear > maxUnclear) {
    console.log(
      `reliability gate: ${undocumented} silent outside the documented limit, ${counts.crash} crashed, ` +
        `${counts.hang} hung, ${interrupts?.lost ?? 0} files lost, ${counts.unclear} unclear ` +
        `(ceiling ${maxUnclear}, silent ${maxSilent})`,
    );
    process.exitCode = 1;
  }
}

await main();
