// The one entry point: marks the page as scripted (forms keep working without it) and starts
// the part of the module the page needs.

import { localTimes } from "./ui.js";

document.documentElement.classList.add("js");
localTimes();

const name = document.body.dataset.page;
if (name === "workspace") {
  import("./workspace.js").then((m) => m.start());
} else if (name === "interview") {
  import("./interview.js").then((m) => m.start());
} else if (name === "admin") {
  import("./admin.js").then((m) => m.start());
}
