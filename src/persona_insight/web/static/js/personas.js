// The persona pages, live. Persona events carry ids, not what the page shows (docs/events.md:
// `persona:updated`, `persona:profile_updated`, `interview:updated` on reassignment), so the page
// is its own snapshot: it reads its own address again and swaps the part marked `data-live`,
// drawn by the same templates as the first time. The page says which event it is current at
// (`last_seq` in #page-data), which is how the stream resumes without gaps or repeats.

import { frames } from "./answer_stream.js";
import { ProjectStream } from "./live.js";
import { csrfToken, localTimes, reasonText, t } from "./ui.js";

const page = JSON.parse(document.getElementById("page-data").textContent);
// A burst of events (a re-match moves many interviews) is read once, after it settles.
const SETTLE_MS = 300;
// Interview changes that move a persona's share, interviews or trend.
const MOVES = ["persona_code", "placements", "title", "interview_date"];
const ALWAYS = new Set([
  "persona:updated",
  "persona:profile_updated",
  "interview:completed",
  "interview:deleted",
  "interview:restored",
  "insights:updated",
]);

let served = true; // the first snapshot is the page as served
let timer = null;
let stream = null;

function concerns(msg) {
  if (ALWAYS.has(msg.type)) return true;
  if (msg.type !== "interview:updated") return false;
  const changes = msg.data?.changes || [];
  return changes.some((c) => MOVES.includes(c));
}

async function snapshot() {
  if (served) {
    served = false;
    return page.last_seq;
  }
  const r = await fetch(location.href, {
    headers: { Accept: "text/html" },
    credentials: "same-origin",
    cache: "no-store",
  });
  if (r.status === 404) {
    // The persona went with a framework edit: the page itself says so.
    location.reload();
    return page.last_seq;
  }
  if (!r.ok) throw new Error(`personas: ${r.status}`);
  const fresh = new DOMParser().parseFromString(await r.text(), "text/html");
  const live = document.querySelector("[data-live]");
  const drawn = fresh.querySelector("[data-live]");
  if (live && drawn) {
    live.replaceChildren(...[...drawn.childNodes].map((n) => document.importNode(n, true)));
    localTimes(live);
  }
  const seq = JSON.parse(fresh.getElementById("page-data").textContent).last_seq;
  document.body.dataset.liveSeq = String(seq);
  return seq;
}

function setConn(state) {
  const conn = document.getElementById("conn");
  if (!conn) return;
  conn.hidden = false;
  conn.dataset.state = state;
  conn.querySelector('[data-slot="label"]').textContent = t(`conn.${state}`);
}

const el = (id) => document.getElementById(id);

function explainProblem(text) {
  const node = el("fit-explain-problem");
  node.hidden = false;
  node.textContent = t("chat.failed", { reason: text });
}

function addSource(data) {
  const li = document.createElement("li");
  const quote = document.createElement("blockquote");
  quote.translate = false;
  quote.textContent = data.lines.map((line) => line.text).join(" ");
  const link = document.createElement("a");
  link.href = `/interviews/${data.interview_id}#line-${data.line_ids[0]}`;
  link.textContent = `${data.title} · #${data.line_ids.join(", #")}`;
  li.append(quote, " ", link);
  el("fit-explain-sources").append(li);
}

// "Which persona fits?" explained by the company's engine: the answer streams in as an ask does.
async function explain(box) {
  const button = el("fit-explain-go");
  button.disabled = true;
  el("fit-explain-out").hidden = false;
  el("fit-explain-text").textContent = "";
  el("fit-explain-sources").replaceChildren();
  el("fit-explain-problem").hidden = true;
  el("fit-explain-text").setAttribute("aria-busy", "true");
  try {
    const response = await fetch(`/api/projects/${page.project_id}/personas/fit/explain`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream", "X-CSRF-Token": csrfToken() },
      credentials: "same-origin",
      body: JSON.stringify({ question: box.dataset.question }),
    }).catch(() => null);
    if (!response) {
      explainProblem(reasonText("network", "network"));
      return;
    }
    if (!response.ok) {
      const error = (await response.json().catch(() => ({}))).error || {};
      explainProblem(reasonText(error.code, error.message || String(response.status)));
      return;
    }
    for await (const event of frames(response)) {
      if (event.type === "token") el("fit-explain-text").textContent += event.data.text;
      else if (event.type === "citation" && event.data.interview_id) addSource(event.data);
      else if (event.type === "error") explainProblem(reasonText(event.data.code, event.data.message));
      if (event.type === "message:end" || event.type === "error") break;
    }
  } finally {
    el("fit-explain-text").removeAttribute("aria-busy");
    button.disabled = false;
  }
}

export function start() {
  const box = el("fit-explain");
  if (box) {
    box.hidden = false;
    el("fit-explain-go").addEventListener("click", () => explain(box));
  }
  stream = new ProjectStream(page.project_id, {
    snapshot,
    state: setConn,
    event: (msg) => {
      if (!concerns(msg)) return;
      clearTimeout(timer);
      timer = setTimeout(() => stream.resync(), SETTLE_MS);
    },
  });
  stream.start();
}
