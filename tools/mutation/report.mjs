// Stryker's own HTML report of a mutation-testing-report-schema JSON (written by tools/mutation_score.py): the JSON is
// checked against the schema, Stryker's metrics are printed as JSON, and the page is the one @stryker-mutator/core
// 9.6.1's HtmlReporter writes (mutation-testing-elements' standalone bundle inlined: it works offline).
//
//   node tools/mutation/report.mjs <mutation.json> <mutation.html>
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const [input, output] = process.argv.slice(2);
const report = JSON.parse(fs.readFileSync(input, 'utf8'));

const Ajv = require('ajv');
const { schema } = await import(require.resolve('mutation-testing-report-schema'));
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
if (!ajv.validate(schema, report)) {
  console.error(`${input} is not a mutation-testing-report-schema report: ${ajv.errorsText()}`);
  process.exit(1);
}
const { calculateMetrics } = await import(require.resolve('mutation-testing-metrics'));
const { metrics } = calculateMetrics(report.files);

const bundle = fs.readFileSync(require.resolve('mutation-testing-elements/dist/mutation-test-elements.js'), 'utf8');
// `<` in the JSON is split so that a `</script>` in a source file cannot end the script block.
const json = JSON.stringify(report).replace(/</g, '<"+"');
fs.writeFileSync(output, `<!DOCTYPE html>
<html>
<head>
  <meta charset="utf-8">
  <title>Mutation report</title>
  <script>
    ${bundle}
  </script>
</head>
<body>
  <mutation-test-report-app titlePostfix="Stryker">
    Your browser does not support <a href="https://caniuse.com/#search=custom%20elements">custom elements</a>.
  </mutation-test-report-app>
  <script>
    const app = document.querySelector('mutation-test-report-app');
    app.report = ${json};
    function updateTheme() { document.body.style.backgroundColor = app.themeBackgroundColor; }
    app.addEventListener('theme-changed', updateTheme);
    updateTheme();
  </script>
</body>
</html>
`);
const { killed, timeout, survived, noCoverage, runtimeErrors, ignored, mutationScore } = metrics;
console.log(JSON.stringify({ killed, timeout, survived, noCoverage, runtimeErrors, ignored, mutationScore }));
