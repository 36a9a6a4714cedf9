// What a live page does when the ground moves under it: its project is deleted, its reader is
// removed from it, or its reader's access ends elsewhere (deactivated, signed out, password
// changed — the server then closes the event stream).

import { t, toast } from "./ui.js";

// A form of this page that is being posted decides where we go next: deleting the project or
// leaving it from here must end on that form's own answer, not on "it was deleted".
let posting = false;
window.addEventListener("submit", (event) => {
  if (!event.defaultPrevented) posting = true;
});

/**
 * Leave for the projects list when `msg` says the project or our membership is gone; the list
 * says why. Answers whether we are leaving.
 */
export function leaveIfGone(msg, page) {
  let notice = null;
  if (msg.type === "project:deleted") notice = "project_gone";
  if (msg.type === "member:removed" && msg.data.user_id === page.user_id) notice = "removed";
  if (!notice) return false;
  if (!posting) location.assign(`/projects?notice=${notice}`);
  return true;
}

/**
 * The stream dropped: if it is because our session ended, go to the sign-in page now instead of
 * leaving a page that can no longer do anything. A network failure changes nothing (the stream
 * reconnects by itself).
 */
export async function checkSignedIn() {
  let response;
  try {
    response = await fetch("/api/me", { credentials: "same-origin", headers: { Accept: "application/json" } });
  } catch {
    return;
  }
  if (response.status === 401) {
    const back = location.pathname + location.search;
    location.assign(`/login?next=${encodeURIComponent(back)}`);
  }
}

/**
 * The event stream was refused for good (see live.js): say why where the reader looks, with the
 * way on — signing in again, or the projects list — and leave the page as it is (a half-written
 * note is not thrown away by a redirect).
 */
export function explainStop(reason) {
  const back = location.pathname + location.search;
  const action =
    reason === "signed_out"
      ? { label: t("action.sign_in"), href: `/login?next=${encodeURIComponent(back)}`, primary: true }
      : { label: t("action.projects"), href: "/projects", primary: true };
  const item = toast({ title: t(`stream.${reason}`), kind: "error", actions: [action], sticky: true });
  item?.setAttribute("data-stopped", reason);
}
