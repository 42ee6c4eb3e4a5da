// StreamWarden console, applications: the confirmation dialog of start and stop (it shows what
// GET /api/v1/apps/{id}/inspect says before anything is done), savepoints, and the bulk
// actions of the application list (POST /api/v1/apps/inspect, then /api/v1/apps/bulk or one
// enable/disable call per application). Every call goes through window.StreamWarden.api.
"use strict";
(function () {
  const SW = window.StreamWarden;
  const dialog = () => document.getElementById("confirm-dialog");
  let pending = null; // what the confirm button does: {kind: "start"|"stop", app} or {kind: "bulk", op, apps}

  // --- small DOM helpers ---
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") node.className = v;
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }
  const iso = (ms) => (ms ? new Date(ms).toISOString().replace(/\.\d+Z$/, "Z") : "—");
  const errorOf = (answer) => (answer.data && answer.data.error) || `HTTP ${answer.status}`;

  // One inspection check as a sentence.
  function describe(check) {
    if (check.check === "version") {
      return `Runs version ${check.to}; the last run ran ${check.from}.`;
    }
    if (check.check === "snapshot") {
      const when = check.completed_ms ? ` (completed ${iso(check.completed_ms)})` : "";
      return `Restores from the ${check.pinned ? "pinned" : "newest"} ${check.kind} ${check.path}${when}.`;
    }
    return JSON.stringify(check);
  }

  const snapshotOf = (checks) => (checks || []).find((c) => c.check === "snapshot");

  function checkList(checks) {
    if (!checks || !checks.length) {
      return el("p", { class: "muted" }, "Nothing to confirm: the same version as the last run (or a first start), without a restore point.");
    }
    return el("ul", { "data-checks": true }, checks.map((c) => el("li", { "data-check": c.check }, describe(c))));
  }

  // --- the dialog ---
  function setResult(text, ok) {
    const place = dialog().querySelector("[data-result]");
    place.replaceChildren();
    if (text === null) { place.className = "result"; return; }
    place.textContent = text;
    place.className = "result " + (ok === undefined ? "" : ok ? "ok" : "bad");
  }

  function openDialog(title, confirmLabel, mode) {
    const d = dialog();
    d.querySelector("[data-title]").textContent = title;
    d.querySelectorAll("[data-options]").forEach((o) => { o.hidden = o.dataset.options !== mode; });
    const confirmButton = d.querySelector("[data-testid=confirm]");
    confirmButton.textContent = confirmLabel;
    confirmButton.disabled = true; // until the checks are loaded
    d.querySelector("[data-close]").textContent = "Cancel";
    d.querySelector("[data-testid=inspect]").replaceChildren(el("p", { class: "muted" }, "Loading the checks…"));
    setResult(null);
    const results = d.querySelector("[data-results]");
    if (results) results.replaceChildren();
    if (!d.open) d.showModal();
  }

  function ready(canConfirm) {
    dialog().querySelector("[data-testid=confirm]").disabled = !canConfirm;
  }

  // --- one application: start and stop ---
  async function inspectApp() {
    const d = dialog();
    const app = pending.app;
    const versionSelect = d.querySelector("[name=version]");
    const version = versionSelect ? versionSelect.value : "";
    const query = pending.kind === "start" && version ? `?version=${encodeURIComponent(version)}` : "";
    const answer = await SW.api("GET", `/api/v1/apps/${encodeURIComponent(app)}/inspect${query}`);
    const place = d.querySelector("[data-testid=inspect]");
    if (!answer.ok) {
      place.replaceChildren(el("p", { class: "error" }, "The checks could not be read: " + errorOf(answer)));
      ready(pending.kind === "stop");
      return;
    }
    const checks = answer.data.checks || [];
    const snapshot = snapshotOf(checks);
    const noState = d.querySelector("[name=no_state]");
    let restore;
    if (pending.kind === "start" && noState && noState.checked) restore = "none: you chose to start without state";
    else if (snapshot) restore = el("span", { class: "mono" }, `${snapshot.path} (${snapshot.pinned ? "pinned " : ""}${snapshot.kind}${snapshot.completed_ms ? ", " + iso(snapshot.completed_ms) : ""})`);
    else restore = "none: starts without state";
    const facts = el("dl", { class: "facts" },
      el("dt", {}, "Application"), el("dd", {}, d.dataset.appName || app),
      el("dt", {}, "Cluster"), el("dd", {}, d.dataset.cluster || "—"));
    if (pending.kind === "start") {
      facts.append(
        el("dt", {}, "Version"), el("dd", { "data-inspect": "version" }, version || "the newest"),
        el("dt", {}, "Restore point"), el("dd", { "data-inspect": "restore" }, restore),
        el("dt", {}, "To confirm"), el("dd", {}, checkList(checks)));
    } else {
      facts.append(
        el("dt", {}, "Stop"), el("dd", { "data-inspect": "stop" }, stopBody().savepoint ? "with a savepoint, then the job finishes" : "by cancelling the job (no savepoint)"),
        el("dt", {}, "Next start"), el("dd", {}, checkList(checks)));
    }
    place.replaceChildren(facts);
    ready(true);
  }

  function startBody() {
    const d = dialog();
    const body = { allow_non_restored_state: d.querySelector("[name=allow_non_restored_state]").checked };
    const version = d.querySelector("[name=version]").value;
    if (version) body.version = version;
    if (d.querySelector("[name=no_state]").checked) body.restore = "none";
    return body;
  }

  function stopBody() {
    const d = dialog();
    const body = { savepoint: d.querySelector("[name=savepoint]").checked };
    const target = d.querySelector("[name=target_directory]").value.trim();
    if (body.savepoint && target) body.target_directory = target;
    return body;
  }

  async function confirmApp() {
    const d = dialog();
    const { kind, app } = pending;
    const confirmButton = d.querySelector("[data-testid=confirm]");
    confirmButton.disabled = true;
    setResult(kind === "start"
      ? "Starting… StreamWarden waits until the job runs (up to a minute); the page shows the run meanwhile."
      : "Stopping… this waits for the savepoint and the job's end.");
    const body = kind === "start" ? startBody() : stopBody();
    const answer = await SW.api("POST", `/api/v1/apps/${encodeURIComponent(app)}/${kind}`, body);
    if (!answer.ok) {
      setResult(`The ${kind} failed: ${errorOf(answer)}`, false);
      confirmButton.disabled = false;
      return;
    }
    const run = answer.data || {};
    if (kind === "start") {
      setResult(`Started ${run.version}: job ${run.jid} is ${run.status}${run.restore_path ? `, restored from ${run.restore_path}` : ", without state"}.`, true);
    } else {
      setResult(`Stopped${run.savepoint_path ? `; savepoint at ${run.savepoint_path}` : ""}.`, true);
    }
    d.querySelector("[data-close]").textContent = "Close";
  }

  async function savepoint(button) {
    const holder = button.closest("[data-result-holder]");
    const name = (button.closest("[data-app-name]") || {}).dataset?.appName || "the application";
    if (!confirm(`Take a savepoint of ${name} now? The job keeps running.`)) return;
    button.disabled = true;
    SW.report(holder, "Taking a savepoint…", true);
    const answer = await SW.api("POST", `/api/v1/apps/${encodeURIComponent(button.dataset.app)}/savepoint`, {});
    button.disabled = false;
    if (answer.ok) SW.report(holder, `Savepoint taken: ${answer.data.savepoint}`, true);
    else SW.report(holder, "The savepoint failed: " + errorOf(answer), false);
  }

  // --- the application list: selection and bulk actions ---
  const selected = new Set();
  const BULK = {
    start: { verb: "Start", api: "bulk" },
    stop_with_savepoint: { verb: "Stop with a savepoint", api: "bulk" },
    enable: { verb: "Enable", api: "each" },
    disable: { verb: "Disable", api: "each" },
  };

  function nameOf(id) {
    const row = document.querySelector(`tr[data-app-id="${CSS.escape(id)}"]`);
    return row ? row.dataset.appName : id;
  }

  // Re-applies the selection to the (possibly refreshed) table and updates the bulk bar.
  function syncSelection() {
    const boxes = [...document.querySelectorAll("input[name=app]")];
    boxes.forEach((b) => { b.checked = selected.has(b.value); });
    const all = document.querySelector("[data-select-all]");
    if (all) all.checked = boxes.length > 0 && boxes.every((b) => b.checked);
    const count = document.querySelector("[data-selected-count]");
    if (count) count.textContent = selected.size ? `${selected.size} selected` : "No application selected";
    document.querySelectorAll("button[data-bulk]").forEach((b) => { b.disabled = selected.size === 0; });
  }

  async function openBulk(op) {
    const apps = [...selected];
    pending = { kind: "bulk", op, apps };
    const what = BULK[op];
    openDialog(`${what.verb} ${apps.length} application${apps.length === 1 ? "" : "s"}?`, what.verb, "bulk");
    const answer = await SW.api("POST", "/api/v1/apps/inspect", { apps });
    const place = dialog().querySelector("[data-testid=inspect]");
    if (!answer.ok) {
      place.replaceChildren(el("p", { class: "error" }, "The checks could not be read: " + errorOf(answer)));
      ready(true);
      return;
    }
    place.replaceChildren(el("table", { "data-inspect": "bulk" },
      el("thead", {}, el("tr", {}, el("th", {}, "Application"), el("th", {}, op === "start" ? "The start will" : "Checks of a start"))),
      el("tbody", {}, answer.data.map((r) => el("tr", { "data-app-id": r.app_id },
        el("td", {}, nameOf(r.app_id)),
        el("td", {}, r.error ? el("span", { class: "error" }, r.error) : checkList(r.checks)))))));
    ready(true);
  }

  async function confirmBulk() {
    const { op, apps } = pending;
    const confirmButton = dialog().querySelector("[data-testid=confirm]");
    confirmButton.disabled = true;
    setResult(`Working on ${apps.length} application${apps.length === 1 ? "" : "s"}…`);
    let results;
    if (BULK[op].api === "bulk") {
      const answer = await SW.api("POST", "/api/v1/apps/bulk", { op, apps });
      if (!answer.ok) {
        setResult(`${BULK[op].verb} failed: ${errorOf(answer)}`, false);
        confirmButton.disabled = false;
        return;
      }
      results = answer.data;
    } else {
      results = await Promise.all(apps.map(async (id) => {
        const answer = await SW.api("POST", `/api/v1/apps/${encodeURIComponent(id)}/${op}`);
        return { app_id: id, ok: answer.ok, error: answer.ok ? null : errorOf(answer) };
      }));
    }
    const failed = results.filter((r) => !r.ok).length;
    setResult(failed ? `${results.length - failed} done, ${failed} failed.` : `All ${results.length} done.`, failed === 0);
    dialog().querySelector("[data-results]").replaceChildren(el("table", { "data-testid": "bulk-results" },
      el("thead", {}, el("tr", {}, el("th", {}, "Application"), el("th", {}, "Result"), el("th", {}, "Details"))),
      el("tbody", {}, results.map((r) => el("tr", { "data-app-id": r.app_id, "data-ok": String(r.ok) },
        el("td", {}, nameOf(r.app_id)),
        el("td", {}, el("span", { class: "badge " + (r.ok ? "good" : "bad") }, r.ok ? "ok" : "failed")),
        el("td", { class: "small" },
          r.job_id ? el("div", {}, "job ", el("a", { class: "mono", href: `/ui/apps/${encodeURIComponent(r.app_id)}` }, r.job_id)) : null,
          r.savepoint ? el("div", { class: "mono" }, "savepoint " + r.savepoint) : null,
          r.error ? el("div", { class: "error" }, r.error) : null))))));
    dialog().querySelector("[data-close]").textContent = "Close";
  }

  // --- wiring ---
  document.addEventListener("click", (event) => {
    const target = event.target;
    const action = target.closest("button[data-action]");
    if (action) {
      event.preventDefault();
      if (action.dataset.action === "savepoint") { savepoint(action); return; }
      const kind = action.dataset.action; // start | stop
      pending = { kind, app: action.dataset.app };
      const name = dialog().dataset.appName || "the application";
      openDialog(kind === "start" ? `Start ${name}?` : `Stop ${name}?`, kind === "start" ? "Start" : "Stop", kind);
      inspectApp();
      return;
    }
    const bulk = target.closest("button[data-bulk]");
    if (bulk) { event.preventDefault(); openBulk(bulk.dataset.bulk); return; }
    if (target.closest("#confirm-dialog [data-close]")) { dialog().close(); return; }
    if (target.closest("#confirm-dialog [data-testid=confirm]") && pending) {
      if (pending.kind === "bulk") confirmBulk(); else confirmApp();
    }
  });

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (target.matches("input[name=app]")) {
      if (target.checked) selected.add(target.value); else selected.delete(target.value);
      syncSelection();
    } else if (target.matches("[data-select-all]")) {
      document.querySelectorAll("input[name=app]").forEach((b) => {
        if (target.checked) selected.add(b.value); else selected.delete(b.value);
      });
      syncSelection();
    } else if (target.closest("#confirm-dialog [data-options]") && pending && pending.kind !== "bulk") {
      setResult(null);
      inspectApp(); // another version, no state, savepoint or not: show what that means
    }
  });

  // The list is refreshed every few seconds: keep what the user selected.
  document.addEventListener("htmx:afterSettle", syncSelection);

  document.addEventListener("DOMContentLoaded", syncSelection);
})();
