// A button with data-copy="#id" copies that element's text (the evidence page's public key).
// A file, not an inline script: the console's CSP forbids inline scripts.
(function () {
  "use strict";
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", async () => {
      const source = document.querySelector(button.dataset.copy);
      if (!source) return;
      const text = source.textContent.trim();
      try {
        await navigator.clipboard.writeText(text);
      } catch (error) {
        const range = document.createRange();  // no clipboard (plain http): select it instead
        range.selectNodeContents(source);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        document.execCommand("copy");
      }
      button.textContent = "已复制 Copied";
    });
  }
})();
