// The chat page: a message is posted to /api/chat and each persona's answer streams in (the
// answer-stream events of docs/events.md), its citations linked to their lines as they arrive.
// A dropped connection re-attaches to the message it was reading with Last-Event-ID and then
// follows the answers after it; Stop cancels the answer being written. A shared conversation
// that someone else is writing in shows their messages live (`chat:message_added`).

import { frames } from "./answer_stream.js";
import { ProjectStream } from "./live.js";
import { csrfToken, t } from "./ui.js";

const page = JSON.parse(document.getElementById("page-data").textContent);
const list = document.getElementById("chat-messages");
const stop = document.getElementById("chat-stop");
let reading = null; // {ids, index, last} while an answer streams

function personaLabel(node, code) {
  node.replaceChildren();
  const known = page.personas[code];
  const avatar = document.createElement("span");
  avatar.className = "persona-avatar";
  avatar.setAttribute("aria-hidden", "true");
  if (known) {
    const img = document.createElement("img");
    img.src = known.picture;
    img.alt = "";
    img.width = 28;
    img.height = 28;
    avatar.append(img);
  }
  const name = document.createElement("span");
  name.className = "persona-name";
  const strong = document.createElement("strong");
  strong.textContent = code;
  strong.translate = false;
  name.append(strong, known ? ` ${known.title}` : "");
  node.append(avatar, name);
}

/** Where a message goes: a member's in the list; a persona's in the round of answers to the
 * message before it (side by side on wide screens, as the page renders them). */
function place(role) {
  if (role !== "persona") return list;
  let round = list.lastElementChild;
  if (!round || !round.classList.contains("chat-round")) {
    round = document.createElement("li");
    round.className = "chat-round";
    const answers = document.createElement("ol");
    answers.className = "chat-answers";
    round.append(answers);
    list.append(round);
  }
  return round.querySelector(".chat-answers");
}

function newMessage(role, id, code) {
  const item = document.getElementById("chat-message-template").content.firstElementChild.cloneNode(true);
  item.classList.add(`chat-${role}`);
  if (id) item.dataset.id = id;
  if (code) item.dataset.persona = code;
  const who = item.querySelector(".chat-who");
  if (role === "persona") personaLabel(who, code);
  else {
    who.classList.add("muted");
    who.textContent = t("chat.member");
  }
  place(role).append(item);
  return item;
}

function lineLink(data) {
  const a = document.createElement("a");
  a.href = `/interviews/${data.interview_id}#line-${data.line_ids[0]}`;
  return a;
}

/** The citation under its answer, and in the sources panel with the quoted lines. */
function addCitation(item, data) {
  const ol = item.querySelector(".chat-citations");
  ol.hidden = false;
  const li = document.createElement("li");
  const a = lineLink(data);
  a.textContent = `${data.title} · ${t("chat.line")} ${data.line_ids.join(", ")}`;
  li.append(a);
  ol.append(li);
  const sources = document.getElementById("chat-sources");
  if (!sources) return;
  const source = document.createElement("li");
  source.dataset.message = item.dataset.id || "";
  const link = lineLink(data);
  const who = document.createElement("span");
  who.className = "chat-source-who";
  const code = document.createElement("strong");
  code.translate = false;
  code.textContent = item.dataset.persona || "";
  who.append(code, ` · ${data.title} · ${t("chat.line")} ${data.line_ids.join(", ")}`);
  link.append(who);
  for (const line of data.lines || []) {
    const q = document.createElement("q");
    q.translate = false;
    q.textContent = line.text;
    link.append(q);
  }
  source.append(link);
  sources.append(source);
  document.getElementById("chat-sources-empty").hidden = true;
}

function render(message) {
  if (list.querySelector(`[data-id="${message.id}"]`)) return;
  const item = newMessage(message.role, message.id, message.persona_code);
  item.querySelector(".chat-text").textContent = message.content;
  for (const c of message.citations || []) addCitation(item, c);
}

/** Apply one answer event to the page; answers whether the message ended. */
function apply(event, state) {
  if (event.type === "message:start") {
    // The project stream may have shown this answer already (a shared conversation announces
    // each stored answer, and that event can overtake this slower stream): the stream's tokens
    // rewrite it in place rather than add a second copy.
    const shown = list.querySelector(`[data-id="${event.data.message_id}"]`);
    if (shown) {
      shown.querySelector(".chat-text").textContent = "";
      const cited = shown.querySelector(".chat-citations");
      cited.replaceChildren();
      cited.hidden = true;
      for (const s of document.querySelectorAll(`#chat-sources [data-message="${event.data.message_id}"]`)) s.remove();
    }
    state.item = shown || newMessage("persona", event.data.message_id, event.data.persona_code);
    state.item.setAttribute("aria-busy", "true");
  } else if (event.type === "token") {
    state.item.querySelector(".chat-text").textContent += event.data.text;
  } else if (event.type === "citation") {
    addCitation(state.item, event.data);
  } else if (event.type === "message:end" || event.type === "error") {
    if (state.item) state.item.removeAttribute("aria-busy");
    if (event.type === "error") {
      const p = document.createElement("p");
      p.className = "problem";
      p.textContent = t("chat.failed", { reason: event.data.message });
      (state.item || list).append(p);
    }
    return true;
  }
  return false;
}

async function follow(ids, response) {
  const state = { item: null };
  reading = { ids, index: 0, last: -1 };
  stop.hidden = false;
  let current = response;
  while (reading.index < ids.length) {
    try {
      for await (const event of frames(current)) {
        reading.last = event.id;
        if (apply(event, state)) {
          reading.index += 1;
          reading.last = -1;
        }
      }
      if (reading.index >= ids.length) break;
    } catch {
      // the connection dropped: re-attach below
    }
    if (reading.index >= ids.length) break;
    const id = ids[reading.index];
    if (reading.last >= 0 && state.item === null) state.item = list.querySelector(`[data-id="${id}"]`);
    await new Promise((r) => setTimeout(r, 500));
    current = await fetch(`/api/chat/messages/${id}/stream`, {
      headers: { Accept: "text/event-stream", "Last-Event-ID": String(reading.last) },
      credentials: "same-origin",
    });
    if (!current.ok) break;
  }
  reading = null;
  stop.hidden = true;
}

async function send(form, body) {
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const response = await fetch("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream", "X-CSRF-Token": csrfToken() },
      credentials: "same-origin",
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      const error = (await response.json().catch(() => ({}))).error || {};
      const url = new URL(location.href);
      url.searchParams.set("error", error.code || "http_error");
      location.assign(url);
      return;
    }
    const conversation = response.headers.get("X-Conversation-Id");
    if (!page.conversation_id) {
      // A new conversation: the page of the conversation shows it from the table.
      for await (const _ of frames(response)) {
        // read to the end so the answers are stored before the page loads
      }
      location.assign(`/projects/${page.project_id}/chat?c=${conversation}`);
      return;
    }
    newMessage("user").querySelector(".chat-text").textContent = body.message;
    form.reset();
    await follow(response.headers.get("X-Message-Ids").split(","), response);
  } finally {
    button.disabled = false;
  }
}

export function start() {
  const composer = document.getElementById("chat-composer");
  composer?.addEventListener("submit", (e) => {
    e.preventDefault();
    const data = new FormData(composer);
    send(composer, {
      conversation_id: page.conversation_id,
      message: data.get("message"),
      panel: data.get("panel") === "on",
    });
  });
  const fresh = document.getElementById("chat-new");
  fresh?.addEventListener("submit", (e) => {
    e.preventDefault();
    const data = new FormData(fresh);
    send(fresh, {
      project_id: page.project_id,
      persona_codes: data.getAll("persona_code"),
      message: data.get("message"),
      shared: data.get("shared") === "on",
      panel: data.get("panel") === "on",
    });
  });
  stop?.addEventListener("click", () => {
    if (!reading) return;
    fetch(`/api/chat/messages/${reading.ids[reading.index]}/cancel`, {
      method: "POST",
      headers: { "X-CSRF-Token": csrfToken() },
      credentials: "same-origin",
    });
  });
  if (!page.conversation_id) return;
  const stream = new ProjectStream(page.project_id, {
    snapshot: async () => {
      const r = await fetch(`/api/conversations/${page.conversation_id}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!r.ok) throw new Error(`conversation: ${r.status}`);
      const data = await r.json();
      for (const message of data.items) render(message);
      return data.last_seq;
    },
    event: (msg) => {
      if (msg.type !== "chat:message_added" || msg.data.conversation_id !== page.conversation_id) return;
      // My own messages and answers are on the page already (the answer stream brought them).
      const m = msg.data.message;
      if (m.role === "user" && m.author_id === page.user_id) return;
      // An answer this page is streaming arrives through that stream, in order.
      if (reading?.ids.includes(m.id)) return;
      render(m);
    },
  });
  stream.start();
}
