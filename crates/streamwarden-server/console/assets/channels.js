// StreamWarden console, channel page: the template editor's live preview. Edits are debounced
// and POSTed to /api/v1/templates/preview with the event chosen in select[name=event_id]; the
// rendered message (or the template's error) is shown in [data-testid=preview]. A part equal to
// its default template is marked data-skip, so saving the form (the channel's PUT/POST, done by
// console.js) sends only the parts that differ.
"use strict";
(function () {
  const editor = document.querySelector("[data-template-editor]");
  if (!editor) return;
  const SW = window.StreamWarden;
  const parts = [...editor.querySelectorAll("textarea[data-template-part]")];
  const select = editor.querySelector('select[name="event_id"]');
  const out = editor.querySelector('[data-testid="preview"]');
  const DEBOUNCE_MS = 350;

  function mark(part) {
    if (part.value === part.dataset.default) part.dataset.skip = "";
    else delete part.dataset.skip;
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function section(label, content) {
    out.appendChild(el("div", "pv-label", label));
    out.appendChild(content);
  }

  function show(answer) {
    out.replaceChildren();
    out.removeAttribute("aria-busy");
    SW.clearErrors(editor);
    const data = answer.data || {};
    if (!answer.ok) {
      for (const e of data.errors || []) {
        const input = editor.querySelector(`textarea[name="${e.field}"]`);
        if (input) SW.showFieldError(input, e.reason);
      }
      out.appendChild(el("p", "error", data.error || `HTTP ${answer.status}`));
      out.dataset.state = "error";
      return;
    }
    out.dataset.state = "ok";
    const kinds = new Map(parts.map((p) => [p.dataset.templatePart, p.dataset.markup]));
    if (data.title) section("Title", el("div", "pv-title", data.title));
    if (kinds.get("body") === "html") {
      const frame = el("iframe");
      frame.setAttribute("sandbox", "");
      frame.setAttribute("title", "Rendered body");
      frame.srcdoc = data.body || "";
      section("Body", frame);
    } else section("Body", el("pre", "pv-body", data.body || ""));
    if (kinds.has("text")) section("Text", el("pre", "pv-text", data.text || ""));
    out.appendChild(el("p", "muted small", data.event_id ? `Event ${data.event_id}` : ""));
  }

  let timer = null;
  let latest = 0;
  async function preview() {
    if (editor.dataset.live === undefined) return;
    const templates = {};
    for (const part of parts) {
      if (part.value.trim() !== "") templates[part.dataset.templatePart] = part.value;
    }
    const body = { kind: editor.dataset.kind, templates };
    if (select && select.value) body.event_id = select.value;
    const mine = ++latest;
    out.setAttribute("aria-busy", "true");
    const answer = await SW.api("POST", "/api/v1/templates/preview", body);
    if (mine === latest) show(answer);
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(preview, DEBOUNCE_MS);
  }

  for (const part of parts) {
    mark(part);
    part.addEventListener("input", () => { mark(part); schedule(); });
  }
  if (select) select.addEventListener("change", preview);
  editor.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-reset-template]");
    if (!button) return;
    const part = editor.querySelector(`textarea[data-template-part="${button.dataset.resetTemplate}"]`);
    if (!part) return;
    part.value = part.dataset.default;
    mark(part);
    preview();
  });
  preview();
})();
