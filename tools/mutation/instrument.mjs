// Instrument TypeScript files in place with every Stryker mutant (mutant switching: one build holds them all, and
// `__STRYKER_ACTIVE_MUTANT__=<id>` in a process's environment, read when each module loads, picks one), and write
// the mutant list as JSON. Run on a scratch copy only (tools/mutation_real.py): it overwrites the files it mutates.
//
//   node tools/mutation/instrument.mjs --root <copy> --files src/a.ts,src/b.ts --out <mutants.json>
//
// Ids are "0".."N-1" in the order of --files, then of the syntax tree: keep the order fixed. Locations are written
// 1-based (line and column), as mutation-testing-report-schema has them; Stryker's API gives them 0-based.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Instrumenter, disableTypeChecks } = await import(require.resolve('@stryker-mutator/instrumenter'));
const version = require('@stryker-mutator/instrumenter/package.json').version;

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const root = path.resolve(args.root);
const files = args.files.split(',').filter(Boolean);

const quiet = () => {};
const logger = {
  isDebugEnabled: () => false, isTraceEnabled: () => false, isInfoEnabled: () => false,
  debug: quiet, trace: quiet, info: quiet, warn: (...a) => console.error('instrumenter:', ...a),
  error: (...a) => console.error('instrumenter:', ...a), fatal: (...a) => console.error('instrumenter:', ...a),
};
const started = Date.now();
const sources = Object.fromEntries(files.map((name) => [name, fs.readFileSync(path.join(root, name), 'utf8')]));
const inputs = files.map((name) => ({ name, mutate: true, content: sources[name] }));
const result = await new Instrumenter(logger).instrument(inputs, {
  plugins: null, excludedMutations: [], ignorers: [], noHeader: false,
});
for (const file of result.files) {
  // `// @ts-nocheck` first (what Stryker core does): tsc then builds mutants that do not type-check.
  const written = await disableTypeChecks(file, { plugins: null });
  fs.writeFileSync(path.join(root, file.name), written.content);
}

const offset = (text, at) => text.split('\n').slice(0, at.line).reduce((n, line) => n + line.length + 1, 0) + at.column;
const mutants = result.mutants.map((m) => ({
  id: m.id,
  mutatorName: m.mutatorName,
  fileName: m.fileName,
  location: {
    start: { line: m.location.start.line + 1, column: m.location.start.column + 1 },
    end: { line: m.location.end.line + 1, column: m.location.end.column + 1 },
  },
  original: sources[m.fileName].slice(offset(sources[m.fileName], m.location.start),
    offset(sources[m.fileName], m.location.end)),
  replacement: m.replacement,
}));
fs.writeFileSync(args.out, JSON.stringify({
  tool: `@stryker-mutator/instrumenter ${version}`, language: 'typescript', files, mutants, sources,
  seconds: (Date.now() - started) / 1000,
}, null, 1));
console.error(`instrumented ${files.length} file(s): ${mutants.length} mutants in ${(Date.now() - started) / 1000} s`);
