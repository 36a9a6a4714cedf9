// The real-time debugger: re-reads GET /api/admin/realtime every few seconds while the box is
// ticked and the tab is visible (connections are not events, so there is no stream for them).

import { api, slot, t } from "./ui.js";

const PERIOD_MS = 5000;

function cell(text, code = false) {
  const td = document.createElement("td");
  if (code) {
    const node = document.createElement("code");
    node.textContent = text;
    td.append(node);
  } else {
    td.textContent = text;
  }
  return td;
}

function rows(body, records, columns) {
  body.replaceChildren(
    ...records.map((record) => {
      const tr = document.createElement("tr");
      for (const [value, code] of columns(record)) tr.append(cell(String(value ?? "—"), code));
      return tr;
    }),
  );
}

function show(data) {
  const root = document.getElementById("debugger");
  const here = data.this_process || { projects: [], recent_events: [] };
  if (slot(root, "process")) {
    slot(root, "process").textContent = here.process;
    slot(root, "connections").textContent = String(here.connections);
  }
  rows(slot(root, "projects"), here.projects, (p) => [
    [p.project_id, true],
    [p.connections],
    [p.users.join(", ")],
    [p.read_position],
  ]);
  const latency = data.client_latency;
  if (latency) {
    rows(slot(root, "latency"), [latency], (l) => [
      [l.count],
      [l.p50_ms],
      [l.p90_ms],
      [l.p99_ms],
      [l.max_ms],
    ]);
  }
  rows(slot(root, "processes"), data.all_processes, (r) => [
    [r.process, true],
    [r.project_id, true],
    [r.users],
    [r.connections],
  ]);
  const format = new Intl.DateTimeFormat(document.documentElement.lang, { timeStyle: "medium" });
  rows(slot(root, "events"), here.recent_events, (e) => [
    [format.format(new Date(e.ts))],
    [e.type, true],
    [e.project_id, true],
    [e.seq],
    [e.subscribers],
  ]);
  document.getElementById("updated").textContent = t("admin.updated", {
    time: format.format(new Date()),
  });
}

async function refresh() {
  try {
    const { data } = await api("GET", "/api/admin/realtime");
    show(data);
  } catch {
    // The next round tries again; the page keeps the last data it had.
  }
}

export function start() {
  const auto = document.getElementById("auto-refresh");
  document.getElementById("refresh").addEventListener("click", (event) => {
    event.preventDefault();
    refresh();
  });
  setInterval(() => {
    if (auto.checked && document.visibilityState === "visible") refresh();
  }, PERIOD_MS);
  refresh();
}
