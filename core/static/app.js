// Starts the NHS.UK frontend components (header menu, error summary focus,
// password show/hide, conditional radios, etc.). Loaded as a module at the end
// of <body>, so it only runs in browsers that NHS.UK frontend supports.
import { initAll } from "./nhsuk/nhsuk.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();

// "Print this report" buttons (no inline handlers: the Content-Security-Policy allows none).
for (const button of document.querySelectorAll("[data-app-print]")) {
  button.addEventListener("click", () => window.print());
}
