// The project settings page: the members list kept live from the project's event stream (people
// joining by a link appear as they join) and the typed-name check of the delete form.

import { checkSignedIn, leaveIfGone } from "./access.js";
import { ProjectStream } from "./live.js";
import { announce, api, avatar, readJson, slot, t, toast } from "./ui.js";

const page = readJson("page-data");
const list = document.getElementById("member-list");
const members = new Map(); // user id → member, as GET …/members lists them

function fill(row, m) {
  row.dataset.user = m.user_id;
  row.dataset.role = m.role;
  slot(row, "face").replaceChildren(avatar({ id: m.user_id, name: m.name, has_avatar: m.has_avatar }));
  slot(row, "name").textContent = m.name;
  slot(row, "you").hidden = m.user_id !== page.user_id;
  slot(row, "email").textContent = m.email;
  slot(row, "role").textContent = t(`role.${m.role}`);
  slot(row, "actions").hidden = m.role === "owner";
  slot(row, "remove").hidden = m.user_id === page.user_id;
  for (const node of row.querySelectorAll('[data-slot="row-name"]')) node.textContent = `: ${m.name}`;
  const base = `/projects/${page.project_id}/members/${m.user_id}`;
  for (const form of row.querySelectorAll('form[data-action="role"]')) {
    form.action = `${base}/role`;
    form.hidden = form.dataset.role === m.role;
  }
  row.querySelector('form[data-action="remove"]').action = `${base}/remove`;
}

function rowOf(userId) {
  return list.querySelector(`:scope > [data-user="${CSS.escape(userId)}"]`);
}

function put(m, fresh = false) {
  members.set(m.user_id, m);
  let row = rowOf(m.user_id);
  if (!row) {
    row = document.getElementById("member-template").content.firstElementChild.cloneNode(true);
    if (fresh) row.classList.add("is-new");
    list.append(row);
  }
  fill(row, m);
  refresh();
}

function drop(userId) {
  members.delete(userId);
  rowOf(userId)?.remove();
  refresh();
}

/** The count and the transfer choices follow the list. */
function refresh() {
  document.getElementById("member-count").textContent = String(members.size);
  const select = document.getElementById("new-owner");
  if (!select) return;
  const chosen = select.value;
  const options = [...members.values()]
    .filter((m) => m.role !== "owner")
    .map((m) => {
      const option = document.createElement("option");
      option.value = m.user_id;
      option.textContent = `${m.name} (${m.email})`;
      option.setAttribute("translate", "no");
      option.selected = m.user_id === chosen;
      return option;
    });
  select.replaceChildren(...options);
  document.getElementById("transfer-empty").hidden = options.length > 0;
}

async function snapshot() {
  // The interview list's last_seq says which event the project is at; the members read after it
  // are at least as new, and replaying later member events onto them changes nothing.
  const { data: listed } = await api("GET", `/api/projects/${page.project_id}/interviews?limit=1`);
  const { data } = await api("GET", `/api/projects/${page.project_id}/members`);
  const keep = new Set(data.items.map((m) => m.user_id));
  for (const id of [...members.keys()]) if (!keep.has(id)) drop(id);
  for (const row of [...list.children]) if (!keep.has(row.dataset.user)) row.remove();
  for (const m of data.items) put(m);
  return listed.last_seq;
}

function onEvent(msg) {
  if (leaveIfGone(msg, page)) return;
  if (msg.type === "member:added") {
    const known = members.has(msg.data.member.user_id);
    put(msg.data.member, true);
    if (!known) toast({ title: t("members.joined", { name: msg.data.member.name }) });
  } else if (msg.type === "member:role_changed") {
    const m = msg.data.member;
    put(m);
    // Our own role went down to member: this page is not ours any more (the server says so).
    if (m.user_id === page.user_id && m.role === "member") location.reload();
  } else if (msg.type === "member:removed") {
    const gone = members.get(msg.data.user_id);
    drop(msg.data.user_id);
    if (gone) announce(t("members.left", { name: gone.name }));
  } else if (msg.type === "project:updated") {
    for (const node of document.querySelectorAll('[data-slot="project-name"]')) {
      node.textContent = msg.data.project.name;
    }
    toast({ title: t("project.updated") });
  }
}

function setupDeleteCheck() {
  const form = document.getElementById("delete-form");
  if (!form) return;
  const input = form.elements.confirm_name;
  const button = form.querySelector('button[type="submit"]');
  const check = () => {
    button.disabled = input.value.trim() !== input.dataset.expected.trim();
  };
  input.addEventListener("input", check);
  check();
}

export function start() {
  for (const row of list.children) {
    members.set(row.dataset.user, { user_id: row.dataset.user, role: row.dataset.role });
  }
  setupDeleteCheck();
  const stream = new ProjectStream(page.project_id, {
    snapshot,
    event: onEvent,
    dropped: checkSignedIn,
  });
  stream.start().catch(() => {});
}
