// Switchyard console: the few things a server-rendered page cannot do. No dependencies, no
// inline handlers (the pages' Content-Security-Policy forbids them), nothing stored in the browser.
"use strict";

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const text = document.getElementById(button.dataset.copy)?.textContent ?? "";
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  } catch {
    button.textContent = "Select and copy";
  }
});

// The playground: builds the request in the chosen surface's own shape, shows it, sends it through
// /ui/playground/send (session cookie + antiforgery header; the server adds the key), and reads the
// answer as it streams.
const playground = document.getElementById("playground");
if (playground) {
  const sent = document.getElementById("sent");
  const answer = document.getElementById("answer");
  const usageOut = document.getElementById("usage");
  const status = document.getElementById("status");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;

  const body = (surface, model, message, stream) => {
    switch (surface) {
      case "responses": return { model, input: message, stream };
      case "messages": return { model, max_tokens: 1024, messages: [{ role: "user", content: message }], stream };
      case "gemini": return { contents: [{ role: "user", parts: [{ text: message }] }] };
      default: return { model, messages: [{ role: "user", content: message }], stream, ...(stream ? { stream_options: { include_usage: true } } : {}) };
    }
  };

  // Text and usage from one event or whole answer, whatever the surface.
  const read = (surface, data) => {
    let text = "";
    let usage = null;
    if (surface === "chat") {
      const choice = data.choices?.[0];
      text = choice?.delta?.content ?? choice?.message?.content ?? "";
      usage = data.usage ?? null;
    } else if (surface === "responses") {
      if (data.type === "response.output_text.delta") text = data.delta ?? "";
      else if (!data.type) text = (data.output ?? []).flatMap((o) => o.content ?? []).map((c) => c.text ?? "").join("");
      usage = data.response?.usage ?? data.usage ?? null;
    } else if (surface === "messages") {
      if (data.type === "content_block_delta") text = data.delta?.text ?? "";
      else if (Array.isArray(data.content)) text = data.content.map((c) => c.text ?? "").join("");
      usage = data.usage ?? data.message?.usage ?? null;
    } else if (surface === "gemini") {
      text = (data.candidates?.[0]?.content?.parts ?? []).map((p) => p.text ?? "").join("");
      usage = data.usageMetadata ?? null;
    }
    return { text, usage };
  };

  playground.addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData(playground);
    const surface = form.get("surface");
    const model = form.get("model");
    const stream = form.get("stream") === "on";
    const request = body(surface, model, form.get("message"), stream);
    sent.textContent = JSON.stringify(request, null, 2);
    answer.textContent = "";
    usageOut.textContent = "";
    status.textContent = "sending";
    const query = new URLSearchParams({ surface, model, stream: String(stream), key: form.get("key") ?? "" });
    let usage = null;
    try {
      const response = await fetch("/ui/playground/send?" + query, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(request),
        credentials: "same-origin",
      });
      status.textContent = String(response.status);
      const type = response.headers.get("Content-Type") ?? "";
      if (!type.includes("text/event-stream")) {
        const text = await response.text();
        let data = null;
        try { data = JSON.parse(text); } catch { /* not JSON: shown as it came */ }
        if (data && response.ok) {
          const result = read(surface, data);
          answer.textContent = result.text;
          usage = result.usage;
        } else {
          answer.textContent = data ? JSON.stringify(data, null, 2) : text;
        }
      } else {
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value.replace(/\r\n/g, "\n");
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = frame.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trimStart()).join("\n");
            if (!data || data === "[DONE]") continue;
            let parsed;
            try { parsed = JSON.parse(data); } catch { continue; }
            if (parsed.error) answer.textContent += "\n[error] " + (parsed.error.message ?? JSON.stringify(parsed.error));
            const result = read(surface, parsed);
            answer.textContent += result.text;
            if (result.usage) usage = result.usage;
          }
        }
      }
      const requestId = response.headers.get("X-Request-Id");
      usageOut.textContent = usage
        ? JSON.stringify(usage, null, 2) + (usage.cost !== undefined ? "\n\ncost: " + usage.cost + " credits" : "\n\n(model not priced: no cost)")
        : "(no usage reported)";
      if (requestId) usageOut.textContent += "\nrequest id: " + requestId;
    } catch (error) {
      status.textContent = "failed";
      answer.textContent = String(error);
    }
  });
}
