#!/usr/bin/env node
// pa11y-site.mjs: pa11y (HTML_CodeSniffer, WCAG 2 AA) on every page of a built
// cairn site, in Debian's headless Chromium.
//
//   node pa11y-site.mjs --dir ./output            # every *.html under it
//   node pa11y-site.mjs --dir ./output a/index.html b/index.html
//
// pa11y drives the browser with Puppeteer; Puppeteer never downloads one here
// (.puppeteerrc.cjs: skipDownload, and npm runs no install script of it): the
// browser is /usr/bin/chromium (or $CHROMIUM_PATH), launched once and shared.
// The pages are served from 127.0.0.1 (browser-lib.mjs), as the other browser
// tests do. Only errors fail (pa11y's default level); warnings and notices,
// which HTML_CodeSniffer asks a person to review, are not counted.
//
// Exit status: 0 = no errors; 1 = at least one error; 2 = a page could not be
// tested, or bad usage.

import pa11y from 'pa11y';
import puppeteer from 'puppeteer';
import fs from 'node:fs';
import path from 'node:path';
import { CHROMIUM_ARGS, serve } from '../browser-lib.mjs';

function usage(msg) {
  if (msg) console.error(`pa11y-site: ${msg}`);
  console.error('usage: node pa11y-site.mjs --dir DIR [page.html ...] [--viewport WxH]');
  process.exit(2);
}

const o = { pages: [], viewport: { width: 1280, height: 800 }, chromium: process.env.CHROMIUM_PATH || '/usr/bin/chromium' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const val = () => { if (i + 1 >= argv.length) usage(`${a} needs a value`); return argv[++i]; };
  if (a === '--dir') o.dir = val();
  else if (a === '--viewport') { const [w, h] = val().split('x').map(Number); o.viewport = { width: w, height: h }; }
  else if (a === '--chromium') o.chromium = val();
  else if (a.startsWith('--')) usage(`unknown option ${a}`);
  else o.pages.push(a);
}
if (!o.dir) usage('give --dir');
const dir = path.resolve(o.dir);

function htmlFiles(root) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.html')) out.push(path.relative(root, p).split(path.sep).join('/'));
    }
  };
  walk(root);
  return out.sort();
}

const pages = o.pages.length ? o.pages : htmlFiles(dir);
if (!pages.length) usage(`no HTML pages under ${dir}`);

const server = await serve(dir);
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await puppeteer.launch({ executablePath: o.chromium, headless: true, args: CHROMIUM_ARGS });
let errors = 0;
let failed = 0;
try {
  for (const p of pages) {
    const page = await browser.newPage();
    try {
      const r = await pa11y(base + p, {
        browser,
        page,
        standard: 'WCAG2AA',
        runners: ['htmlcs'],
        includeWarnings: false,
        includeNotices: false,
        timeout: 60000,
        viewport: o.viewport,
      });
      const errs = r.issues.filter((x) => x.type === 'error');
      errors += errs.length;
      if (errs.length) {
        console.log(`✗ ${p}: ${errs.length} error(s)`);
        for (const e of errs) console.log(`    ${e.code}\n      ${e.message}\n      at ${e.selector}: ${e.context.slice(0, 160)}`);
      }
    } catch (e) {
      failed++;
      console.log(`! ${p}: could not be tested: ${e.message}`);
    } finally {
      await page.close();
    }
  }
} finally {
  await browser.close();
  server.close();
}
console.log(`pa11y (HTML_CodeSniffer, WCAG2AA): ${pages.length} page(s), ${errors} error(s)${failed ? `, ${failed} page(s) not tested` : ''}`);
process.exit(failed ? 2 : errors ? 1 : 0);
