// Tells search.js where the site root is, relative to this page (no inline script, so the CSP stays strict).
window.CAIRN_ROOT = (document.currentScript && document.currentScript.dataset.root) || "";
