/* Tempo — after a refused submit, bring the error summary (console forms) or the error message
   (booking forms) into view and focus, for screen readers. */
(document.querySelector(".c-summary") || document.getElementById("bk-error"))?.focus();
