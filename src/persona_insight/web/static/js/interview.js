// The interview detail page: filters and evidence links over the script, the edit form, and the
// live parts — the analysis finishing, title edits, and the notes (see notes.js).

import { checkSignedIn, explainStop, leaveIfGone } from "./access.js";
import { ProjectStream } from "./live.js";
import * as media from "./media.js";
import * as notes from "./notes.js";
import * as passage from "./passage.js";
import { announce, api, formatDate, readJson, reasonText, t, toast } from "./ui.js";

const page = readJson("page-data");
const script = document.getElementById("script");

/** Highlight lines (by key), make sure the filter shows them, and bring the first into view. */
function highlightLines(keys) {
  for (const line of document.querySelectorAll(".line.is-highlighted")) line.classList.remove("is-highlighted");
  const lines = keys.map((key) => document.getElementById(`line-${key}`)).filter(Boolean);
  if (!lines.length) return;
  if (script && lines.some((line) => line.offsetParent === null)) setFilter("");
  for (const line of lines) line.classList.add("is-highlighted");
  lines[0].scrollIntoView({ behavior: "smooth", block: "center" });
  lines[0].focus({ preventScroll: true });
  history.replaceState(null, "", `#line-${keys[0]}`);
}

function setFilter(value) {
  script.dataset.filter = value;
  const radio = document.querySelector(`#filter-form input[value="${value}"]`);
  if (radio) radio.checked = true;
  const url = new URL(location.href);
  if (value) url.searchParams.set("filter", value);
  else url.searchParams.delete("filter");
  history.replaceState(null, "", url);
}

function setupReading() {
  if (!script) return;
  document.getElementById("filter-form").addEventListener("change", (event) => {
    if (event.target.name === "filter") setFilter(event.target.value);
  });
  document.getElementById("filter-form").addEventListener("submit", (event) => event.preventDefault());
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-lines]");
    if (!link) return;
    event.preventDefault();
    highlightLines(link.dataset.lines.split(" ").map(Number));
  });
  if (location.hash.startsWith("#line-")) {
    const key = Number(location.hash.slice(6));
    document.getElementById(`line-${key}`)?.classList.add("is-highlighted");
  }
}

// --- the interview itself ------------------------------------------------------------------------

function showInterview(iv) {
  document.getElementById("interview-title").textContent = iv.title;
  document.querySelector('[data-slot="crumb-title"]').textContent = iv.title;
  document.title = `${iv.title} · Persona Insight`;
  document.getElementById("interview-date").textContent =
    iv.interview_date && iv.interview_date_source !== "upload"
      ? formatDate(iv.interview_date)
      : document.getElementById("interview-date").textContent;
  const badge = document.getElementById("interview-status");
  if (badge.dataset.status !== iv.status) announce(t(`status.${iv.status}`));
  badge.dataset.status = iv.status;
  badge.textContent = t(`status.${iv.status}`);
  const editForm = document.getElementById("edit-form");
  if (!document.getElementById("edit-details").open) {
    editForm.elements.title.value = iv.title;
    editForm.elements.interview_date.value = iv.interview_date || "";
  }
  // An analysed interview can be analysed again (speaker roles fixed): show its progress too.
  if (!page.analysed || iv.status !== page.status) showProgress(iv);
  page.status = iv.status;
}

function showProgress(iv) {
  const panel = document.getElementById("status-panel");
  panel.hidden = false;
  const parts = [];
  if (iv.status === "completed") {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-primary";
    button.textContent = t("action.show_results");
    button.addEventListener("click", () => location.reload());
    const text = document.createElement("p");
    text.textContent = t("toast.analysis_ready");
    parts.push(text, button);
  } else if (iv.status === "failed") {
    const text = document.createElement("p");
    text.textContent = `${t("toast.failed")}: ${reasonText(iv.error?.code, iv.error?.message)}`;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-primary";
    button.textContent = t("action.retry");
    button.addEventListener("click", () => retry(button));
    parts.push(text, button);
  } else {
    const text = document.createElement("p");
    text.textContent = t(`status.${iv.status}`);
    parts.push(text);
  }
  panel.replaceChildren(...parts);
}

async function retry(button) {
  button.disabled = true;
  try {
    const { data } = await api("POST", `/api/interviews/${page.interview_id}/retry`);
    showInterview(data);
  } catch (error) {
    toast({ title: t("toast.error", { reason: reasonText(error.code, error.message) }), kind: "error" });
    button.disabled = false;
  }
}

function setupEditing() {
  const form = document.getElementById("edit-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const { data } = await api("PATCH", `/api/interviews/${page.interview_id}`, {
        title: form.elements.title.value,
        interview_date: form.elements.interview_date.value || null,
      });
      document.getElementById("edit-details").open = false;
      showInterview(data);
    } catch (error) {
      toast({ title: t("toast.error", { reason: reasonText(error.code, error.message) }), kind: "error" });
    }
  });
  const retryForm = document.querySelector('#status-panel form[data-action="retry"]');
  retryForm?.addEventListener("submit", (event) => {
    event.preventDefault();
    retry(retryForm.querySelector("button"));
  });
}

async function snapshot() {
  // Notes first: their last_seq is where the stream starts; the interview read after it can only
  // be newer, and the events replayed after last_seq bring both up to date.
  const list = await api("GET", `/api/interviews/${page.interview_id}/notes`);
  const one = await api("GET", `/api/interviews/${page.interview_id}`);
  if (page.analysed) notes.replaceAll(list.data.items);
  showInterview(one.data);
  return list.data.last_seq;
}

function onEvent(msg) {
  if (leaveIfGone(msg, page)) return;
  if (msg.type === "interview:purged" && msg.data.interview_id === page.interview_id) {
    location.assign(`/projects/${page.project_id}?notice=purged`);
    return;
  }
  if (msg.type.startsWith("note:")) {
    if (page.analysed) notes.applyEvent(msg);
    return;
  }
  if (msg.type === "interview:transcription_progress") {
    if (msg.data.interview_id === page.interview_id) media.progress(msg.data);
    return;
  }
  const iv = msg.data.interview;
  if (!iv || iv.id !== page.interview_id) return;
  showInterview(iv);
  if (msg.type === "interview:deleted") toast({ title: t("toast.interview_deleted"), sticky: true });
}

export function start() {
  setupReading();
  setupEditing();
  media.start();
  if (page.analysed) {
    notes.start(page, highlightLines);
    passage.start(page, notes);
  }
  const stream = new ProjectStream(page.project_id, {
    snapshot,
    event: onEvent,
    dropped: checkSignedIn,
    stopped: explainStop,
  });
  stream.start().catch(() => {});
}
