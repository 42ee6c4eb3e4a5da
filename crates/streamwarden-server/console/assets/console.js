// StreamWarden console: every change goes through the JSON API (/api/v1/...) with the
// session's CSRF token, so the console obeys the same roles, validation and audit as the API.
// Declarative hooks:
//   <form data-api="POST /api/v1/silences" data-then="reload" data-confirm="…">
//     inputs: name="a.b" (nested), data-type="int|bool|list|json|map", data-validators="require url"
//   <button data-api="POST /api/v1/apps/x/stop" data-body='{"savepoint":true}' data-confirm="…">
// A result or error is shown in the form's [data-result] (or a toast); field errors returned by
// the API ({"errors":[{"field","reason"}]}) are shown under their inputs.
"use strict";
(function () {
  const csrf = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  async function api(method, path, body) {
    const headers = { "X-StreamWarden-Client": "console" };
    if (csrf()) headers["X-CSRF-Token"] = csrf();
    const init = { method, headers, credentials: "same-origin" };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined && body !== null) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (e) {
      return { ok: false, status: 0, data: { error: "StreamWarden cannot be reached: " + e.message } };
    }
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (_) { data = { error: text }; }
    if (response.status === 401 && !path.endsWith("/session")) {
      location.href = "/ui/login?next=" + encodeURIComponent(location.pathname + location.search);
    }
    return { ok: response.ok, status: response.status, data };
  }

  // --- validators: the same rules, and the same messages, as the server's ---
  const isHost = (v) => {
    const bare = v.startsWith("[") && v.endsWith("]") ? v.slice(1, -1) : v;
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(bare) || (bare.includes(":") && /^[0-9a-fA-F:.]+$/.test(bare))) return true;
    return v.length > 0 && v.length <= 253 && v.split(".").every((l) =>
      l.length > 0 && l.length <= 63 && !l.startsWith("-") && !l.endsWith("-") && /^[A-Za-z0-9-]+$/.test(l));
  };
  const q = (v) => JSON.stringify(v);
  const VALIDATORS = {
    require: (v) => v.length > 0 || "required",
    none_blank: (v) => v.trim().length > 0 || "must not be blank",
    host: (v) => {
      const i = v.lastIndexOf(":");
      let ok;
      if (i < 0) ok = isHost(v);
      else {
        const host = v.slice(0, i), port = v.slice(i + 1);
        ok = !host.endsWith("]") && host.includes(":")
          ? isHost(v) && port !== "" // a bare IPv6 address
          : isHost(host) && /^\d{1,5}$/.test(port) && +port > 0 && +port < 65536;
      }
      return ok || `${q(v)} is not a host name or IP address (with an optional :port)`;
    },
    host_without_port: (v) => isHost(v) || `${q(v)} is not a host name or IP address without a port`,
    url: (v) => {
      try {
        const u = new URL(v);
        if ((u.protocol === "http:" || u.protocol === "https:") && u.hostname) return true;
      } catch (_) { /* not a URL */ }
      return `${q(v)} is not an http or https URL`;
    },
    email: (v) => /^[^@\s]+@[^@\s]+$/.test(v) || `${q(v)} is not an email address`,
    integer: (v) => /^\s*[-+]?\d+\s*$/.test(v) || `${q(v)} is not a whole number`,
    identity: (v) => /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(v) ||
      `${q(v)} must start with a letter or digit and hold only letters, digits, '_', '.', '-' (64 at most)`,
    user_name: (v) => /^[A-Za-z0-9_.-]+$/.test(v) || `${q(v)} may hold only letters, digits, '_', '.', '-'`,
  };

  function showFieldError(input, reason) {
    input.classList.add("invalid");
    input.setAttribute("aria-invalid", "true");
    const note = document.createElement("div");
    note.className = "field-error";
    note.dataset.fieldError = input.name;
    note.textContent = reason;
    input.insertAdjacentElement("afterend", note);
  }

  function clearErrors(form) {
    form.querySelectorAll(".field-error").forEach((n) => n.remove());
    form.querySelectorAll(".invalid").forEach((n) => { n.classList.remove("invalid"); n.removeAttribute("aria-invalid"); });
  }

  // Runs each input's validators; true when all pass (errors are shown under the inputs).
  function validate(form) {
    let ok = true;
    form.querySelectorAll("[data-validators]").forEach((input) => {
      if (input.disabled) return;
      const rules = input.dataset.validators.split(/\s+/).filter(Boolean);
      const values = input.dataset.type === "list"
        ? input.value.split(/\n/).map((s) => s.trim()).filter(Boolean)
        : [input.value];
      const required = rules.includes("require");
      if (!required && values.every((v) => v === "")) return;
      for (const value of values) {
        for (const rule of rules) {
          const check = VALIDATORS[rule];
          const verdict = check ? check(value) : true;
          if (verdict !== true) {
            showFieldError(input, verdict);
            ok = false;
            return;
          }
        }
      }
    });
    return ok;
  }

  function setPath(target, path, value) {
    const keys = path.split(".");
    let node = target;
    keys.slice(0, -1).forEach((k) => { node = node[k] = node[k] || {}; });
    node[keys[keys.length - 1]] = value;
  }

  // The JSON body of a form: typed values by data-type; empty values left out.
  function formBody(form) {
    const body = {};
    for (const el of form.elements) {
      if (!el.name || el.disabled || el.dataset.skip !== undefined) continue;
      if ((el.type === "radio") && !el.checked) continue;
      const type = el.dataset.type || (el.type === "checkbox" ? "bool" : "text");
      let value;
      if (type === "bool") value = el.checked;
      else if (el.value === "" && el.dataset.keepEmpty === undefined) continue;
      else if (type === "int") value = Number(el.value);
      else if (type === "list") value = el.value.split(/\n|,/).map((s) => s.trim()).filter(Boolean);
      else if (type === "json") {
        try { value = JSON.parse(el.value); } catch (e) { throw { input: el, reason: "not JSON: " + e.message }; }
      } else if (type === "map") {
        value = {};
        for (const line of el.value.split(/\n/).map((s) => s.trim()).filter(Boolean)) {
          const i = line.search(/[:=]/);
          if (i < 1) throw { input: el, reason: `${q(line)} is not name: value` };
          value[line.slice(0, i).trim()] = line.slice(i + 1).trim();
        }
      } else value = el.value;
      setPath(body, el.name, value);
    }
    return body;
  }

  // The multipart body of an upload form, empty text fields left out as in formBody.
  function formData(form) {
    const data = new FormData(form);
    for (const [name, value] of [...data.entries()]) {
      if (typeof value === "string" && value.trim() === "") data.delete(name);
    }
    return data;
  }

  function toast(text, bad) {
    const box = document.getElementById("toast");
    if (!box) return;
    const msg = document.createElement("div");
    msg.className = "msg" + (bad ? " bad" : "");
    msg.textContent = text;
    box.appendChild(msg);
    setTimeout(() => msg.remove(), 6000);
  }

  function report(holder, text, ok) {
    const place = holder && holder.querySelector("[data-result]");
    if (place) {
      place.textContent = text;
      place.className = "result " + (ok ? "ok" : "bad");
    } else toast(text, !ok);
  }

  // Shows the API's answer to a change: its field errors under their inputs, else its error.
  function showAnswer(form, answer) {
    const data = answer.data || {};
    if (answer.ok) return;
    const prefix = (form && form.dataset.fieldPrefix) || "";
    let placed = false;
    for (const e of data.errors || []) {
      const input = form && (form.querySelector(`[name="${prefix}${e.field}"]`) || form.querySelector(`[name="${e.field}"]`));
      if (input) { showFieldError(input, e.reason); placed = true; }
    }
    report(form, (placed ? "Please fix the fields marked. " : "") + (data.error || `HTTP ${answer.status}`), false);
  }

  // Follows data-then: "reload", or "go:/ui/apps/{app.id}" filled from the answer.
  function then(spec, data) {
    if (!spec) return;
    if (spec === "reload") { setTimeout(() => location.reload(), 600); return; }
    if (spec.startsWith("go:")) {
      const url = spec.slice(3).replace(/\{([\w.]+)\}/g, (_, p) =>
        encodeURIComponent(p.split(".").reduce((o, k) => (o || {})[k], data) ?? ""));
      setTimeout(() => { location.href = url; }, 400);
    }
  }

  async function submitForm(form) {
    clearErrors(form);
    if (!validate(form)) { report(form, "Please fix the fields marked.", false); return null; }
    let body;
    try {
      body = form.enctype === "multipart/form-data" ? formData(form) : formBody(form);
    } catch (e) {
      if (e.input) { showFieldError(e.input, e.reason); report(form, "Please fix the fields marked.", false); return null; }
      throw e;
    }
    if (form.dataset.confirm && !confirm(form.dataset.confirm)) return null;
    const [method, path] = form.dataset.api.split(" ");
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => { b.disabled = true; });
    const answer = await api(method, path, body);
    buttons.forEach((b) => { b.disabled = false; });
    if (answer.ok) {
      report(form, form.dataset.done || "Done.", true);
      form.dispatchEvent(new CustomEvent("sw:done", { detail: answer.data, bubbles: true }));
      then(form.dataset.then, answer.data);
    } else showAnswer(form, answer);
    return answer;
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.matches("form[data-api]")) {
      event.preventDefault();
      submitForm(form);
    } else if (form.matches("form[data-sign-in]")) {
      event.preventDefault();
      signIn(form);
    }
  });

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-api]");
    if (button) {
      event.preventDefault();
      if (button.dataset.confirm && !confirm(button.dataset.confirm)) return;
      const [method, path] = button.dataset.api.split(" ");
      button.disabled = true;
      const answer = await api(method, path, button.dataset.body ? JSON.parse(button.dataset.body) : undefined);
      button.disabled = false;
      const holder = button.closest("[data-result-holder]") || null;
      if (answer.ok) {
        report(holder, button.dataset.done || "Done.", true);
        then(button.dataset.then, answer.data);
      } else report(holder, (answer.data && answer.data.error) || `HTTP ${answer.status}`, false);
      return;
    }
    if (event.target.closest("[data-sign-out]")) {
      await api("DELETE", "/api/v1/session");
      location.href = "/ui/login";
    }
  });

  async function signIn(form) {
    const answer = await api("POST", "/api/v1/session", formBody(form));
    if (!answer.ok) { report(form, (answer.data && answer.data.error) || "sign-in failed", false); return; }
    const next = new URLSearchParams(location.search).get("next");
    location.href = next && next.startsWith("/ui/") ? next : "/ui/";
  }

  window.StreamWarden = { api, formBody, validate, clearErrors, showFieldError, showAnswer, submitForm, toast, report, then };
})();
