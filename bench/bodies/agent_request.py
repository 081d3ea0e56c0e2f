#!/usr/bin/env python3
"""An agent-sized request, as a coding agent sends one turn of a long session: a long system
prompt, 20 tools with JSON schemas, 30 tool calls with their results (~100 KB in all); written
twice, the same conversation as an Anthropic Messages body and as a Chat Completions body.

    python3 bench/bodies/agent_request.py OUT_DIR   # writes request_agent_anthropic.json and request_agent_chat.json

Seeded, so every run sends the same bytes."""
import json
import os
import random
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "."
random.seed(7)
words = ("the gateway relays each frame of the stream while the agent reads files edits code "
         "and runs tests in a loop until done").split()


def text(n):
    return " ".join(random.choice(words) for _ in range(n))


tools = [{
    "name": f"tool_{i}",
    "description": text(60),
    "input_schema": {
        "type": "object",
        "properties": {f"arg{j}": {"type": "string", "description": text(12)} for j in range(6)},
        "required": ["arg0"],
    },
} for i in range(20)]
system = text(3000)
first = text(200)
anthropic = [{"role": "user", "content": [{"type": "text", "text": first}]}]
chat = [{"role": "system", "content": system}, {"role": "user", "content": first}]
for turn in range(30):
    call_id = f"toolu_{turn:04d}"
    name = f"tool_{turn % 20}"
    args = {"arg0": text(8), "arg1": text(4)}
    said = text(40)
    result = text(300)
    anthropic.append({"role": "assistant", "content": [
        {"type": "text", "text": said},
        {"type": "tool_use", "id": call_id, "name": name, "input": args}]})
    anthropic.append({"role": "user", "content": [{"type": "tool_result", "tool_use_id": call_id, "content": result}]})
    chat.append({"role": "assistant", "content": said, "tool_calls": [
        {"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}]})
    chat.append({"role": "tool", "tool_call_id": call_id, "content": result})
anthropic.append({"role": "user", "content": [{"type": "text", "text": "Now summarise what changed."}]})
chat.append({"role": "user", "content": "Now summarise what changed."})

bodies = {
    "request_agent_anthropic.json": {
        "model": "gpt-4o-mini", "max_tokens": 128, "system": system, "tools": tools,
        "messages": anthropic, "stream": True,
    },
    "request_agent_chat.json": {
        "model": "gpt-4o-mini", "max_tokens": 128, "messages": chat, "stream": True,
        "stream_options": {"include_usage": True},
        "tools": [{"type": "function", "function": {
            "name": t["name"], "description": t["description"], "parameters": t["input_schema"]}} for t in tools],
    },
}
os.makedirs(out, exist_ok=True)
for name, body in bodies.items():
    with open(os.path.join(out, name), "w") as f:
        json.dump(body, f, separators=(",", ":"))
