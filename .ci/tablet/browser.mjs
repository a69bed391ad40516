#!/usr/bin/env node
// browser.mjs: the run sheet and the participant's phone (issue 13), on a
// built cairn site, in Debian's headless Chromium (playwright-core from
// .ci/a11y/node_modules; no browser download).
//
//   node .ci/tablet/browser.mjs [--dir output] [--chromium /usr/bin/chromium]
//
// Serves the folder on 127.0.0.1 and checks, on the sample program, at
// 375x812, 768x1024 and 1024x768:
//  - on every facilitator page nothing inside <main> is wider than <main>
//    (nothing scrolls sideways) and the page itself does not scroll sideways;
//  - the header is at most 160 px tall at 375 px, on participant and
//    facilitator pages, and its menu button opens the menu;
//  - at 1024x768 the first agenda row of every run sheet starts on the first
//    screen;
//  - on worksheet pages the cumulative layout shift stays under 0.1;
//  - every session page links its other view and back;
//  - the worksheets indexes link every worksheet of their audience;
//  - the run sheet's tick boxes are kept across a reload.
// Prints "N passed, N failed"; exit status 1 when anything failed.

import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, assert, runner, serve } from '../browser-lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const require = createRequire(path.join(ROOT, '.ci', 'a11y', 'package.json'));
const { chromium } = require('playwright-core');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const DIR = path.resolve(opt('--dir', path.join(ROOT, 'output')));
const CHROMIUM = opt('--chromium', process.env.CHROMIUM_PATH || '/usr/bin/chromium');

const VIEWPORTS = [
  { width: 375, height: 812 },
  { width: 768, height: 1024 },
  { width: 1024, height: 768 },
];

const { check, finish } = runner();


// Every HTML page under `sub` (relative paths, '/' separators).
function pagesUnder(sub) {
  const out = [];
  const walk = (rel) => {
    const abs = path.join(DIR, rel);
    if (!fs.existsSync(abs)) return;
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.name.endsWith('.html')) out.push(r);
    }
  };
  walk(sub);
  return out.sort();
}

// Elements inside <main> wider than <main> itself, and whether the page
// scrolls sideways.
const overflow = (page) => page.evaluate(() => {
  const main = document.querySelector('main');
  const box = main.getBoundingClientRect();
  const bad = [];
  for (const el of main.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    // An element that scrolls inside itself (a code block) is not the page scrolling.
    let scroller = false;
    for (let a = el.parentElement; a && a !== main; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.overflowX === 'auto' || s.overflowX === 'scroll' || s.overflowX === 'hidden') { scroller = true; break; }
    }
    if (scroller) continue;
    if (r.right > box.right + 1 || r.left < box.left - 1) {
      bad.push(`${el.tagName.toLowerCase()}.${el.className || ''} ${Math.round(r.left)}..${Math.round(r.right)} (main ${Math.round(box.left)}..${Math.round(box.right)})`);
    }
  }
  // A scroller inside main that needs to scroll is sideways scrolling too.
  for (const el of main.querySelectorAll('.table-wrap')) {
    if (el.scrollWidth > el.clientWidth + 1) bad.push(`table-wrap scrolls: ${el.scrollWidth} > ${el.clientWidth}`);
  }
  const doc = document.documentElement;
  return { bad: bad.slice(0, 5), count: bad.length, page: doc.scrollWidth > doc.clientWidth + 1 ? `${doc.scrollWidth} > ${doc.clientWidth}` : null };
});

async function main() {
  const facPages = pagesUnder('facilitator').filter((p) => !p.includes('/search/'));
  const runSheets = facPages.filter((p) => p.startsWith('facilitator/sessions/'));
  const worksheetPages = pagesUnder('worksheets').filter((p) => p !== 'worksheets/index.html');
  const sessions = pagesUnder('sessions');
  assert(runSheets.length > 0, `no facilitator session pages in ${DIR}`);
  const server = await serve(DIR);
  const base = `http://127.0.0.1:${server.address().port}/`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    for (const vp of VIEWPORTS) {
      const context = await browser.newContext({ viewport: vp, colorScheme: 'light' });
      const page = await context.newPage();
      const label = `${vp.width}x${vp.height}`;
      await check(`${label}: nothing in <main> scrolls sideways on ${facPages.length} facilitator pages`, async () => {
        const problems = [];
        for (const p of facPages) {
          await page.goto(base + p, { waitUntil: 'load' });
          const o = await overflow(page);
          if (o.count || o.page) problems.push(`${p}: ${o.page ? `page ${o.page}; ` : ''}${o.count} wide: ${o.bad.join('; ')}`);
        }
        assert(problems.length === 0, problems.join('\n'));
      });
      if (vp.width === 375) {
        await check(`${label}: the header is at most 160 px and its menu button opens the menu`, async () => {
          const problems = [];
          for (const p of ['index.html', sessions[0], 'facilitator/index.html', runSheets[0], worksheetPages[0]]) {
            await page.goto(base + p, { waitUntil: 'load' });
            const h = await page.evaluate(() => document.querySelector('.site-header').getBoundingClientRect().height);
            if (h > 160) problems.push(`${p}: header ${Math.round(h)} px`);
            const nav = page.locator('.site-nav');
            if (await nav.isVisible()) problems.push(`${p}: the menu is open before the button is pressed`);
            await page.locator('.site-menu > summary').click();
            if (!(await nav.isVisible())) problems.push(`${p}: the menu button does not open the menu`);
          }
          assert(problems.length === 0, problems.join('\n'));
        });
      }
      if (vp.width === 1024) {
        await check(`${label}: the menu is open without a button, and the first agenda row is on the first screen`, async () => {
          const problems = [];
          for (const p of runSheets) {
            await page.goto(base + p, { waitUntil: 'load' });
            if (!(await page.locator('.site-nav').isVisible())) problems.push(`${p}: menu hidden`);
            const top = await page.evaluate(() => document.querySelector('.run-row').getBoundingClientRect().top);
            if (top > vp.height - 60) problems.push(`${p}: first row at ${Math.round(top)} px`);
          }
          assert(problems.length === 0, problems.join('\n'));
        });
      }
      await context.close();
    }

    await check(`layout shift under 0.1 on ${worksheetPages.length} worksheet pages (375 and 1024 px)`, async () => {
      const problems = [];
      for (const vp of [VIEWPORTS[0], VIEWPORTS[2]]) {
        const context = await browser.newContext({ viewport: vp });
        await context.addInitScript(() => {
          window.__cls = 0;
          new PerformanceObserver((list) => {
            for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
          }).observe({ type: 'layout-shift', buffered: true });
        });
        const page = await context.newPage();
        for (const p of worksheetPages) {
          await page.goto(base + p, { waitUntil: 'load' });
          await page.waitForTimeout(300);
          const cls = await page.evaluate(() => window.__cls);
          if (!(cls < 0.1)) problems.push(`${p} at ${vp.width}px: CLS ${cls.toFixed(3)}`);
        }
        await context.close();
      }
      assert(problems.length === 0, problems.join('\n'));
    });

    const context = await browser.newContext({ viewport: VIEWPORTS[2] });
    const page = await context.newPage();
    const hrefs = () => page.evaluate(() => [...document.querySelectorAll('main a[href]')].map((a) => new URL(a.getAttribute('href'), location.href).pathname));
    await check('every session page links its other view, both ways', async () => {
      const problems = [];
      for (const p of sessions) {
        const fac = p.replace(/^sessions\//, 'facilitator/sessions/');
        await page.goto(base + p, { waitUntil: 'load' });
        if (!(await hrefs()).includes(`/${fac}`)) problems.push(`${p} does not link ${fac}`);
        await page.goto(base + fac, { waitUntil: 'load' });
        if (!(await hrefs()).includes(`/${p}`)) problems.push(`${fac} does not link ${p}`);
      }
      assert(problems.length === 0, problems.join('\n'));
    });
    await check('the worksheets indexes link every worksheet of their audience', async () => {
      const problems = [];
      await page.goto(base + 'worksheets/index.html', { waitUntil: 'load' });
      const part = await hrefs();
      for (const p of worksheetPages) if (!part.includes(`/${p}`)) problems.push(`worksheets/index.html misses ${p}`);
      await page.goto(base + 'facilitator/worksheets/index.html', { waitUntil: 'load' });
      const fac = await hrefs();
      const facWs = pagesUnder('facilitator/worksheets').filter((p) => p !== 'facilitator/worksheets/index.html');
      for (const p of [...worksheetPages, ...facWs]) if (!fac.includes(`/${p}`)) problems.push(`facilitator/worksheets/index.html misses ${p}`);
      await page.goto(base + 'index.html', { waitUntil: 'load' });
      const menu = await page.evaluate(() => [...document.querySelectorAll('.site-nav a')].map((a) => a.getAttribute('href')));
      if (!menu.includes('worksheets/index.html')) problems.push(`the menu has no worksheets index: ${menu}`);
      assert(problems.length === 0, problems.join('\n'));
    });
    await check('the run sheet keeps its ticks on the device', async () => {
      await page.goto(base + runSheets[0], { waitUntil: 'load' });
      const boxes = page.locator('.run-checklist input[type="checkbox"]');
      assert((await boxes.count()) > 0, 'no tick boxes');
      await boxes.nth(0).check();
      await page.reload({ waitUntil: 'load' });
      assert(await page.locator('.run-checklist input[type="checkbox"]').nth(0).isChecked(), 'the tick is gone after a reload');
      assert(!(await page.locator('.run-checklist input[type="checkbox"]').nth(1).isChecked()), 'another item is ticked');
    });
    await context.close();
  } finally {
    await browser.close();
    server.close();
  }
  finish();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
