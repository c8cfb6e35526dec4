// The language menu in the top bar submits its form when a language is chosen (no inline handler: see the CSP).
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  for (const select of document.querySelectorAll("form.lang select[name=language]")) {
    select.addEventListener("change", () => select.form.submit());
  }
});
