/* cairn: a link to a place inside folded content (<details>) opens it: a
 * prompt in the prompt library (#prompt-…), or a set's heading (#check-in),
 * whose folded prompts follow it. Runs on load and when the address's
 * fragment changes. Without JavaScript the sets can be opened by hand (and
 * browsers that open <details> for a fragment do so themselves). */
(function () {
  'use strict';
  function open() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var el = id ? document.getElementById(id) : null;
    if (!el) return;
    var d = el.closest ? el.closest('details') : null;
    if (!d && el.parentElement) {
      var next = el.nextElementSibling;
      if (next && next.tagName === 'DETAILS') d = next;
    }
    if (d && !d.open) {
      d.open = true;
      el.scrollIntoView();
    }
  }
  window.addEventListener('hashchange', open);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', open);
  else open();
})();
