// The project workspace: the interview list and the trash, kept live from the event stream.
// Each interview event carries the whole interview; we replace our copy with it, or move it to
// the trash when `deleted_at` is set (docs/events.md), so the list always equals a fresh load.

import { checkSignedIn, explainStop, leaveIfGone } from "./access.js";
import { applyListTools, setupListTools } from "./list_tools.js";
import { ProjectStream } from "./live.js";
import { setupUploads } from "./upload.js";
import {
  announce,
  api,
  avatar,
  duration,
  formatDate,
  readJson,
  reasonText,
  slot,
  t,
  toast,
} from "./ui.js";

const page = readJson("page-data");
const listNode = document.getElementById("interviews");
const trashNode = document.getElementById("trash-list");
const active = new Map();
const trashed = new Map();
const watchers = new Set();
const withPicture = new Set(page.avatars || []); // members whose avatar is a picture
let presence = { users: [] };
let clockOffset = 0; // server time minus ours, so elapsed times do not depend on our clock

function onInterview(callback) {
  watchers.add(callback);
}

function sortKey(interview) {
  return `${interview.created_at}|${interview.id}`;
}

function fillRow(row, iv) {
  row.dataset.id = iv.id;
  row.dataset.status = iv.status;
  row.dataset.created = iv.created_at;
  const title = slot(row, "title");
  title.textContent = iv.title;
  // Buttons say which interview they act on, for screen readers ("Delete: <title>").
  for (const node of row.querySelectorAll('[data-slot="row-name"]')) node.textContent = `: ${iv.title}`;
  title.href = `/interviews/${iv.id}`;
  // Every row has a date: the interview's own, else the day it was uploaded (said so).
  const dated = iv.interview_date && iv.interview_date_source !== "upload";
  slot(row, "date").textContent = dated
    ? formatDate(iv.interview_date)
    : iv.created_at
      ? t("list.uploaded", { date: formatDate(iv.created_at.slice(0, 10)) })
      : "";
  slot(row, "source").textContent = iv.file ? iv.file.name : t("upload.pasted");
  const badge = slot(row, "status");
  badge.dataset.status = iv.status;
  badge.textContent = t(`status.${iv.status}`);
  const error = slot(row, "error");
  const failed = iv.status === "failed" && !iv.deleted_at;
  error.hidden = !failed;
  error.textContent = failed && iv.error ? reasonText(iv.error.code, iv.error.message) : "";
  const counts = slot(row, "counts");
  counts.hidden = iv.status !== "completed";
  slot(row, "pains").textContent = t("count.pain_points", { n: iv.pain_point_count ?? 0 });
  slot(row, "needs").textContent = t("count.needs", { n: iv.need_count ?? 0 });
  for (const form of row.querySelectorAll("form[data-action]")) {
    form.action = `/interviews/${iv.id}/${form.dataset.action}`;
    if (form.dataset.action === "retry") form.hidden = iv.status !== "failed";
  }
  row.interview = iv;
  tickRow(row);
}

function tickRow(row) {
  const iv = row.interview;
  const node = slot(row, "elapsed");
  if (!iv || !node) return;
  const now = Date.now() + clockOffset;
  if (iv.status === "processing" || iv.status === "analyzing") {
    node.textContent = t("elapsed.running", { time: duration(now - Date.parse(iv.status_changed_at)) });
  } else if (iv.status === "completed" && iv.completed_at) {
    node.textContent = t("elapsed.took", {
      time: duration(Date.parse(iv.completed_at) - Date.parse(iv.created_at)),
    });
  } else {
    node.textContent = "";
  }
}

function newRow(templateId) {
  return document.getElementById(templateId).content.firstElementChild.cloneNode(true);
}

/** Put the interview's row in the list in created-at order (newest first), updating in place. */
function place(container, templateId, iv, fresh) {
  let row = container.querySelector(`:scope > [data-id="${iv.id}"]`);
  if (row) {
    fillRow(row, iv);
    return;
  }
  row = newRow(templateId);
  fillRow(row, iv);
  if (fresh) row.classList.add("is-new");
  const key = sortKey(iv);
  const before = [...container.children].find(
    (other) => other.interview && sortKey(other.interview) < key,
  );
  container.insertBefore(row, before || null);
}

function drop(container, id) {
  container.querySelector(`:scope > [data-id="${id}"]`)?.remove();
}

function refreshCounts() {
  document.getElementById("count").textContent = String(active.size);
  document.getElementById("trash-count").textContent = String(trashed.size);
  document.getElementById("empty").hidden = active.size > 0;
  document.getElementById("trash-empty").hidden = trashed.size > 0;
  applyListTools(); // a changed or new row takes the chosen order and filter
}

/** Apply one interview as the server has it now. */
function put(iv, fresh = false) {
  if (iv.deleted_at) {
    active.delete(iv.id);
    drop(listNode, iv.id);
    trashed.set(iv.id, iv);
    place(trashNode, "trash-row-template", iv, false);
  } else {
    const before = active.get(iv.id);
    if (before && before.status && before.status !== iv.status) {
      announce(`${iv.title}: ${t(`status.${iv.status}`)}`);
    }
    trashed.delete(iv.id);
    drop(trashNode, iv.id);
    active.set(iv.id, iv);
    place(listNode, "row-template", iv, fresh);
  }
  refreshCounts();
  for (const watcher of watchers) watcher(iv);
}

/** Replace everything with a snapshot (first load, or after sync:reset). */
function replaceAll(items, trash) {
  const keep = new Set([...items, ...trash].map((iv) => iv.id));
  for (const container of [listNode, trashNode]) {
    for (const row of [...container.children]) {
      if (!keep.has(row.dataset.id)) row.remove();
    }
  }
  active.clear();
  trashed.clear();
  for (const iv of trash) put(iv);
  for (const iv of items) put(iv);
  refreshCounts();
}

async function loadAll(url) {
  // Pages of 200; the first page's last_seq is where the stream starts (later pages can only
  // be newer, and replayed events are idempotent replacements).
  const first = await api("GET", `${url}?limit=200`);
  const items = [...first.data.items];
  let cursor = first.data.next_cursor;
  while (cursor) {
    const next = await api("GET", `${url}?limit=200&cursor=${encodeURIComponent(cursor)}`);
    items.push(...next.data.items);
    cursor = next.data.next_cursor;
  }
  const serverDate = Date.parse(first.response.headers.get("date") || "");
  if (!Number.isNaN(serverDate)) clockOffset = serverDate - Date.now();
  return { items, lastSeq: first.data.last_seq };
}

async function snapshot() {
  const base = `/api/projects/${page.project_id}`;
  const list = await loadAll(`${base}/interviews`);
  const trash = await loadAll(`${base}/trash`);
  replaceAll(list.items, trash.items);
  return list.lastSeq;
}

// --- events → toasts ---------------------------------------------------------------------------

async function retry(id, toastNode) {
  try {
    const { data } = await api("POST", `/api/interviews/${id}/retry`);
    put(data);
    toastNode?.remove();
  } catch (error) {
    toast({ title: t("toast.error", { reason: reasonText(error.code, error.message) }), kind: "error" });
  }
}

function notify(msg) {
  const iv = msg.data.interview;
  if (msg.type === "interview:added" && iv.created_by !== page.user_id) {
    toast({ title: t("toast.added"), body: iv.title, kind: "info" });
  } else if (msg.type === "interview:completed") {
    toast({
      title: t("toast.completed"),
      body: iv.title,
      kind: "success",
      actions: [{ label: t("action.view"), href: `/interviews/${iv.id}` }],
    });
  } else if (msg.type === "interview:failed") {
    const error = msg.data.error || iv.error || {};
    toast({
      title: t("toast.failed"),
      body: `${iv.title} — ${reasonText(error.code, error.message)}`,
      kind: "error",
      actions: [{ label: t("action.retry"), primary: true, onClick: (node) => retry(iv.id, node) }],
    });
  }
}

// Restores asked for on this page: their event needs no second toast.
const restoredHere = new Set();
const UNDO_MS = 10_000;

/** Moved to the trash from here: the toast offers Undo (a restore) for a few seconds. */
function offerUndo(iv) {
  const node = toast({
    title: t("toast.deleted"),
    body: iv.title,
    actions: [{ label: t("action.undo"), primary: true, onClick: (item) => undo(iv.id, item) }],
  });
  setTimeout(() => node?.remove(), UNDO_MS);
}

async function undo(id, node) {
  node?.remove();
  try {
    restoredHere.add(id);
    const { data } = await api("POST", `/api/interviews/${id}/restore`);
    put(data);
    toast({ title: t("toast.restored"), body: data.title });
  } catch (error) {
    restoredHere.delete(id);
    toast({ title: t("toast.error", { reason: reasonText(error.code, error.message) }), kind: "error" });
  }
}

/** Another member trashed or restored an interview: say so, with the way back. */
function notifyTrash(msg) {
  const iv = msg.data.interview;
  if (msg.type === "interview:deleted" && iv.deleted_by && iv.deleted_by !== page.user_id) {
    toast({
      title: t("toast.deleted_by_other"),
      body: iv.title,
      actions: [{ label: t("action.restore"), onClick: (item) => undo(iv.id, item) }],
    });
  } else if (msg.type === "interview:restored" && !restoredHere.delete(iv.id)) {
    toast({ title: t("toast.restored_by_other"), body: iv.title });
  }
}

/** Gone for good (a company admin emptied it from the trash). */
function forget(id) {
  active.delete(id);
  trashed.delete(id);
  drop(listNode, id);
  drop(trashNode, id);
  refreshCounts();
}

/** The project's own events: its settings, its members (for their pictures), its end. */
function onProjectEvent(msg) {
  if (leaveIfGone(msg, page)) return;
  if (msg.type === "project:updated") {
    const { name, description } = msg.data.project;
    document.getElementById("project-name").textContent = name;
    const about = document.getElementById("project-description");
    about.textContent = description;
    about.hidden = !description;
    document.querySelector('.crumbs [aria-current="page"]').textContent = name;
    document.title = `${name} · Persona Insight`;
  } else if (msg.type === "member:added" || msg.type === "member:role_changed") {
    const member = msg.data.member;
    if (member.has_avatar) withPicture.add(member.user_id);
    else withPicture.delete(member.user_id);
    showPresence(presence);
  }
}

function onEvent(msg) {
  if (!msg.type.startsWith("interview:")) {
    onProjectEvent(msg);
    return;
  }
  if (msg.type === "interview:purged") {
    forget(msg.data.interview_id);
    return;
  }
  put(msg.data.interview, msg.type === "interview:added");
  notify(msg);
  notifyTrash(msg);
}

// --- presence and connection -------------------------------------------------------------------

function showPresence(data) {
  presence = data;
  const list = document.getElementById("presence");
  list.replaceChildren();
  for (const user of data.users) {
    const label = user.id === page.user_id ? t("presence.you", { name: user.name }) : user.name;
    const item = document.createElement("li");
    const face = avatar({ ...user, has_avatar: withPicture.has(user.id) });
    face.removeAttribute("aria-hidden");
    if (face.tagName === "IMG") {
      face.alt = label;
    } else {
      face.setAttribute("role", "img");
      face.setAttribute("aria-label", label);
    }
    face.title = label;
    item.append(face);
    list.append(item);
  }
}

function showState(name) {
  const node = document.getElementById("conn");
  node.hidden = false;
  node.dataset.state = name;
  slot(node, "label").textContent = t(`conn.${name}`);
}

// --- forms in rows (trash, restore, retry) without leaving the page ---------------------------

function interceptRowForms() {
  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form[data-action]");
    const row = form?.closest("[data-id]");
    if (!form || !row) return;
    event.preventDefault();
    const id = row.dataset.id;
    const action = form.dataset.action;
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      if (action === "purge") {
        await api("DELETE", `/api/interviews/${id}/permanent`);
        forget(id);
        toast({ title: t("toast.purged"), body: row.interview?.title || "" });
        return;
      }
      const request =
        action === "delete"
          ? api("DELETE", `/api/interviews/${id}`)
          : api("POST", `/api/interviews/${id}/${action}`);
      const { data } = await request;
      put(data);
      if (action === "restore") restoredHere.add(id);
      if (action === "delete") offerUndo(data);
      if (action === "restore") toast({ title: t("toast.restored"), body: data.title });
    } catch (error) {
      toast({ title: t("toast.error", { reason: reasonText(error.code, error.message) }), kind: "error" });
    } finally {
      button.disabled = false;
    }
  });
}

export function start() {
  for (const row of document.querySelectorAll("#interviews > [data-id], #trash-list > [data-id]")) {
    row.interview = { id: row.dataset.id, created_at: row.dataset.created, status: row.dataset.status };
  }
  interceptRowForms();
  setupListTools(listNode);
  setupUploads(page, onInterview, (id) => active.get(id) || trashed.get(id) || null);
  const stream = new ProjectStream(page.project_id, {
    snapshot,
    event: onEvent,
    presence: showPresence,
    state: showState,
    reset: () => toast({ title: t("toast.reset") }),
    dropped: checkSignedIn,
    stopped: explainStop,
  });
  stream.start().catch((error) => {
    showState("offline");
    toast({ title: t("toast.error", { reason: reasonText(error.code, error.message) }), kind: "error" });
  });
  setInterval(() => {
    for (const row of listNode.children) tickRow(row);
  }, 1000);
}
