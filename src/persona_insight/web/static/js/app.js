// The one entry point: marks the page as scripted (forms keep working without it) and starts
// the part of the module the page needs.

import { copyButtons, localTimes } from "./ui.js";

document.documentElement.classList.add("js");
localTimes();
copyButtons();
// A page that shows a secret once answers a form post; reloading it must not post the form
// again (and show a second secret), so the address becomes the page's own.
const once = document.querySelector("[data-then]");
if (once) history.replaceState(null, "", once.dataset.then);
// Choosing the file is the decision (the picture): send it at once, no second button.
for (const input of document.querySelectorAll("input[type=file][data-submit]")) {
  input.addEventListener("change", () => input.files.length && input.form.requestSubmit());
}

const parts = {
  workspace: () => import("./workspace.js"),
  interview: () => import("./interview.js"),
  settings: () => import("./settings.js"),
  admin: () => import("./admin.js"),
  chat: () => import("./chat.js"),
  insights: () => import("./insights.js"),
  personas: () => import("./personas.js"),
};
const name = document.body.dataset.page;
if (parts[name]) parts[name]().then((m) => m.start());
if (name === "workspace") import("./trash.js").then((m) => m.start());
if (document.querySelector("a[data-report]")) import("./reports.js").then((m) => m.start());
