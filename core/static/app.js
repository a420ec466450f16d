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

// A table too wide for the screen scrolls inside its own box (styled in app.scss),
// so the page never scrolls sideways. While it scrolls, the box is a named region
// that takes focus, so keyboard users can scroll it with the arrow keys.
// A table a template already put in such a box (reports, charts) keeps its own.
const tableBoxes = [...document.querySelectorAll("table.nhsuk-table")]
  .filter((table) => !table.closest(".app-table-scroll"))
  .map((table) => {
  const box = document.createElement("div");
  box.className = "app-table-scroll";
  table.before(box);
  box.append(table);
  return box;
});

function markScrollingTables() {
  for (const box of tableBoxes) {
    const table = box.querySelector("table");
    if (box.scrollWidth > box.clientWidth) {
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", table.caption?.textContent.trim() || "Table");
    } else {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  }
}

markScrollingTables();
window.addEventListener("resize", markScrollingTables);

// Escape closes the header's phone menu; focus then goes back to the menu's
// button rather than being lost with the link that is hidden.
document.addEventListener("keydown", (event) => {
  const toggle = document.querySelector(".nhsuk-header__menu-toggle");
  if (event.key === "Escape" && toggle && document.activeElement?.closest(".nhsuk-header__menu-list")) {
    toggle.focus();  // the header's own Escape handler then closes the menu
  }
}, true);

// "Copy" buttons (data-app-copy="<id of the field to copy>"): shown only where the browser can
// copy; without them the field's text can still be selected and copied by hand.
if (navigator.clipboard) {
  for (const button of document.querySelectorAll("[data-app-copy]")) {
    const box = button.closest(".app-copy");
    const source = document.getElementById(button.dataset.appCopy);
    if (!box || !source) continue;
    box.hidden = false;
    const status = box.querySelector("[role=status]");
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(source.value ?? source.textContent);
        if (status) status.textContent = "Copied";
      } catch {
        source.select?.();
        if (status) status.textContent = "Your browser did not allow copying: the text is selected, copy it yourself.";
      }
    });
  }
}
