// Report and export links. A small project's file comes straight back and downloads as the link
// would; a large one's report is made by a job (202): a toast shows its progress and the file
// downloads when it is ready. Without the module the links still work (the job answer is JSON).

import { reasonText, t, toast } from "./ui.js";

const POLL_MS = 1000;
const GIVE_UP_MS = 15 * 60 * 1000;

function fileName(response) {
  const header = response.headers.get("content-disposition") || "";
  const utf8 = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (utf8) return decodeURIComponent(utf8[1]);
  const plain = /filename="([^"]+)"/i.exec(header);
  return plain ? plain[1] : "report";
}

function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement("a"), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

async function follow(job) {
  const note = toast({ title: t("report.preparing", { percent: job.progress }), sticky: true });
  const title = note && note.querySelector(".toast-title");
  const until = Date.now() + GIVE_UP_MS;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const r = await fetch(`/api/reports/${job.id}`, { credentials: "same-origin" });
    if (!r.ok) break;
    job = await r.json();
    if (title) title.textContent = t("report.preparing", { percent: job.progress });
    if (job.status === "done") {
      if (note) note.remove();
      toast({ title: t("report.ready"), actions: [{ label: job.file_name, href: job.download_url }] });
      window.location.assign(job.download_url);
      return;
    }
    if (job.status === "failed") break;
  }
  if (note) note.remove();
  toast({ title: t("report.failed"), kind: "error" });
}

async function open(link) {
  link.setAttribute("aria-busy", "true");
  try {
    const r = await fetch(link.href, { credentials: "same-origin" });
    if (r.status === 202) {
      await follow((await r.json()).job);
    } else if (r.ok) {
      save(await r.blob(), fileName(r));
    } else {
      const body = await r.json().catch(() => ({}));
      const error = body.error || {};
      toast({ title: reasonText(error.code, error.message || t("report.failed")), kind: "error" });
    }
  } finally {
    link.removeAttribute("aria-busy");
  }
}

export function start() {
  for (const link of document.querySelectorAll("a[data-report]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      open(link);
    });
  }
}
