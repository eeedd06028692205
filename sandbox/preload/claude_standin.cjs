// A deterministic stand-in for Claude, loaded into the real edit container with
// NODE_OPTIONS="--require .../claude_standin.cjs" (its source stays unchanged).
//
// The container calls the Claude Code SDK's `query({prompt, options: {cwd, ...}})` and reads the messages it
// yields (claude-executor.service.ts): `system` (session_id), `assistant` (text), then `result` (subtype success).
// It then finds the edited files itself with `git diff --name-only HEAD` and `git ls-files --others`. This module
// answers `query` with the sandbox's own instruction grammar (sandbox/interpreter.py, run as a command), so the
// real container edits the fixture site exactly as the sandbox's stand-in container does. An instruction outside
// the grammar throws, naming the forms it understands: the container reports it with SendTaskFailure.
//
// Workaround (docs/real-container.md, "Workarounds"): before calling Claude the container narrows PATH to node's folder
// and /usr/local/bin:/usr/bin:/bin; its `aws s3 sync` later needs the awscli, which this machine keeps elsewhere.
// The stand-in puts back the PATH the container started with once it has answered.
'use strict';

const Module = require('module');
const { execFile } = require('child_process');
const { randomUUID } = require('crypto');

const PYTHON = process.env.WEBORDINARY_STANDIN_PYTHON;
const ROOT = process.env.WEBORDINARY_STANDIN_ROOT;
const STARTING_PATH = process.env.PATH;

function run(command, args, options) {
  return new Promise((resolve) => {
    execFile(command, args, options, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr, error });
    });
  });
}

async function* query({ prompt, options = {} }) {
  const started = Date.now();
  const cwd = options.cwd || process.cwd();
  const sessionId = randomUUID();
  try {
    if (!PYTHON || !ROOT) {
      throw new Error('the Claude stand-in needs WEBORDINARY_STANDIN_PYTHON and WEBORDINARY_STANDIN_ROOT');
    }
    yield { type: 'system', subtype: 'init', session_id: sessionId, cwd, model: options.model || 'sonnet',
            tools: options.allowedTools || [], mcp_servers: [], permissionMode: 'default', apiKeySource: 'user' };
    // The branch the container switched to tells this thread's changes from another's.
    const branch = await run('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd, env: { ...process.env, PATH: STARTING_PATH } });
    const thread = branch.code === 0 ? branch.stdout.trim() : 'unknown-thread';
    const applied = await run(PYTHON, ['-m', 'sandbox.interpreter', '--workspace', cwd, '--thread', thread, prompt],
                              { cwd: ROOT, env: { ...process.env, PATH: STARTING_PATH } });
    if (applied.code !== 0) {
      throw new Error((applied.stderr || applied.stdout || `the interpreter exited with ${applied.code}`).trim());
    }
    const summary = applied.stdout.trim();
    yield { type: 'assistant', session_id: sessionId, parent_tool_use_id: null,
            message: { role: 'assistant', content: [{ type: 'text', text: summary }] } };
    yield { type: 'result', subtype: 'success', session_id: sessionId, is_error: false, num_turns: 1,
            result: summary, duration_ms: Date.now() - started, duration_api_ms: 0, total_cost_usd: 0 };
  } finally {
    process.env.PATH = STARTING_PATH;
  }
}

const standin = { query };
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request === '@anthropic-ai/claude-code') {
    return standin;
  }
  return load.call(this, request, ...rest);
};
