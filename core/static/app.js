// Starts the NHS.UK frontend components (header menu, error summary focus,
// password show/hide, conditional radios, etc.). Loaded as a module at the end
// of <body>, so it only runs in browsers that NHS.UK frontend supports.
import { initAll } from "./nhsuk/nhsuk.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
