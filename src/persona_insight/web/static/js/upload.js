// Uploads from the workspace: many files by drag-and-drop or the file picker, or pasted text.
// Each file is its own request with upload progress (the seed's "Uploading" state); once the
// server has it, the item follows the interview's status from the event stream.

import { api, el, reasonText, slot, t, toast } from "./ui.js";

const PARALLEL = 3;
const LINGER_MS = 8000; // a finished upload stays in the queue this long; the list has the rest
const queue = [];
let running = 0;
const items = new Map(); // interview id → queue item
let known = () => null; // the workspace's current copy of an interview, if it has one

function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function queueItem(name, bytes) {
  const item = el(
    "li",
    { class: "upload-item", "data-state": "uploading" },
    el(
      "div",
      { class: "upload-item-head" },
      el("span", { class: "upload-name", translate: "no", text: name }),
      el("span", { class: "upload-size", text: bytes === null ? "" : size(bytes) }),
    ),
    el("progress", { max: "100", value: "0", "aria-label": name }),
    el("span", { class: "upload-state", "data-slot": "state", text: t("upload.uploading", { percent: 0 }) }),
  );
  document.getElementById("upload-queue").prepend(item);
  return item;
}

function uploaded(item, interview) {
  item.querySelector("progress")?.remove();
  items.set(interview.id, item);
  // The stream may have told the workspace more (even the end of the analysis) before this
  // answer arrived; its copy is never older than the answer.
  follow(item, known(interview.id) || interview);
}

function failed(item, code, message) {
  item.dataset.state = "error";
  item.querySelector("progress")?.remove();
  slot(item, "state").textContent = t("upload.failed", { reason: reasonText(code, message) });
  // A refused file is not in the list, so its message stays until dismissed.
  const close = el("button", {
    type: "button",
    class: "toast-close",
    "aria-label": t("action.dismiss"),
    text: "×",
  });
  close.addEventListener("click", () => item.remove());
  item.querySelector(".upload-item-head").append(close);
}

function follow(item, interview) {
  item.dataset.state = interview.status;
  slot(item, "state").textContent = `${t("upload.sent")} · ${t(`status.${interview.status}`)}`;
  if (interview.status === "completed" || interview.status === "failed") {
    items.delete(interview.id);
    setTimeout(() => item.remove(), LINGER_MS);
  }
}

function send(page, file, item) {
  return new Promise((resolve) => {
    const form = new FormData();
    form.append("project_id", page.project_id);
    form.append("file", file);
    if (file.lastModified) form.append("last_modified", String(file.lastModified));
    // Recordings only: detection misjudges short Korean clips, so a known language is forced.
    const language = document.getElementById("upload-language")?.value;
    if (language) form.append("language", language);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/workflow/async");
    xhr.setRequestHeader("X-CSRF-Token", document.querySelector('meta[name="csrf-token"]').content);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.responseType = "json";
    xhr.upload.onprogress = (event) => {
      if (!event.lengthComputable) return;
      const percent = Math.round((event.loaded / event.total) * 100);
      item.querySelector("progress").value = percent;
      slot(item, "state").textContent = t("upload.uploading", { percent });
    };
    xhr.onload = () => {
      const body = xhr.response || {};
      if (xhr.status === 202) uploaded(item, body.interview);
      else failed(item, body.error?.code || (xhr.status === 413 ? "file_too_large" : "http_error"), body.error?.message);
      resolve();
    };
    xhr.onerror = () => {
      failed(item, "network", "");
      resolve();
    };
    xhr.send(form);
  });
}

function pump(page) {
  while (running < PARALLEL && queue.length) {
    const [file, item] = queue.shift();
    running += 1;
    send(page, file, item).then(() => {
      running -= 1;
      pump(page);
    });
  }
}

function enqueue(page, files) {
  for (const file of files) queue.push([file, queueItem(file.name, file.size)]);
  pump(page);
}

/**
 * `watch(callback)` calls back with every interview the workspace applies; `current(id)` is the
 * workspace's copy of one.
 */
export function setupUploads(page, watch, current) {
  known = current;
  const zone = document.getElementById("dropzone");
  const input = document.getElementById("file-input");
  input.addEventListener("change", () => {
    enqueue(page, [...input.files]);
    input.value = "";
  });
  for (const name of ["dragenter", "dragover"]) {
    zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add("is-over");
    });
  }
  for (const name of ["dragleave", "drop"]) {
    zone.addEventListener(name, () => zone.classList.remove("is-over"));
  }
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    enqueue(page, [...(event.dataTransfer?.files || [])]);
  });
  document.getElementById("upload-form").addEventListener("submit", (event) => event.preventDefault());

  const paste = document.getElementById("paste-form");
  paste.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = paste.elements.text.value;
    const title = paste.elements.title.value.trim();
    const item = queueItem(title || t("upload.pasted"), null);
    const button = paste.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      const body = { project_id: page.project_id, text };
      if (title) body.title = title;
      const { data } = await api("POST", "/api/workflow/async", body);
      uploaded(item, data.interview);
      paste.reset();
    } catch (error) {
      failed(item, error.code, error.message);
      toast({ title: t("upload.failed", { reason: reasonText(error.code, error.message) }), kind: "error" });
    } finally {
      button.disabled = false;
    }
  });

  watch((interview) => {
    const item = items.get(interview.id);
    if (item) follow(item, interview);
  });
}
