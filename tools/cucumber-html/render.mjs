// Cucumber's own HTML report of a Cucumber Messages file (the package has no command line, only this stream):
//   node render.mjs reports/cucumber-messages.ndjson reports/cucumber-report.html
import { createReadStream, createWriteStream } from "node:fs";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { CucumberHtmlStream } from "@cucumber/html-formatter";

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error("usage: node render.mjs <messages.ndjson> <report.html>");
  process.exit(2);
}

async function* envelopes() {
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(input), crlfDelay: Infinity })) {
    line += 1;
    if (!text.trim()) continue;
    try {
      yield JSON.parse(text);
    } catch (error) {
      throw new Error(`${input}:${line}: not a JSON envelope (${error.message})`);
    }
  }
}

await pipeline(Readable.from(envelopes()), new CucumberHtmlStream(), createWriteStream(output));
console.log(`cucumber-html: ${output}`);
