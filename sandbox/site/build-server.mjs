// The sandbox's warm `astro build` (sandbox/edit.py, BuildServers): a cold `npm run build` spends most of its CPU
// starting Node and loading Astro, Vite and Rollup; this process loads them once and builds one project per request.
//
// Requests: one JSON line on stdin, {"root": "<project directory>"}. Replies: one JSON line on the file descriptor
// named by --reply-fd, {"code": 0 | 1, "stdout": "...", "stderr": "..."}: what `astro build` run in that directory
// would exit with and print. One request at a time; the process exits when stdin closes.
//
// Not in src/: the site's build never sees it.
import { writeSync } from "node:fs";
import { createInterface } from "node:readline";

import { build } from "astro";

// The CLI's own error report (astro/dist/cli/throw-and-exit.js), reached by file: the package exports none of it.
const dist = new URL("node_modules/astro/dist/", import.meta.url);
const { formatErrorMessage } = await import(new URL("core/messages.js", dist));
const { collectErrorMetadata } = await import(new URL("core/errors/dev/index.js", dist));
const { createSafeError } = await import(new URL("core/errors/index.js", dist));
const { isAstroConfigZodError } = await import(new URL("core/errors/errors.js", dist));

const replyFd = Number(process.argv[process.argv.indexOf("--reply-fd") + 1]);
if (!Number.isInteger(replyFd) || replyFd < 3) {
  throw new Error("build-server.mjs: --reply-fd N (N >= 3) names where the replies go");
}

// What the build prints is the reply's, as a child process's output would be; stdout stays clear of it.
const printed = { stdout: "", stderr: "" };
for (const name of ["stdout", "stderr"]) {
  process[name].write = (chunk, encoding, callback) => {
    printed[name] += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
    const done = typeof encoding === "function" ? encoding : callback;
    if (done) process.nextTick(done);
    return true;
  };
}

// A build bundles the site with Astro's runtime into a prerender bundle, renders the pages from it and deletes it;
// bundling the runtime is most of a warm build's CPU (0.5 s of 0.6 here). After the first build the runtime is
// left external: the prerender imports it from node_modules, loaded once by this process. The pages, the files
// of dist/ and what the build prints are the same either way (tests/test_sandbox_parts.py compares them with a
// cold `astro build`, a broken page's error included).
// The first build bundles it as a cold `npm run build` does: its length is the one every build is held to.
let builds = 0;
const RUNTIME_EXTERNAL = { ssr: { external: ["astro"] } };

async function buildIn(root) {
  printed.stdout = printed.stderr = "";
  let code = 0;
  try {
    // As `astro build` run in the project's directory: the CLI's inline config, the root being the cwd.
    process.chdir(root);
    const inline = { server: { allowedHosts: [] }, ...(builds++ > 0 && { vite: RUNTIME_EXTERNAL }) };
    await build(inline, { devOutput: false });
  } catch (error) {
    code = 1;
    if (!isAstroConfigZodError(error)) {
      printed.stderr += formatErrorMessage(collectErrorMetadata(createSafeError(error)), true) + "\n";
    }
  }
  return { code, stdout: printed.stdout, stderr: printed.stderr };
}

// One request at a time: the next line is read only once the reply to this one is written.
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const reply = await buildIn(JSON.parse(line).root);
  writeSync(replyFd, JSON.stringify(reply) + "\n");
}
process.exit(0);
