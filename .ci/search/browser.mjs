#!/usr/bin/env node
// browser.mjs: finding things (issues 13 and 15) in Debian's headless
// Chromium, on built sites opened from disk (file://), as a reader would
// open a site copied to their computer (playwright-core from
// .ci/a11y/node_modules; no browser download).
//
//   node .ci/search/browser.mjs --dir output --zh DIR [--shots DIR] [--chromium /usr/bin/chromium]
//
// --dir is the built sample, --zh the built Chinese fixture
// (tests/fixtures/search/zh). Checks:
//  - the header's search box (1024 px: in the header; 375 px: in the menu)
//    leads to the search page, where "boundary" ranks the Boundaries
//    session first, and the facilitators' box searches facilitator pages;
//  - a glossary term is its own result and goes to its place on the page;
//  - in the Chinese site, a query without spaces finds its page, with
//    Intl.Segmenter and without it (the bigram fallback);
//  - the exercise library's filters narrow the list, an exercise's tag
//    opens it filtered by that tag, and without JavaScript
//    the filters are not shown and every exercise is listed;
//  - a link to a prompt opens its folded set in the prompt library.
// With --shots, screenshots of the header at 375 px (menu closed and open)
// and 1024 px. Prints "N passed, N failed"; exit status 1 when anything failed.

import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CHROMIUM_ARGS, assert, option as opt, runner } from '../browser-lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const require = createRequire(path.join(ROOT, '.ci', 'a11y', 'package.json'));
const { chromium } = require('playwright-core');

const DIR = path.resolve(opt('--dir', path.join(ROOT, 'output')));
const ZH = opt('--zh', '') && path.resolve(opt('--zh', ''));
const SHOTS = opt('--shots', '') && path.resolve(opt('--shots', ''));
const CHROMIUM = opt('--chromium', process.env.CHROMIUM_PATH || '/usr/bin/chromium');
// A page's file:// address; `after` (#… or ?…) is added as it is.
const file = (dir, rel, after = '') => pathToFileURL(path.join(dir, rel)).href + after;

const { check, finish } = runner();

// Types a query into the header's search box and waits for the results.
async function headerSearch(page, q) {
  const input = page.locator('#site-search-input');
  if (!(await input.isVisible())) await page.locator('.site-menu > summary').click();
  assert(await input.isVisible(), 'the header search box is not visible, even with the menu open');
  await input.fill(q);
  await input.press('Enter');
  await page.waitForURL(/search\/index\.html\?q=/);
  await page.waitForFunction(() => /\S/.test(document.getElementById('search-status').textContent));
  return page.evaluate(() => [...document.querySelectorAll('#search-results > li > a')].map((a) => ({
    title: a.textContent, href: a.getAttribute('href'),
  })));
}

async function main() {
  assert(fs.existsSync(path.join(DIR, 'search', 'search-index.js')), `no built site with search in ${DIR}`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, '--allow-file-access-from-files'] });
  const errors = [];
  const newPage = async (options) => {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
    return page;
  };
  try {
    const wide = await newPage({ viewport: { width: 1024, height: 768 } });
    const phone = await newPage({ viewport: { width: 375, height: 812 } });

    await check('1024 px, from disk: the header search finds the Boundaries session first for "boundary"', async () => {
      await wide.goto(file(DIR, 'sessions/finding-our-footing/index.html'));
      assert(await wide.locator('#site-search-input').isVisible(), 'no visible search box in the header');
      const label = await wide.locator('label[for="site-search-input"]').textContent();
      assert(label.trim(), 'the header search box has no label');
      const hits = await headerSearch(wide, 'boundary');
      assert(hits.length > 1, `results: ${JSON.stringify(hits)}`);
      assert(/^Boundaries: where I end/.test(hits[0].title), `first result: ${hits[0].title}`);
      assert(hits[0].href.endsWith('sessions/boundaries/index.html'), `first result goes to ${hits[0].href}`);
    });

    await check('375 px: the search box is in the menu, and "ground" finds grounding', async () => {
      await phone.goto(file(DIR, 'index.html'));
      assert(!(await phone.locator('#site-search-input').isVisible()), 'the search box shows with the menu closed');
      const hits = await headerSearch(phone, 'ground');
      assert(hits.some((h) => /grounding/i.test(h.title)), `results: ${JSON.stringify(hits)}`);
    });

    await check('facilitator pages: the header search searches facilitator pages', async () => {
      await wide.goto(file(DIR, 'facilitator/index.html'));
      const hits = await headerSearch(wide, 'boundary');
      assert(wide.url().includes('/facilitator/search/index.html'), `went to ${wide.url()}`);
      assert(hits[0].href.endsWith('facilitator/sessions/boundaries/index.html'), `first result goes to ${hits[0].href}`);
    });

    await check('a glossary term is its own result and goes to its place on the glossary page', async () => {
      await wide.goto(file(DIR, 'index.html'));
      const hits = await headerSearch(wide, 'confidentiality');
      const term = hits.find((h) => /glossary\/index\.html#term-/.test(h.href));
      assert(term, `no glossary term in ${JSON.stringify(hits)}`);
      await wide.locator(`#search-results a[href="${term.href}"]`).click();
      await wide.waitForURL(/glossary\/index\.html#term-/);
      const id = decodeURIComponent(new URL(wide.url()).hash.slice(1));
      const text = await wide.locator(`[id="${id}"]`).textContent();
      assert(text.trim() === term.title.trim(), `#${id} holds "${text}", not "${term.title}"`);
    });

    if (ZH) {
      for (const segmenter of [true, false]) {
        await check(`Chinese, from disk${segmenter ? '' : ', without Intl.Segmenter'}: a query without spaces finds its page`, async () => {
          const page = await newPage({ viewport: { width: 1024, height: 768 } });
          if (!segmenter) await page.context().addInitScript(() => { delete Intl.Segmenter; });
          await page.goto(file(ZH, 'index.html'));
          assert((await page.getAttribute('html', 'lang')) === 'zh', 'the fixture is not in Chinese');
          const hits = await headerSearch(page, '拒绝别人');
          assert(hits.length >= 1 && hits[0].title === '设定界线', `results: ${JSON.stringify(hits)}`);
          assert(hits[0].href.endsWith('sessions/saying-no/index.html'), `goes to ${hits[0].href}`);
          const mark = await page.locator('#search-results mark').first().textContent();
          assert(mark === '拒绝' || mark === '别人', `marked: ${mark}`);
          const five = await headerSearch(page, '五感');
          assert(five[0] && five[0].title === '五感落地练习', `五感: ${JSON.stringify(five)}`);
          await page.context().close();
        });
      }
    }

    await check('the exercise library filters by tag, time and group size; "Show all" brings all back', async () => {
      await wide.goto(file(DIR, 'exercises/index.html'));
      const form = wide.locator('#exercise-filters');
      assert(await form.isVisible(), 'the filters are not shown');
      const visible = () => wide.locator('#exercise-list > li:visible').count();
      const all = await wide.locator('#exercise-list > li').count();
      assert((await visible()) === all, 'not every exercise is shown at first');
      const tags = await wide.locator('#filter-tag option').evaluateAll((o) => o.map((x) => x.value).filter(Boolean));
      assert(tags.length > 1, 'no tags to choose');
      await wide.selectOption('#filter-tag', tags[0]);
      const byTag = await visible();
      assert(byTag > 0 && byTag < all, `tag ${tags[0]}: ${byTag} of ${all}`);
      const status = await wide.locator('#filter-status').textContent();
      assert(status.includes(String(byTag)) && status.includes(String(all)), `status: ${status}`);
      await wide.locator('#exercise-filters button[type="reset"]').click();
      await wide.waitForFunction((n) => document.querySelectorAll('#exercise-list > li:not([hidden])').length === n, all);
      const mins = await wide.locator('#filter-minutes option').evaluateAll((o) => o.map((x) => x.value).filter(Boolean));
      await wide.selectOption('#filter-minutes', mins[0]);
      const short = await visible();
      assert(short > 0 && short < all, `up to ${mins[0]} minutes: ${short} of ${all}`);
      await wide.selectOption('#filter-minutes', '');
      await wide.fill('#filter-group', '1000');
      const none = await visible();
      assert(none < all, `a group of 1000: ${none} of ${all}`);
    });

    await check('a tag on an exercise page opens the library showing that tag', async () => {
      await wide.goto(file(DIR, 'exercises/boundary-scripts/index.html'));
      const tag = wide.locator('main a[href*="exercises/index.html?tag="]').first();
      const name = (await tag.textContent()).trim();
      await tag.click();
      await wide.waitForURL(/exercises\/index\.html\?tag=/);
      assert((await wide.inputValue('#filter-tag')) === name, `the tag filter is not ${name}`);
      const shown = await wide.locator('#exercise-list > li:visible').count();
      const all = await wide.locator('#exercise-list > li').count();
      assert(shown > 0 && shown < all, `${shown} of ${all} shown for ${name}`);
    });

    await check('without JavaScript the exercise library lists everything and shows no filters or fake buttons', async () => {
      const page = await newPage({ viewport: { width: 1024, height: 768 }, javaScriptEnabled: false });
      await page.goto(file(DIR, 'exercises/index.html'));
      assert(!(await page.locator('#exercise-filters').isVisible()), 'filters shown without JavaScript');
      const n = await page.locator('#exercise-list > li').count();
      assert(n > 1 && (await page.locator('#exercise-list > li:visible').count()) === n, 'not every exercise is listed');
      assert((await page.locator('main .tag').count()) === 0, 'tags still look like buttons');
      await page.context().close();
    });

    await check('a link to a prompt opens its folded set in the prompt library', async () => {
      await wide.goto(file(DIR, 'prompts/index.html'));
      const closed = await wide.locator('.prompt-set details:not([open])').count();
      assert(closed > 0, 'the prompt sets are not folded');
      const id = await wide.locator('.prompt-set details [id^="prompt-"]').first().getAttribute('id');
      await wide.goto(file(DIR, 'prompts/index.html', `#${id}`));
      await wide.waitForFunction((x) => document.getElementById(x).closest('details').open, id);
      assert(await wide.locator(`[id="${id}"]`).isVisible(), 'the prompt is not visible');
    });

    if (SHOTS) {
      await check(`screenshots of the header in ${SHOTS}`, async () => {
        fs.mkdirSync(SHOTS, { recursive: true });
        await phone.goto(file(DIR, 'index.html'));
        await phone.screenshot({ path: path.join(SHOTS, 'header-375.png') });
        await phone.locator('.site-menu > summary').click();
        await phone.screenshot({ path: path.join(SHOTS, 'header-375-menu.png') });
        await wide.goto(file(DIR, 'index.html'));
        await wide.screenshot({ path: path.join(SHOTS, 'header-1024.png') });
        await wide.goto(file(DIR, 'facilitator/index.html'));
        await wide.screenshot({ path: path.join(SHOTS, 'header-1024-facilitator.png') });
        if (ZH) {
          await wide.goto(file(ZH, 'search/index.html', '?q=' + encodeURIComponent('拒绝别人')));
          await wide.waitForFunction(() => document.querySelectorAll('#search-results li').length > 0);
          await wide.screenshot({ path: path.join(SHOTS, 'search-zh-1024.png') });
        }
      });
    }

    await check('no script errors on the pages opened', async () => {
      assert(errors.length === 0, errors.join('\n'));
    });
  } finally {
    await browser.close();
  }
  finish();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
