// "Ask about this passage" on the interview page: the lines ticked in the script and a question
// go to the project's ask, scoped by interview_id and line_ids; the answer streams beside the
// script with its citations linked to their lines, and can be kept as a note on those lines.
// A dropped connection re-attaches to the answer after the last event it read.

import { frames } from "./answer_stream.js";
import { api, csrfToken, reasonText, t } from "./ui.js";

const REATTACH = 3;
let page;
let notes;
let asked = null; // {id, lines} of the answer on show

const el = (id) => document.getElementById(id);

function showScope(ids) {
  el("passage-scope").textContent = ids.length
    ? t("passage.lines", { lines: ids.map((id) => `#${id}`).join(", ") })
    : t("passage.whole");
}

function addCitation(data) {
  const li = document.createElement("li");
  const link = document.createElement("a");
  const key = data.line_ids[0];
  link.href = `#line-${key}`;
  link.dataset.lines = data.line_ids.join(" ");
  const number = document.createElement("span");
  number.className = "passage-line-no";
  number.textContent = `#${key}`;
  const quote = document.createElement("span");
  quote.translate = false;
  quote.textContent = data.lines.map((line) => line.text).join(" ");
  link.append(number, " ", quote);
  li.append(link);
  el("passage-citations").append(li);
  el("passage-sources-h").hidden = false;
}

function problem(text) {
  const node = el("passage-problem");
  node.hidden = false;
  node.textContent = t("chat.failed", { reason: text });
}

/** Apply one event; answers whether the answer ended. */
function apply(event) {
  if (event.type === "message:start") {
    asked = { id: event.data.answer_id, lines: event.data.line_ids || [] };
  } else if (event.type === "token") {
    el("passage-text").textContent += event.data.text;
  } else if (event.type === "citation") {
    addCitation(event.data);
  } else if (event.type === "message:end") {
    el("passage-save").hidden = !(asked && asked.lines.length);
    return true;
  } else if (event.type === "error") {
    problem(reasonText(event.data.code, event.data.message));
    return true;
  }
  return false;
}

async function follow(response) {
  const id = response.headers.get("X-Answer-Id");
  let last = -1;
  let current = response;
  for (let attempt = 0; attempt <= REATTACH; attempt += 1) {
    try {
      for await (const event of frames(current)) {
        last = event.id;
        if (apply(event)) return;
      }
    } catch {
      // the connection dropped: re-attach below
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    current = await fetch(`/api/answers/${id}/stream`, {
      headers: { Accept: "text/event-stream", "Last-Event-ID": String(last) },
      credentials: "same-origin",
    }).catch(() => null);
    if (!current || !current.ok) break;
  }
  problem(reasonText("network", "network"));
}

async function ask(form) {
  const button = form.querySelector('button[type="submit"]');
  const question = form.elements.question.value;
  button.disabled = true;
  asked = null;
  el("passage-answer").hidden = false;
  el("passage-asked").textContent = question;
  el("passage-text").textContent = "";
  el("passage-citations").replaceChildren();
  el("passage-sources-h").hidden = true;
  el("passage-problem").hidden = true;
  const save = el("passage-save");
  save.hidden = true;
  save.disabled = false;
  save.textContent = save.dataset.label;
  el("passage-text").setAttribute("aria-busy", "true");
  try {
    const response = await fetch(`/api/projects/${page.project_id}/ask`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream", "X-CSRF-Token": csrfToken() },
      credentials: "same-origin",
      body: JSON.stringify({ question, interview_id: page.interview_id, line_ids: notes.selected() }),
    }).catch(() => null);
    if (!response) {
      problem(reasonText("network", "network"));
    } else if (!response.ok) {
      const error = (await response.json().catch(() => ({}))).error || {};
      problem(reasonText(error.code, error.message || String(response.status)));
    } else {
      await follow(response);
    }
  } finally {
    el("passage-text").removeAttribute("aria-busy");
    button.disabled = false;
  }
}

async function keep(button) {
  if (!asked) return;
  button.disabled = true;
  try {
    const { data } = await api("POST", `/api/answers/${asked.id}/note`);
    notes.added(data);
    button.textContent = t("passage.saved");
  } catch (error) {
    button.disabled = error.code === "answer_already_saved";
    problem(reasonText(error.code, error.message));
  }
}

export function start(pageData, notesModule) {
  page = pageData;
  notes = notesModule;
  const panel = el("passage");
  const form = el("passage-form");
  if (!panel || !form) return;
  panel.hidden = false;
  el("ask-passage").hidden = false;
  el("passage-save").dataset.label = el("passage-save").textContent;
  document.addEventListener("lines-selected", (event) => showScope(event.detail));
  showScope(notes.selected());
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ask(form);
  });
  el("passage-save").addEventListener("click", (event) => keep(event.currentTarget));
  el("ask-passage").addEventListener("click", (event) => {
    event.preventDefault();
    form.scrollIntoView({ behavior: "smooth", block: "center" });
    form.elements.question.focus({ preventScroll: true });
  });
}
