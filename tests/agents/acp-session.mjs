// One agent session of two prompts over the Agent Client Protocol (JSON-RPC on stdio), as an
// editor drives Gemini CLI: the second prompt continues the session the first one left in
// memory. Gemini CLI's own headless continuation (`-p … --resume`) replays every tool result
// twice (google-gemini/gemini-cli#29365), which every upstream refuses, so the agents check
// continues its sessions this way.
//
//   node acp-session.mjs OUT1 OUT2 PROMPT1 PROMPT2 -- COMMAND ARGS...
//
// Writes what the agent said (and any error) for each prompt to OUT1 and OUT2. Exit status:
// 0 both prompts ended normally, 1 the first failed, 2 the second failed.
import { spawn } from "node:child_process";
import { appendFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";

const [out1, out2, prompt1, prompt2, separator, command, ...args] = process.argv.slice(2);
if (separator !== "--" || !command) {
  console.error("usage: node acp-session.mjs OUT1 OUT2 PROMPT1 PROMPT2 -- COMMAND ARGS...");
  process.exit(64);
}

const agent = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
let output = out1;
writeFileSync(out1, "");
writeFileSync(out2, "");
const note = (text) => appendFileSync(output, text);
agent.stderr.on("data", (chunk) => note(chunk.toString()));

let nextId = 1;
const pending = new Map();
const send = (message) => agent.stdin.write(JSON.stringify({ jsonrpc: "2.0", ...message }) + "\n");
const call = (method, params) =>
  new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    send({ id, method, params });
  });

createInterface({ input: agent.stdout }).on("line", (line) => {
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    note(line + "\n");
    return;
  }

  if (message.method === "session/update") {
    const update = message.params?.update;
    if (update?.sessionUpdate === "agent_message_chunk" && update.content?.type === "text") {
      note(update.content.text);
    }
  } else if (message.method === "session/request_permission") {
    // The check runs the agent with every action approved, as --approval-mode yolo does.
    const allow = message.params.options.find((o) => o.kind?.startsWith("allow")) ?? message.params.options[0];
    send({ id: message.id, result: { outcome: { outcome: "selected", optionId: allow.optionId } } });
  } else if (message.id !== undefined && message.method !== undefined) {
    send({ id: message.id, error: { code: -32601, message: `the agents check does not serve ${message.method}` } });
  } else if (pending.has(message.id)) {
    const { resolve, reject } = pending.get(message.id);
    pending.delete(message.id);
    message.error ? reject(new Error(JSON.stringify(message.error))) : resolve(message.result);
  }
});

const exited = new Promise((resolve) =>
  agent.on("exit", (code) => {
    for (const { reject } of pending.values()) {
      reject(new Error(`the agent exited with ${code}`));
    }
    pending.clear();
    resolve(code);
  }));
const failure = (error) => note(`\nError: ${error.message}\n`);
const ask = async (sessionId, text) => {
  const result = await call("session/prompt", { sessionId, prompt: [{ type: "text", text }] });
  note("\n");
  if (result?.stopReason !== "end_turn") {
    throw new Error(`the prompt stopped with ${result?.stopReason}`);
  }
};

let status = 0;
try {
  await call("initialize", { protocolVersion: 1, clientCapabilities: { fs: { readTextFile: false, writeTextFile: false } } });
  const { sessionId } = await call("session/new", { cwd: process.cwd(), mcpServers: [] });
  await ask(sessionId, prompt1);
  output = out2;
  try {
    await ask(sessionId, prompt2);
  } catch (error) {
    failure(error);
    status = 2;
  }
} catch (error) {
  failure(error);
  status = 1;
}

agent.stdin.end();
agent.kill();
await exited;
process.exit(status);
