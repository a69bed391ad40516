// Puppeteer (pulled in by pa11y) must never download a browser: CI and the
// developers' machines use Debian's Chromium (/usr/bin/chromium).
module.exports = { skipDownload: true };
