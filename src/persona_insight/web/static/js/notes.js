// Notes on script lines: select lines, write a note, reply, edit or delete your own — and see
// everyone else's notes arrive live (`note:*` events carry the whole note, like interviews).

import { api, hue, initials, reasonText, slot, t, tn, toast } from "./ui.js";

const notes = new Map();
let page;
let highlightLines = () => {};

const listNode = () => document.getElementById("notes-list");

function order(a, b) {
  return a.created_at === b.created_at ? (a.id < b.id ? -1 : 1) : a.created_at < b.created_at ? -1 : 1;
}

function localTime(iso) {
  return new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    dateStyle: "medium",
    timeStyle: "short",
  }).format(new Date(iso));
}

function fill(node, note) {
  node.id = `note-${note.id}`;
  node.dataset.id = note.id;
  node.classList.toggle("note-reply", Boolean(note.parent_id));
  const mine = note.author && note.author.id === page.user_id;
  const face = slot(node, "avatar");
  face.className = `avatar avatar-small${note.author ? ` hue-${hue(note.author.id)}` : ""}`;
  face.textContent = note.author ? initials(note.author.name) : "";
  slot(node, "author").textContent = note.author ? note.author.name : t("notes.deleted_account");
  const time = slot(node, "time");
  time.dateTime = note.created_at;
  time.textContent = localTime(note.created_at);
  slot(node, "edited").hidden = note.updated_at <= note.created_at;
  const lines = slot(node, "lines");
  lines.hidden = Boolean(note.parent_id);
  lines.replaceChildren(
    ...(note.parent_id
      ? []
      : note.line_ids.map((id) => {
          const link = document.createElement("a");
          link.href = `#line-${keyOf(id)}`;
          link.dataset.line = String(keyOf(id));
          link.textContent = `#${keyOf(id)}`;
          link.setAttribute("aria-label", t("notes.line", { id: keyOf(id) }));
          return link;
        })),
  );
  slot(node, "text").textContent = note.text;
  const reply = slot(node, "reply");
  reply.hidden = Boolean(note.parent_id);
  reply.querySelector('input[name="parent_id"]').value = note.id;
  const replyText = reply.querySelector("textarea");
  replyText.id = `reply-${note.id}`;
  reply.querySelector("label").htmlFor = replyText.id;
  const edit = slot(node, "edit");
  edit.hidden = !mine;
  edit.querySelector("form").action = `/notes/${note.id}/edit`;
  const editText = edit.querySelector("textarea");
  editText.id = `edit-${note.id}`;
  edit.querySelector("label").htmlFor = editText.id;
  if (!edit.open) editText.value = note.text;
  const remove = slot(node, "delete");
  remove.hidden = !(mine || page.can_admin);
  remove.querySelector("form").action = `/notes/${note.id}/delete`;
  node.note = note;
}

function keyOf(lineId) {
  const line = document.querySelector(`.line[data-ids~="${lineId}"]`);
  return line ? Number(line.dataset.key) : lineId;
}

function insertSorted(container, node, note) {
  const after = [...container.children].find((other) => other.note && order(note, other.note) < 0);
  container.insertBefore(node, after || null);
}

function upsert(note, fresh = false) {
  notes.set(note.id, note);
  let node = document.getElementById(`note-${note.id}`);
  if (node) {
    fill(node, note);
  } else {
    node = document.getElementById("note-template").content.firstElementChild.cloneNode(true);
    fill(node, note);
    if (fresh) node.classList.add("is-new");
    const parent = note.parent_id && document.getElementById(`note-${note.parent_id}`);
    if (note.parent_id && !parent) return; // its thread is gone (deleted meanwhile)
    insertSorted(parent ? slot(parent, "replies") : listNode(), node, note);
  }
  refresh();
}

function remove(noteId) {
  for (const [id, note] of notes) {
    if (id === noteId || note.parent_id === noteId) notes.delete(id);
  }
  document.getElementById(`note-${noteId}`)?.remove();
  refresh();
}

/** Counts in the panel and on the lines of the script. */
function refresh() {
  const roots = [...notes.values()].filter((n) => !n.parent_id);
  document.getElementById("notes-count").textContent = String(roots.length);
  document.getElementById("notes-empty").hidden = roots.length > 0;
  const perLine = new Map();
  for (const note of roots) {
    for (const id of note.line_ids) perLine.set(keyOf(id), (perLine.get(keyOf(id)) || 0) + 1);
  }
  for (const line of document.querySelectorAll(".line")) {
    const badge = slot(line, "notes");
    const n = perLine.get(Number(line.dataset.key)) || 0;
    badge.hidden = n === 0;
    badge.textContent = tn("notes.count", n);
  }
}

export function replaceAll(items) {
  const keep = new Set(items.map((n) => n.id));
  for (const node of [...document.querySelectorAll("#notes-list .note")]) {
    if (!keep.has(node.dataset.id)) node.remove();
  }
  notes.clear();
  const sorted = [...items].sort(order);
  for (const note of sorted.filter((n) => !n.parent_id)) upsert(note);
  for (const note of sorted.filter((n) => n.parent_id)) upsert(note);
  refresh();
}

/** A note this page made through another API (an answer kept as a note). */
export function added(note) {
  upsert(note, true);
}

export function applyEvent(msg) {
  const { note } = msg.data;
  if (msg.data.interview_id !== page.interview_id) return;
  if (msg.type === "note:deleted") {
    remove(note.id);
    return;
  }
  const fresh = msg.type === "note:added" && !notes.has(note.id);
  upsert(note, fresh);
  if (fresh && note.author && note.author.id !== page.user_id) {
    const said = note.parent_id ? "toast.note_replied" : "toast.note_added";
    toast({ title: t(said, { name: note.author.name }), body: note.text.slice(0, 120) });
  }
}

// --- selection and forms -----------------------------------------------------------------------

export function selected() {
  return [...document.querySelectorAll(".line-select:checked")].map((box) => Number(box.value));
}

function showSelection() {
  const ids = selected();
  const label = document.getElementById("selection");
  label.dataset.count = String(ids.length);
  label.textContent = ids.length
    ? `${tn("notes.selected", ids.length)}: ${ids.map((id) => `#${id}`).join(", ")}`
    : t("notes.none_selected");
  document.getElementById("clear-selection").hidden = ids.length === 0;
  const bar = document.getElementById("selection-bar");
  bar.hidden = ids.length === 0;
  bar.querySelector('[data-slot="count"]').textContent = tn("notes.selected", ids.length);
  document.dispatchEvent(new CustomEvent("lines-selected", { detail: ids }));
}

function fail(error) {
  toast({ title: t("toast.error", { reason: reasonText(error.code, error.message) }), kind: "error" });
}

async function submitNew(form) {
  const { data } = await api("POST", `/api/interviews/${page.interview_id}/notes`, {
    text: form.elements.text.value,
    line_ids: selected(),
  });
  upsert(data, true);
  form.reset();
  for (const box of document.querySelectorAll(".line-select:checked")) box.checked = false;
  showSelection();
}

async function submitNoteForm(form) {
  const node = form.closest(".note");
  const id = node.dataset.id;
  const action = form.dataset.action;
  if (action === "reply") {
    const { data } = await api("POST", `/api/interviews/${page.interview_id}/notes`, {
      text: form.elements.text.value,
      parent_id: id,
    });
    upsert(data, true);
    form.reset();
    form.closest("details").open = false;
  } else if (action === "edit") {
    const { data } = await api("PATCH", `/api/notes/${id}`, { text: form.elements.text.value });
    form.closest("details").open = false;
    upsert(data);
  } else if (action === "delete-note") {
    await api("DELETE", `/api/notes/${id}`);
    remove(id);
  }
}

export function start(pageData, highlight) {
  page = pageData;
  highlightLines = highlight;
  const form = document.getElementById("note-form");
  for (const node of document.querySelectorAll("#notes-list .note")) {
    node.note = { id: node.dataset.id, created_at: node.querySelector("time").dateTime };
  }
  document.getElementById("script").addEventListener("change", (event) => {
    if (event.target.matches(".line-select")) showSelection();
  });
  document.getElementById("write-note").addEventListener("click", (event) => {
    event.preventDefault();
    form.scrollIntoView({ behavior: "smooth", block: "center" });
    form.elements.text.focus({ preventScroll: true });
  });
  document.getElementById("clear-selection").addEventListener("click", () => {
    for (const box of document.querySelectorAll(".line-select:checked")) box.checked = false;
    showSelection();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!selected().length) {
      fail({ code: "invalid_line_ids" });
      return;
    }
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      await submitNew(form);
    } catch (error) {
      fail(error);
    } finally {
      button.disabled = false;
    }
  });
  listNode().addEventListener("submit", async (event) => {
    const noteForm = event.target.closest("form[data-action]");
    if (!noteForm) return;
    event.preventDefault();
    const button = noteForm.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      await submitNoteForm(noteForm);
    } catch (error) {
      fail(error);
    } finally {
      button.disabled = false;
    }
  });
  // A line's note badge shows the notes on it; a note's line links show the lines.
  document.getElementById("script").addEventListener("click", (event) => {
    const badge = event.target.closest(".line-notes");
    if (!badge) return;
    event.preventDefault();
    const key = Number(badge.closest(".line").dataset.key);
    const found = [...document.querySelectorAll("#notes-list > .note")].filter((node) =>
      node.note?.line_ids?.some((id) => keyOf(id) === key),
    );
    for (const node of document.querySelectorAll(".note.is-highlighted")) node.classList.remove("is-highlighted");
    for (const node of found) node.classList.add("is-highlighted");
    found[0]?.scrollIntoView({ behavior: "smooth", block: "center" });
    found[0]?.querySelector("summary, a, button")?.focus({ preventScroll: true });
  });
  listNode().addEventListener("click", (event) => {
    const link = event.target.closest("a[data-line]");
    if (!link) return;
    event.preventDefault();
    highlightLines([Number(link.dataset.line)]);
  });
  showSelection();
}
