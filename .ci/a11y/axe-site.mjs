#!/usr/bin/env node
// axe-site.mjs — run axe-core on every page of a static site in Debian's headless Chromium.
//
//   node axe-site.mjs --dir ./public                       # serve ./public on 127.0.0.1:<free port>, test every *.html in it
//   node axe-site.mjs --url http://127.0.0.1:8000/ index.html survey.html   # these pages under the base URL
//   node axe-site.mjs --url http://127.0.0.1:8000/ --crawl                  # start page + all same-origin links, recursively
//
// Options:
//   --tags a,b,c         axe tags to run (default: wcag2a,wcag2aa,wcag21a,wcag21aa,wcag22a,wcag22aa)
//   --best-practice      also run axe's "best-practice" rules (heading-order, region, landmark-*, page-has-heading-one …)
//   --disable-rules a,b  rule ids to switch off
//   --crawl              also follow same-origin <a href> links found on tested pages (works with --dir too)
//   --max-pages N        stop after N pages (default 500)
//   --fail-on-incomplete treat axe "incomplete" (needs manual review) results as failures too
//   --viewport WxH       viewport size (default 1280x800)
//   --color-scheme S     emulate prefers-color-scheme: light (default) or dark
//   --json FILE          write all raw axe results to FILE
//   --chromium PATH      browser binary (default $CHROMIUM_PATH or /usr/bin/chromium)
//   --timeout MS         navigation timeout per page (default 30000)
//
// Exit status: 0 = no violations; 1 = at least one violation (or incomplete with --fail-on-incomplete);
//              2 = a page could not be loaded/tested (HTTP >= 400, timeout, crash) or bad usage.
//
// (cairn copy of shared/a11y/axe-site.mjs, with --color-scheme added.)
// Needs: apt-get install chromium ; npm ci (axe-core + playwright-core, see package.json). No browser download.

import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const require = createRequire(import.meta.url);
const axeSource = require('axe-core').source;
const axeVersion = require('axe-core/package.json').version;

const DEFAULT_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];
const SKIP_EXT = /\.(pdf|png|jpe?g|gif|svg|webp|ico|css|js|mjs|json|xml|txt|zip|gz|tgz|mp[34]|webm|woff2?|ttf|otf|csv|docx?|xlsx?|pptx?)$/i;

function usage(msg) {
  if (msg) console.error(`axe-site: ${msg}`);
  console.error('usage: node axe-site.mjs (--dir DIR | --url BASE_URL [page ...]) [--crawl] [--tags ..] [--best-practice] [--json FILE] ...');
  process.exit(2);
}

function parseArgs(argv) {
  const o = { tags: DEFAULT_TAGS, pages: [], disable: [], maxPages: 500, timeout: 30000,
    viewport: { width: 1280, height: 800 }, colorScheme: 'light', chromium: process.env.CHROMIUM_PATH || '/usr/bin/chromium' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) usage(`${a} needs a value`); return argv[++i]; };
    switch (a) {
      case '--dir': o.dir = val(); break;
      case '--url': o.url = val(); break;
      case '--crawl': o.crawl = true; break;
      case '--tags': o.tags = val().split(',').map(s => s.trim()).filter(Boolean); break;
      case '--best-practice': o.bestPractice = true; break;
      case '--disable-rules': o.disable = val().split(',').map(s => s.trim()).filter(Boolean); break;
      case '--max-pages': o.maxPages = parseInt(val(), 10); break;
      case '--fail-on-incomplete': o.failOnIncomplete = true; break;
      case '--viewport': { const [w, h] = val().split('x').map(Number); o.viewport = { width: w, height: h }; break; }
      case '--color-scheme': o.colorScheme = val(); if (!['light', 'dark', 'no-preference'].includes(o.colorScheme)) usage('--color-scheme is light or dark'); break;
      case '--json': o.json = val(); break;
      case '--chromium': o.chromium = val(); break;
      case '--timeout': o.timeout = parseInt(val(), 10); break;
      case '-h': case '--help': usage();
      default:
        if (a.startsWith('--')) usage(`unknown option ${a}`);
        o.pages.push(a);
    }
  }
  if (!!o.dir === !!o.url) usage('give exactly one of --dir or --url');
  if (o.bestPractice && !o.tags.includes('best-practice')) o.tags = [...o.tags, 'best-practice'];
  return o;
}

// ---- tiny static file server for --dir (no dependencies) ----
const MIME = { '.html': 'text/html; charset=utf-8', '.htm': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.json': 'application/json',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif',
  '.webp': 'image/webp', '.ico': 'image/x-icon', '.woff': 'font/woff', '.woff2': 'font/woff2', '.ttf': 'font/ttf',
  '.pdf': 'application/pdf', '.txt': 'text/plain; charset=utf-8', '.xml': 'application/xml', '.csv': 'text/csv' };

function serveDir(root) {
  root = path.resolve(root);
  const server = http.createServer((req, res) => {
    let p;
    try { p = decodeURIComponent(new URL(req.url, 'http://x').pathname); } catch { res.writeHead(400).end(); return; }
    let file = path.join(root, p);
    if (file !== root && !file.startsWith(root + path.sep)) { res.writeHead(403).end(); return; }
    try { if (fs.statSync(file).isDirectory()) file = path.join(file, 'index.html'); } catch { /* 404 below */ }
    fs.readFile(file, (err, buf) => {
      if (err) { res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'); return; }
      res.writeHead(200, { 'content-type': MIME[path.extname(file).toLowerCase()] || 'application/octet-stream' }).end(buf);
    });
  });
  return new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function listHtml(root, rel = '') {
  const out = [];
  for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listHtml(root, r));
    else if (/\.html?$/i.test(e.name)) out.push(r);
  }
  return out;
}

// '/dir/' and '/dir/index.html' are the same page for a static server
function normalise(u) { const x = new URL(u); x.hash = ''; x.pathname = x.pathname.replace(/\/index\.html?$/i, '/'); return x.href; }

async function main() {
  const o = parseArgs(process.argv.slice(2));
  let server, base;
  const queue = [];
  if (o.dir) {
    if (!fs.existsSync(o.dir) || !fs.statSync(o.dir).isDirectory()) usage(`not a directory: ${o.dir}`);
    server = await serveDir(o.dir);
    base = `http://127.0.0.1:${server.address().port}/`;
    const files = o.pages.length ? o.pages : listHtml(path.resolve(o.dir));
    if (!files.length) usage(`no .html files under ${o.dir}`);
    for (const f of files) queue.push(new URL(f.split(path.sep).map(encodeURIComponent).join('/'), base).href);
  } else {
    base = o.url.endsWith('/') || /\.[a-z0-9]+$/i.test(new URL(o.url).pathname) ? o.url : o.url + '/';
    if (o.pages.length) for (const p of o.pages) queue.push(new URL(p, base).href);
    else { queue.push(new URL(base).href); o.crawl = true; }
  }
  const origin = new URL(base).origin;

  console.log(`axe-core ${axeVersion}; tags: ${o.tags.join(',')}${o.disable.length ? `; disabled: ${o.disable.join(',')}` : ''}`);
  const browser = await chromium.launch({ executablePath: o.chromium, headless: true, args: CHROMIUM_ARGS });
  console.log(`browser: ${o.chromium} ${browser.version()}; base: ${base}`);
  console.log(`viewport: ${o.viewport.width}x${o.viewport.height}; color scheme: ${o.colorScheme}`);
  const context = await browser.newContext({ viewport: o.viewport, colorScheme: o.colorScheme });

  const seen = new Set(queue.map(normalise));
  const report = [];
  let nViol = 0, nIncomplete = 0, nErrors = 0;
  const byRule = new Map();

  while (queue.length && report.length < o.maxPages) {
    const url = queue.shift();
    const label = url.startsWith(base) ? url.slice(base.length) || '/' : url;
    const page = await context.newPage();
    const entry = { url, page: label };
    try {
      const resp = await page.goto(url, { waitUntil: 'load', timeout: o.timeout });
      if (!resp) throw new Error('no response');
      if (resp.status() >= 400) throw new Error(`HTTP ${resp.status()}`);
      const ctype = resp.headers()['content-type'] || '';
      if (ctype && !/html/i.test(ctype)) { entry.skipped = `content-type ${ctype}`; report.push(entry); continue; }
      await page.evaluate(() => document.fonts && document.fonts.ready).catch(() => {});

      // inject axe into every frame, then run from the top frame (axe walks into iframes itself)
      for (const frame of page.frames()) await frame.evaluate(axeSource).catch(() => {});
      const res = await page.evaluate(async ({ tags, disable }) => {
        const opts = { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations', 'incomplete'] };
        if (disable.length) opts.rules = Object.fromEntries(disable.map(id => [id, { enabled: false }]));
        const r = await window.axe.run(document, opts);
        return { violations: r.violations, incomplete: r.incomplete, testEngine: r.testEngine };
      }, { tags: o.tags, disable: o.disable });
      entry.violations = res.violations;
      entry.incomplete = res.incomplete;

      const count = res.violations.reduce((n, v) => n + v.nodes.length, 0);
      console.log(`\n== ${label}: ${res.violations.length} rule(s) violated, ${count} node(s); ${res.incomplete.length} rule(s) need review`);
      for (const v of res.violations) {
        byRule.set(v.id, (byRule.get(v.id) || 0) + v.nodes.length);
        for (const n of v.nodes) {
          nViol++;
          console.log(`VIOLATION page=${label} rule=${v.id} impact=${n.impact || v.impact} target=${JSON.stringify(n.target)}`);
          console.log(`    ${v.help} [${v.tags.filter(t => /^wcag\d|best-practice/.test(t)).join(' ')}] ${v.helpUrl}`);
          const summary = (n.failureSummary || '').split('\n').slice(1, 3).map(s => s.trim()).filter(Boolean).join(' | ');
          if (summary) console.log(`    ${summary.slice(0, 300)}`);
        }
      }
      for (const v of res.incomplete) {
        for (const n of v.nodes) {
          nIncomplete++;
          console.log(`${o.failOnIncomplete ? 'INCOMPLETE' : 'review'} page=${label} rule=${v.id} impact=${n.impact || v.impact} target=${JSON.stringify(n.target)} (needs manual check)`);
        }
      }

      if (o.crawl) {
        const links = await page.evaluate(() => Array.from(document.querySelectorAll('a[href], area[href]'), a => a.href));
        for (const l of links) {
          let u; try { u = new URL(l); } catch { continue; }
          if (u.origin !== origin || !/^https?:$/.test(u.protocol) || SKIP_EXT.test(u.pathname)) continue;
          const n = normalise(u.href);
          if (!seen.has(n)) { seen.add(n); queue.push(n); }
        }
      }
    } catch (e) {
      nErrors++;
      entry.error = String(e.message || e).split('\n')[0];
      console.log(`\n== ${label}: ERROR ${entry.error}`);
    } finally {
      await page.close();
    }
    report.push(entry);
  }
  if (queue.length) console.log(`\nstopped at --max-pages ${o.maxPages}; ${queue.length} page(s) not tested`);

  await browser.close();
  if (server) server.close();
  if (o.json) fs.writeFileSync(o.json, JSON.stringify({ axeVersion, tags: o.tags, base, colorScheme: o.colorScheme, viewport: o.viewport, pages: report }, null, 2));

  const tested = report.filter(r => r.violations).length;
  console.log(`\nSUMMARY: ${tested} page(s) tested, ${nViol} violation node(s), ${nIncomplete} needs-review node(s), ${nErrors} page error(s)`);
  for (const [id, n] of [...byRule].sort()) console.log(`  ${id}: ${n}`);
  if (nErrors) process.exit(2);
  if (nViol || (o.failOnIncomplete && nIncomplete)) process.exit(1);
  console.log('PASS: no axe violations');
}

main().catch(e => { console.error(`axe-site: ${e.stack || e}`); process.exit(2); });
