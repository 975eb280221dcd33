// @ts-check
// The lobby page, live: a server-sent event stream (web/waiting_stream.py) says when what the
// page shows has changed (admitted, turned away, the room opened, a new message from the
// facilitators), and the page reloads to show it. Without this script the "Check now" link
// and the <noscript> refresh do the same, more slowly.
const root = document.querySelector("[data-waiting-stream]");
if (root instanceof HTMLElement && "EventSource" in window) {
  const shown = root.dataset.state ?? "";
  const stream = new EventSource(root.dataset.waitingStream ?? "");
  let reloading = false;
  const reload = () => {
    if (reloading) return;
    reloading = true;
    stream.close();
    location.reload();
  };
  stream.addEventListener("state", (event) => {
    if (/** @type {MessageEvent} */ (event).data !== shown) reload();
  });
  stream.addEventListener("ended", reload);
  // A refused stream (the link moved to another device, the server answered an error) is not
  // retried by the browser: the page itself tells what happened.
  stream.addEventListener("error", () => {
    if (stream.readyState === EventSource.CLOSED) setTimeout(reload, 5000);
  });
}
