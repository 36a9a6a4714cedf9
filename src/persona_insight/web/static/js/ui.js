// Small helpers every page uses: messages in the page's language, the JSON API with the CSRF
// token, toasts, times. Anything users wrote is put into the page with textContent only.

const messages = readJson("messages") || {};

export function readJson(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}

/** A message of the page's catalogue, with %(name)s placeholders filled in as plain text. */
export function t(key, params = {}) {
  const template = messages[key] || key;
  return template
    .replace(/%\((\w+)\)s/g, (_, name) => String(params[name] ?? ""))
    .replace(/%%/g, "%");
}

/**
 * A counted message: the catalogue sends `{one, other}` (CLDR's plural classes) and the page's
 * language decides which one `n` takes, so English says "1 note" and "2 notes".
 */
export function tn(key, n, params = {}) {
  const forms = messages[key];
  if (!forms || typeof forms !== "object") return t(key, { n, ...params });
  const rule = new Intl.PluralRules(document.documentElement.lang || undefined).select(n);
  const template = forms[rule] || forms.other;
  return template
    .replace(/%\((\w+)\)s/g, (_, name) => String({ n, ...params }[name] ?? ""))
    .replace(/%%/g, "%");
}

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Call the JSON API with the session cookie; errors become ApiError with the API's code. */
export async function api(method, url, body) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network", t("toast.error", { reason: "network" }));
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (data && data.error) || {};
    throw new ApiError(response.status, error.code || "http_error", error.message || "");
  }
  return { data, response };
}

/** The reason for an error code in the reader's language (the catalogue sends known ones). */
export function reasonText(code, fallback) {
  const reasons = readJson("reasons");
  return (reasons && reasons[code]) || fallback || code;
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "text") node.textContent = value;
    else if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) node.append(child);
  return node;
}

export function slot(root, name) {
  return root.querySelector(`[data-slot="${name}"]`);
}

// --- toasts ------------------------------------------------------------------------------------

/** Have screen readers say `text` (a status that changed on screen), without moving focus. */
export function announce(text) {
  const node = document.getElementById("announcer");
  if (!node) return;
  // Clearing first makes a repeated message count as new.
  node.textContent = "";
  setTimeout(() => {
    node.textContent = text;
  }, 50);
}

const MAX_TOASTS = 4;

/**
 * Show a toast. Ones with an action (Retry) or errors stay until dismissed, so there is time to
 * reach them with the keyboard; others go after a few seconds.
 */
export function toast({ title, body = "", kind = "info", actions = [], sticky = false }) {
  const list = document.getElementById(kind === "error" ? "alerts" : "toasts");
  if (!list) return null;
  const item = el("li", { class: "toast", "data-kind": kind });
  item.append(el("p", { class: "toast-title", text: title }));
  const close = el("button", { type: "button", class: "toast-close", "aria-label": t("action.dismiss"), text: "×" });
  close.addEventListener("click", () => item.remove());
  item.append(close);
  if (body) item.append(el("p", { class: "toast-body", text: body }));
  if (actions.length) {
    const row = el("div", { class: "toast-actions" });
    for (const action of actions) {
      const button = el(action.href ? "a" : "button", {
        class: `btn btn-small${action.primary ? " btn-primary" : ""}`,
        type: action.href ? null : "button",
        href: action.href || null,
        text: action.label,
      });
      if (action.onClick) button.addEventListener("click", () => action.onClick(item));
      row.append(button);
    }
    item.append(row);
  }
  list.append(item);
  while (list.children.length > MAX_TOASTS) list.firstElementChild.remove();
  if (!sticky && !actions.length && kind !== "error") {
    setTimeout(() => item.remove(), 6000);
  }
  watchDock(list.closest(".toasts"));
  makeRoom(list.closest(".toasts"));
  return item;
}

// Where the toasts dock along the bottom (app.css): narrower than a desktop.
const DOCKED = window.matchMedia("(max-width: 1023px)");
let watched = null;

/** Keep the page's room below its content equal to the dock, and the row being worked on (the
 * one holding the focus) above the dock, so a toast never covers its status or Delete. */
function makeRoom(dock) {
  if (!dock) return;
  const height = DOCKED.matches && dock.querySelector(".toast") ? dock.offsetHeight + 16 : 0;
  document.body.style.setProperty("--toast-room", `${height}px`);
  if (!height) return;
  const active = document.activeElement;
  const target = active && active !== document.body ? active.closest("li.row") || active : null;
  if (!target) return;
  const overlap = target.getBoundingClientRect().bottom - (window.innerHeight - height);
  if (overlap > 0) window.scrollBy({ top: overlap, behavior: "instant" });
}

function watchDock(dock) {
  if (!dock || watched === dock) return;
  watched = dock;
  // Toasts leave by timer or by their close button: give the room back then.
  new MutationObserver(() => makeRoom(dock)).observe(dock, { childList: true, subtree: true });
}

// --- time --------------------------------------------------------------------------------------

/** Milliseconds to "12 s", "3 min 4 s", "1 h 5 min" in the page's language. */
export function duration(ms) {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h) return t("elapsed.hours", { h, m });
  if (m) return t("elapsed.minutes", { m, s });
  return t("elapsed.seconds", { s });
}

/** Rewrite every <time datetime> in local time (the server only knows UTC). */
export function localTimes(root = document) {
  const format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    dateStyle: "medium",
    timeStyle: "short",
  });
  for (const node of root.querySelectorAll("time[datetime]")) {
    const when = new Date(node.getAttribute("datetime"));
    if (!Number.isNaN(when.getTime()) && node.getAttribute("datetime").includes("T")) {
      node.textContent = format.format(when);
    }
  }
}

export function formatDate(iso) {
  if (!iso) return "";
  const [y, m, d] = iso.split("-").map(Number);
  return new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    dateStyle: "medium",
    timeZone: "UTC",
  }).format(new Date(Date.UTC(y, m - 1, d)));
}

// --- people ------------------------------------------------------------------------------------

/** The same initials and colour as the server draws (see web/rendering.py). */
export function initials(name) {
  const words = String(name || "").replace(/@/g, " ").split(/\s+/).filter(Boolean);
  if (!words.length) return "?";
  const first = words[0];
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(first)) return first.length >= 2 ? first.slice(-2) : first;
  return words.slice(0, 2).map((w) => w[0]).join("").toUpperCase();
}

export function hue(key) {
  let sum = 0;
  for (const ch of String(key)) sum += ch.codePointAt(0);
  return sum % 8;
}

/** A person's face: their picture when they have one (`has_avatar`), else their initials. */
export function avatar(user, small = false) {
  const size = small ? " avatar-small" : "";
  if (user.has_avatar) {
    return el("img", {
      class: `avatar${size}`,
      src: `/api/users/${encodeURIComponent(user.id)}/avatar`,
      alt: "",
      "aria-hidden": "true",
    });
  }
  return el("span", {
    class: `avatar${size} hue-${hue(user.id)}`,
    "aria-hidden": "true",
    text: initials(user.name),
  });
}

// --- secrets shown once --------------------------------------------------------------------------

async function copyText(input) {
  try {
    await navigator.clipboard.writeText(input.value);
    return true;
  } catch {
    // No clipboard permission (an older browser, an embedded view): the selection way.
    input.select();
    return document.execCommand("copy");
  }
}

/** `<button data-copy="id">` copies the value of the input `id`; hidden until the module runs. */
export function copyButtons(root = document) {
  for (const button of root.querySelectorAll("button[data-copy]")) {
    const input = document.getElementById(button.dataset.copy);
    if (!input) continue;
    button.hidden = false;
    input.addEventListener("focus", () => input.select());
    button.addEventListener("click", async () => {
      const done = await copyText(input);
      const text = t(done ? "copy.done" : "copy.failed");
      announce(text);
      if (done) {
        button.dataset.copied = "true";
        setTimeout(() => delete button.dataset.copied, 2500);
      } else {
        input.focus();
      }
    });
  }
}
