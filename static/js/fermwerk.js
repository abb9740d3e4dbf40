// Keyboard and screen-reader users follow every change of the page: focus moves to what the
// server marked with data-autofocus (a form's heading, its error summary, or the message after
// a save), after an HTMX swap and after a full page load alike.
function focusMarked() {
  const target = document.querySelector("[data-autofocus]");
  if (target) {
    target.removeAttribute("data-autofocus");
    target.focus();
    target.scrollIntoView({ block: "nearest" });
  }
}

document.addEventListener("DOMContentLoaded", focusMarked);
document.addEventListener("htmx:afterSettle", focusMarked);

// Searches and filters keep only what was chosen in the URL, so it stays short enough to share.
document.addEventListener("htmx:configRequest", (event) => {
  if (event.detail.verb !== "get") return;
  const parameters = event.detail.parameters;
  for (const name of [...parameters.keys()]) {
    if (parameters.getAll(name).every((value) => value === "")) parameters.delete(name);
  }
});
