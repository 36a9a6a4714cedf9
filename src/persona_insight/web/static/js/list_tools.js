// Search, filter and sort the workspace's interview list, in the page (the list holds the
// project's interviews already). Rows that do not match are hidden, not removed, so live events
// keep updating them; after each change the list is put back in the chosen order.

import { t } from "./ui.js";

let form = null;
let list = null;

const collator = new Intl.Collator(document.documentElement.lang || undefined, { numeric: true });

const ORDERS = {
  newest: (a, b) => (b.created_at || "").localeCompare(a.created_at || ""),
  oldest: (a, b) => (a.created_at || "").localeCompare(b.created_at || ""),
  title: (a, b) => collator.compare(a.title || "", b.title || ""),
  date: (a, b) =>
    (b.interview_date || b.created_at || "").localeCompare(a.interview_date || a.created_at || ""),
};

/** The day the list shows for an interview: its date, else its upload day (as the API filters). */
function day(iv) {
  return iv.interview_date || (iv.created_at || "").slice(0, 10);
}

function matches(iv, wanted) {
  if (wanted.q && !(iv.title || "").toLocaleLowerCase().includes(wanted.q)) return false;
  // ISO dates compare as strings; a live event's changed date re-filters the row.
  if (wanted.from && day(iv) < wanted.from) return false;
  if (wanted.to && day(iv) > wanted.to) return false;
  if (wanted.status && iv.status !== wanted.status) return false;
  if (wanted.persona && (iv.persona_code || "-") !== wanted.persona) return false;
  if (wanted.language && (iv.language || "-") !== wanted.language) return false;
  return true;
}

/** Offer only the personas and languages the list has (a project's set is small). */
function refreshChoices(rows) {
  for (const [name, field] of [
    ["persona", "persona_code"],
    ["language", "language"],
  ]) {
    const select = form.elements[name];
    const chosen = select.value;
    const values = new Set(rows.map((row) => row.interview?.[field]).filter(Boolean));
    const keep = [...select.options].slice(0, 1);
    select.replaceChildren(...keep);
    for (const value of [...values].sort()) {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = name === "language" ? t(`language.${value}`) : value;
      if (option.textContent === `language.${value}`) option.textContent = value;
      select.append(option);
    }
    select.value = values.has(chosen) ? chosen : "";
  }
}

/** Show the rows that match, in the chosen order; say how many when some are hidden. */
export function applyListTools() {
  if (!form || !list) return;
  const rows = [...list.children].filter((row) => row.dataset.id);
  refreshChoices(rows);
  const wanted = {
    q: form.elements.q.value.trim().toLocaleLowerCase(),
    status: form.elements.status.value,
    persona: form.elements.persona.value,
    language: form.elements.language.value,
    from: form.elements.from.value,
    to: form.elements.to.value,
  };
  const order = ORDERS[form.elements.sort.value] || ORDERS.newest;
  const before = [...rows];
  rows.sort((a, b) => order(a.interview || {}, b.interview || {}));
  let shown = 0;
  for (const row of rows) {
    row.hidden = !matches(row.interview || {}, wanted);
    if (!row.hidden) shown += 1;
  }
  // Moving a row takes the focus out of it: rows move only when the order changed, and the
  // focus (a row's Delete, say) is given back, so a live event never loses one's place.
  if (rows.some((row, i) => row !== before[i])) {
    const focused = list.contains(document.activeElement) ? document.activeElement : null;
    for (const row of rows) list.append(row);
    if (focused && document.activeElement !== focused) focused.focus({ preventScroll: true });
  }
  const note = document.getElementById("list-filtered");
  const filtering =
    wanted.q || wanted.status || wanted.persona || wanted.language || wanted.from || wanted.to;
  note.hidden = !filtering;
  note.textContent = filtering ? t("list.shown", { shown, total: rows.length }) : "";
}

export function setupListTools(listNode) {
  form = document.getElementById("list-tools");
  list = listNode;
  if (!form) return;
  form.hidden = false;
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("input", applyListTools);
  form.addEventListener("change", applyListTools);
}
