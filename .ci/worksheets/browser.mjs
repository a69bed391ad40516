#!/usr/bin/env node
// browser.mjs: the worksheet forms of a built cairn site, in Debian's headless
// Chromium (playwright-core, from .ci/a11y/node_modules; no browser download).
//
//   node .ci/worksheets/browser.mjs [--dir output] [--chromium /usr/bin/chromium] [--shots DIR]
//
// Serves the folder on 127.0.0.1 (.ci/browser-lib.mjs; an http origin: localStorage on file:// varies
// by browser) and checks, on the sample program:
//  - every block type: fills every control of every worksheet page (all rounds),
//    reloads, and finds every answer again; one field typed key by key and a
//    radio group moved with the arrow keys are kept too;
//  - export to a file, clear (with its confirmation), import, and every answer is back;
//  - broken files (not JSON, another worksheet, a tampered answer) are refused
//    with a message in a role="alert" region, and change nothing;
//  - a repeated, scored worksheet filled in two rounds: the chart's table has
//    both rounds with the right scores per subscale, the bands, and the chart;
//  - an alert shows at once (role="alert", with the program's support text)
//    and goes when the answer changes;
//  - without JavaScript the page is a complete form; in print the tools are hidden;
//  - the session page links to the form and says where answers are kept;
//  - every request stays on the page's own origin;
//  - axe-core (WCAG 2.2 A and AA) finds no violation on the filled pages
//    (light at 1280 px, dark at 320 px).
// Prints "N passed, N failed"; exit status 1 when anything failed.

import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, assert, runner, serve } from '../browser-lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const require = createRequire(path.join(ROOT, '.ci', 'a11y', 'package.json'));
const { chromium } = require('playwright-core');
const axeSource = require('axe-core').source;

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const DIR = path.resolve(opt('--dir', path.join(ROOT, 'output')));
const CHROMIUM = opt('--chromium', process.env.CHROMIUM_PATH || '/usr/bin/chromium');
const SHOTS = opt('--shots', null);

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];
const BLOCK_TYPES = ['text', 'date', 'lines', 'goal', 'gas', 'tracker', 'scale', 'rating', 'checklist', 'table', 'number'];
const SCORED = 'worksheets/how-am-i-doing/index.html';

// ---------------------------------------------------------------- results
const { check, finish } = runner();
function eq(a, b, msg) {
  const ja = JSON.stringify(a);
  const jb = JSON.stringify(b);
  if (ja !== jb) throw new Error(`${msg}\n       got:      ${ja.slice(0, 600)}\n       expected: ${jb.slice(0, 600)}`);
}

// ---------------------------------------------------------------- static server

// ---------------------------------------------------------------- page helpers
// Every answer on the page, by control name (radios: the checked value).
const snapshot = (page) => page.evaluate(() => {
  const out = {};
  for (const c of document.querySelectorAll('form.worksheet input[name], form.worksheet textarea[name], form.worksheet select[name]')) {
    if (c.type === 'radio') {
      if (!(c.name in out)) out[c.name] = null;
      if (c.checked) out[c.name] = c.value;
    } else if (c.type === 'checkbox') out[c.name] = c.checked;
    else out[c.name] = c.value;
  }
  return out;
});
// This page's worksheet's keys in localStorage ("cairn:PROGRAM:WORKSHEET[:ROUND]").
const storageKeys = (page) => page.evaluate(() => {
  const f = document.querySelector('form.worksheet');
  const base = `cairn:${f.dataset.program}:${f.dataset.worksheet}`;
  return Object.keys(localStorage).filter((k) => k === base || k.startsWith(`${base}:`)).sort();
});
const storageDump = (page) => page.evaluate(() => Object.fromEntries(Object.keys(localStorage).sort().map((k) => [k, localStorage.getItem(k)])));

// Rounds of a page: the tabs when the worksheet is repeated, else one "round".
async function rounds(page) {
  const tabs = await page.locator('form.worksheet [role="tab"]').all();
  return tabs.length ? tabs : [null];
}
function scopeOf(page, tab) {
  return tab ? tab.getAttribute('aria-controls').then((id) => page.locator(`#${id}`)) : Promise.resolve(page.locator('form.worksheet'));
}

// Fills every control, as a person would (click, type), with answers that
// differ by control. Returns the block types it met.
async function fillAll(page, seed) {
  const types = new Set(await page.locator('form.worksheet [data-block]').evaluateAll((els) => els.map((e) => e.dataset.block)));
  let n = seed;
  for (const tab of await rounds(page)) {
    if (tab) await tab.click();
    const scope = await scopeOf(page, tab);
    const controls = await scope.locator('input[name], textarea[name], select[name]').evaluateAll((els) => els.map((e) => ({
      name: e.name, type: e.type, value: e.value, options: e.tagName === 'SELECT' ? [...e.options].map((o) => o.value).filter(Boolean) : null,
    })));
    const radioGroups = new Map();
    for (const c of controls) {
      n++;
      const sel = `[name="${c.name}"]`;
      if (c.type === 'radio') {
        if (!radioGroups.has(c.name)) radioGroups.set(c.name, []);
        radioGroups.get(c.name).push(c.value);
      } else if (c.options) {
        // a tracker mark: one of the tracker's marks, chosen by its value
        await scope.locator(sel).selectOption(c.options[n % c.options.length]);
      } else if (c.type === 'checkbox') {
        if (n % 2 === 0) await scope.locator(sel).check();
      } else if (c.type === 'date') {
        await scope.locator(sel).fill(`2026-0${1 + (n % 9)}-1${n % 10}`);
      } else if (c.type === 'number') {
        await scope.locator(sel).fill(`${n % 300}.5`);
      } else {
        await scope.locator(sel).fill(`Answer ${n}: “${c.name.slice(-12)}” & <b>not markup</b>`);
      }
    }
    for (const [name, values] of radioGroups) {
      n++;
      const v = values[n % values.length];
      // click the visible label, as a person would
      await scope.locator(`[name="${name}"][value="${v}"]`).check();
    }
  }
  return types;
}

async function axe(page, label) {
  await page.evaluate(axeSource); // evaluated by the driver: the page's CSP (rightly) refuses inline scripts
  const res = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  }, AXE_TAGS);
  eq(res, [], `axe violations on ${label}`);
}

async function shot(page, name) {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

// ---------------------------------------------------------------- the run
async function main() {
  if (!fs.existsSync(path.join(DIR, SCORED))) {
    console.error(`browser.mjs: no ${path.join(DIR, SCORED)}; build the sample first (cairn build)`);
    process.exit(2);
  }
  const server = await serve(DIR);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const base = `${origin}/`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light', acceptDownloads: true });
  const requests = [];
  context.on('request', (r) => requests.push(r.url()));
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/favicon/.test(m.location().url || '')) pageErrors.push(m.text());
  });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-ws-'));

  const pages = [];
  for (const sub of ['worksheets', path.join('facilitator', 'worksheets')]) {
    const d = path.join(DIR, sub);
    if (!fs.existsSync(d)) continue;
    for (const id of fs.readdirSync(d).sort()) {
      if (fs.existsSync(path.join(d, id, 'index.html'))) pages.push(`${sub.split(path.sep).join('/')}/${id}/index.html`);
    }
  }

  // 1. every block type of every worksheet: fill, reload, find again
  const seen = new Set();
  for (const [i, rel] of pages.entries()) {
    await check(`fill every control of ${rel}, reload, every answer is kept`, async () => {
      await page.goto(base + rel);
      await page.locator('.ws-panel:not([hidden])').waitFor();
      const types = await fillAll(page, i * 1000);
      types.forEach((t) => seen.add(t));
      const before = await snapshot(page);
      const filled = Object.values(before).filter((v) => v !== null && v !== '' && v !== false).length;
      assert(filled > 0, 'nothing was filled');
      assert(Object.values(before).every((v) => v !== null && v !== ''), 'a text field or radio group was left empty');
      assert((await storageKeys(page)).length > 0, 'nothing in localStorage');
      await page.reload();
      eq(await snapshot(page), before, `answers after reload on ${rel}`);
      await axe(page, `${rel} (filled, light, 1280 px)`);
    });
  }
  await check('the sample covers every block type', async () => {
    eq(BLOCK_TYPES.filter((t) => !seen.has(t)), [], 'block types never filled');
  });

  // 2. typed key by key, and radios by keyboard
  await check('typing is saved as it happens; a radio group works with the arrow keys', async () => {
    await page.goto(base + 'worksheets/action-plan/index.html');
    const field = page.getByLabel('My next goal');
    await field.fill('');
    await field.pressSequentially('Walk on Mondays');
    const rating = page.locator('fieldset.rating input[type="radio"]');
    await rating.nth(3).focus();
    await rating.nth(3).check();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    eq(await page.locator('fieldset.rating input:checked').getAttribute('value'), '5', 'arrow keys move the choice');
    await page.reload(); // no blur, no submit: saved on every keystroke
    eq(await page.getByLabel('My next goal').inputValue(), 'Walk on Mondays', 'typed text kept');
    eq(await page.locator('fieldset.rating input:checked').getAttribute('value'), '5', 'keyboard choice kept');
  });

  // 3. export, clear, import (on the repeated worksheet and on one with a goal and GAS)
  const exported = {};
  for (const rel of [SCORED, 'worksheets/smart-goal/index.html']) {
    await check(`${rel}: export, clear, import, and every answer is back`, async () => {
      await page.goto(base + rel);
      const before = await snapshot(page);
      const storeBefore = await storageDump(page);
      assert(Object.values(before).some((v) => v && v !== null), 'page has answers from step 1');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export answers' }).click()]);
      const file = path.join(tmp, download.suggestedFilename());
      await download.saveAs(file);
      exported[rel] = file;
      assert(/^steady-ground-.+-\d{4}-\d{2}-\d{2}\.json$/.test(download.suggestedFilename()), `file name ${download.suggestedFilename()}`);
      const data = JSON.parse(fs.readFileSync(file, 'utf8'));
      eq([data.format, data.version, data.program], ['cairn-worksheet-answers', 1, 'steady-ground'], 'file header');
      await page.locator('.ws-status', { hasText: 'downloads' }).waitFor();
      // clear asks first; "No" keeps everything
      await page.getByRole('button', { name: 'Clear answers' }).click();
      // the safe choice has the focus and is the primary button
      eq(await page.evaluate(() => document.activeElement.textContent), 'Keep my answers', 'focus on "Keep my answers"');
      eq(await page.getByRole('button', { name: 'Keep my answers' }).getAttribute('class'), 'button-primary', '"Keep my answers" is the strong button');
      eq(await page.getByRole('button', { name: 'Delete my answers' }).getAttribute('class'), 'button-quiet', 'deleting is the secondary button');
      await page.keyboard.press('Enter');
      eq(await page.locator('.ws-confirm').isHidden(), true, 'Enter on the default keeps the answers and closes the question');
      eq(await snapshot(page), before, 'answers kept after "Keep my answers"');
      await page.getByRole('button', { name: 'Clear answers' }).click();
      await page.getByRole('button', { name: 'Delete my answers' }).click();
      const cleared = await snapshot(page);
      assert(Object.values(cleared).every((v) => v === null || v === '' || v === false), 'every answer cleared');
      eq(await storageKeys(page), [], 'localStorage emptied');
      await page.reload();
      assert(Object.values(await snapshot(page)).every((v) => v === null || v === '' || v === false), 'still cleared after reload');
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Import answers' }).click()]);
      await chooser.setFiles(file);
      await page.locator('.ws-status', { hasText: 'imported' }).waitFor();
      eq(await snapshot(page), before, 'answers after import');
      eq(Object.keys(await storageDump(page)), Object.keys(storeBefore), 'saved under the same keys');
      assert((await storageKeys(page)).length > 0, 'saved again');
      await page.reload();
      eq(await snapshot(page), before, 'answers after import and reload');
    });
  }

  // 4. broken files are refused and change nothing
  await check('a wrong or damaged file is refused with a clear message, and nothing changes', async () => {
    await page.goto(base + SCORED);
    const before = await snapshot(page);
    const store = await storageDump(page);
    const good = JSON.parse(fs.readFileSync(exported[SCORED], 'utf8'));
    const other = JSON.parse(fs.readFileSync(exported['worksheets/smart-goal/index.html'], 'utf8'));
    const tampered = structuredClone(good);
    const k = Object.keys(tampered.rounds[0].answers).find((x) => /calm-myself$/.test(x));
    tampered.rounds[0].answers[k] = '9';
    const extra = structuredClone(good);
    extra.rounds[1].answers['b1-not-a-question'] = 'x';
    const cases = [
      ['damaged.json', '{"format": "cairn-worksheet-answers", "rounds": [', /damaged/],
      ['other.json', JSON.stringify(other), /not to “How am I doing\?”/],
      ['tampered.json', JSON.stringify(tampered), /do not fit this worksheet/],
      ['extra.json', JSON.stringify(extra), /do not fit this worksheet/],
      ['wrong.json', JSON.stringify({ hello: 'world' }), /not a worksheet answers file/],
      ['rounds.json', JSON.stringify({ ...good, rounds: good.rounds.slice(1) }), /rounds/],
    ];
    for (const [name, body, msg] of cases) {
      const f = path.join(tmp, name);
      fs.writeFileSync(f, body);
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Import answers' }).click()]);
      await chooser.setFiles(f);
      const alert = page.locator('.ws-panel [role="alert"]');
      await alert.filter({ hasText: msg }).waitFor({ timeout: 5000 });
      assert(/Nothing was changed/.test(await alert.innerText()), `${name}: says nothing was changed`);
      eq(await snapshot(page), before, `${name}: answers unchanged`);
      eq(await storageDump(page), store, `${name}: storage unchanged`);
    }
  });

  // 5. a repeated, scored worksheet in two rounds; the alert
  await check('two rounds of a scored worksheet: scores, bands, chart and table', async () => {
    await page.goto(base + SCORED);
    await page.getByRole('button', { name: 'Clear answers' }).click();
    await page.getByRole('button', { name: 'Delete my answers' }).click();
    eq(await page.locator('.ws-progress-table').count(), 0, 'no table before any answer');
    const anchors = ['Never', 'Rarely', 'Sometimes', 'Often', 'Almost always'];
    const items = ['calm-myself', 'too-big', 'small-step', 'no-hope', 'reach-out', 'alone', 'say-needs', 'patient-self', 'hard-on-self'];
    // Start: coping (4 + (6-2) + 3 + (6-3)) / 4 = 3.5; connection (4 + (6-2) + 3) / 3 = 3.67; self-kindness (4 + (6-1)) / 2 = 4.5
    // Middle: coping (5 + (6-1) + 4 + (6-2)) / 4 = 4.5; connection (4 + (6-2) + 4) / 3 = 4; self-kindness (2 + (6-4)) / 2 = 2
    const plan = { Start: [4, 2, 3, 3, 4, 2, 3, 4, 1], Middle: [5, 1, 4, 2, 4, 2, 4, 2, 4] };
    for (const [round, vals] of Object.entries(plan)) {
      await page.getByRole('tab', { name: new RegExp(`^${round}`) }).click();
      const panel = page.getByRole('tabpanel', { name: new RegExp(`^${round}`) });
      await panel.getByLabel('Date filled in').fill(round === 'Start' ? '2026-03-02' : '2026-04-13');
      for (const [i, id] of items.entries()) {
        await panel.locator(`fieldset[data-item="${id}"]`).getByLabel(anchors[vals[i] - 1], { exact: true }).check();
      }
    }
    const table = await page.locator('.ws-progress-table table').evaluate((t) => ({
      head: [...t.tHead.rows[0].cells].map((c) => c.textContent.trim()),
      rows: [...t.tBodies[0].rows].map((r) => [...r.cells].map((c) => c.textContent.trim())),
    }));
    eq(table.head, ['Part', 'Start', 'Middle', 'End'], 'table columns');
    eq(table.rows, [
      ['Coping', '3.5 out of 5', '4.5 out of 5', 'Not yet'],
      ['Connection', '3.67 out of 5', '4 out of 5', 'Not yet'],
      ['Self-kindness', '4.5 out of 5', '2 out of 5', 'Not yet'],
    ], 'scores by round, each out of its most');
    const bands = await page.locator('.ws-result').evaluateAll((els) => els.map((e) => [e.dataset.round,
      [...e.querySelectorAll('.ws-score-row')].map((r) => `${r.dataset.subscale} ${r.querySelector('.ws-score').textContent} ${r.querySelector('.ws-band').textContent}`),
      [...e.querySelectorAll('.ws-band-text')].length]));
    eq(bands, [
      ['Start', ['coping 3.5 out of 5 Building steady ground', 'connection 3.67 out of 5 Building steady ground', 'self-kindness 4.5 out of 5 Standing steadier'], 2],
      ['Middle', ['coping 4.5 out of 5 Standing steadier', 'connection 4 out of 5 Standing steadier', 'self-kindness 2 out of 5 Finding your footing'], 2],
    ], 'score and band per subscale and round, with the band texts');
    // bands toned by which way is better (higher here), and named
    eq(await page.locator('.ws-result[data-round="Middle"] .ws-band').evaluateAll((els) => els.map((e) => e.dataset.tone)),
      ['good', 'good', 'hard'], 'band tones: the top band good, the bottom hard');
    eq(await page.locator('.ws-chart .ws-band-label').allTextContents(),
      ['Finding your footing', 'Building steady ground', 'Standing steadier'], 'each band named on the chart');
    eq(await page.locator('.ws-chart figcaption li').allInnerTexts(),
      ['Standing steadier: 3.75 to 5', 'Building steady ground: 2.5 to 3.74', 'Finding your footing: 1 to 2.49'], 'the bands listed under the chart');
    eq(await page.locator('.ws-score-row[data-subscale="coping"] dt').first().innerText(), 'Coping (higher is better)', 'each part says which way is better');
    eq(await page.locator('.ws-chart svg[role="img"] .ws-marker').count(), 6, 'six points on the chart');
    eq(await page.locator('.ws-chart svg[role="img"] .ws-line').count(), 3, 'a line per subscale');
    const changes = await page.locator('.ws-changes li').allInnerTexts();
    eq(changes, [
      'Better: Coping went up by 1, from 3.5 to 4.5 out of 5, between Start and Middle (here a higher score is better).',
      'Better: Connection went up by 0.33, from 3.67 to 4 out of 5, between Start and Middle (here a higher score is better).',
      'Worse: Self-kindness went down by 2.5, from 4.5 to 2 out of 5, between Start and Middle (here a higher score is better).',
    ], 'the change in words, better or worse by the direction');
    eq(await page.locator('.ws-changes li').evaluateAll((els) => els.map((e) => e.dataset.verdict)), ['better', 'better', 'worse'], 'verdicts');
    eq(await page.getByRole('tab', { name: /^End/ }).getAttribute('aria-selected'), 'false', 'End not selected');
    await page.reload();
    // Middle is complete: the page reopens on the next round to fill in
    eq(await page.getByRole('tab', { name: /^End/ }).getAttribute('aria-selected'), 'true', 'reopens on the next round');
    eq(await page.locator('.ws-progress-table tbody tr:first-child td').allInnerTexts(), ['3.5 out of 5', '4.5 out of 5', 'Not yet'], 'table after reload');
  });

  // 5a. a number block, kept per round and charted like the scores
  await check('a number block: kept per round, exported, charted with its unit and the change in neutral words', async () => {
    await page.goto(base + SCORED);
    const numbers = page.locator('#ws-how-am-i-doing-numbers');
    eq(await numbers.locator('.ws-chart').count(), 0, 'no numbers chart before any number');
    const plan = { Start: '60', Middle: '45.5' };
    for (const [round, v] of Object.entries(plan)) {
      await page.getByRole('tab', { name: new RegExp(`^${round}`) }).click();
      const panel = page.getByRole('tabpanel', { name: new RegExp(`^${round}`) });
      const box = panel.getByRole('spinbutton', { name: 'Minutes of calm practice this week' });
      eq(await box.getAttribute('inputmode'), 'decimal', 'a decimal keypad');
      const described = await box.evaluate((el) => el.getAttribute('aria-describedby').split(' ').map((id) => document.getElementById(id).textContent.trim()));
      eq(described[0], '0 to 300 minutes', 'the range and unit read with the box');
      await box.fill(v);
      await box.blur();
    }
    const table = await numbers.locator('.ws-progress-table table').evaluate((t) => [...t.tBodies[0].rows].map((r) => [...r.cells].map((c) => c.textContent.trim())));
    eq(table, [['Minutes of calm practice this week', '60 minutes', '45.5 minutes', 'Not yet']], 'numbers by round, with the unit');
    eq(await numbers.locator('.ws-changes li').allInnerTexts(),
      ['Minutes of calm practice this week went down by 14.5 minutes, from 60 minutes to 45.5 minutes, between Start and Middle.'], 'the change, told not judged');
    eq(await numbers.locator('.ws-changes li').evaluateAll((els) => els.map((e) => e.className)), ['ws-change ws-change-neutral'], 'no verdict');
    eq(await numbers.locator('.ws-chart svg[role="img"] .ws-marker').count(), 2, 'a point per round filled in');
    eq(await numbers.locator('.ws-chart svg[role="img"] .ws-line').count(), 1, 'one line');
    eq(await numbers.locator('.ws-legend li').allInnerTexts(), ['Minutes of calm practice this week (minutes)'], 'the line named with its unit');
    await page.reload();
    eq(await page.locator('#ws-how-am-i-doing-r2-b2').inputValue(), '45.5', 'kept after reload');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export answers' }).click()]);
    const file = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
    eq([file.rounds[0].answers.b2, file.rounds[1].answers.b2], ['60', '45.5'], 'exported per round');
    await axe(page, `${SCORED} with numbers`);
    // leave the page as the later checks expect it: no numbers
    for (const round of Object.keys(plan)) {
      await page.getByRole('tab', { name: new RegExp(`^${round}`) }).click();
      const box = page.getByRole('tabpanel', { name: new RegExp(`^${round}`) }).getByRole('spinbutton');
      await box.fill('');
      await box.blur();
    }
    eq(await numbers.locator('.ws-chart').count(), 0, 'no numbers chart once cleared');
  });

  // 5b. a scale where a higher score is worse
  await check('a scale where lower is better: a drop reads "Better", the bands are toned that way', async () => {
    await page.goto(base + 'worksheets/stress-load/index.html');
    const items = ['sleep', 'tense', 'snap', 'on-edge', 'dropped'];
    const plan = { 'Session 5': [4, 4, 4, 4, 4], 'Session 8': [3, 2, 3, 2, 2] };
    for (const [round, vals] of Object.entries(plan)) {
      await page.getByRole('tab', { name: new RegExp(`^${round}`) }).click();
      const panel = page.getByRole('tabpanel', { name: new RegExp(`^${round}`) });
      for (const [i, id] of items.entries()) {
        await panel.locator(`fieldset[data-item="${id}"] input[value="${vals[i]}"]`).check();
      }
    }
    const changes = await page.locator('.ws-changes li').allInnerTexts();
    eq(changes, [
      'Better: Body went down by 1.5, from 4 to 2.5 out of 5, between Session 5 and Session 8 (here a lower score is better).',
      'Better: Mood went down by 1.67, from 4 to 2.33 out of 5, between Session 5 and Session 8 (here a lower score is better).',
    ], 'going down is better here');
    eq(await page.locator('.ws-result[data-round="Session 5"] .ws-band').evaluateAll((els) => els.map((e) => [e.textContent, e.dataset.tone])),
      [['Carrying a lot', 'hard'], ['Carrying a lot', 'hard']], 'the top band is the hard one');
    eq(await page.locator('.ws-result[data-round="Session 8"] .ws-band').evaluateAll((els) => els.map((e) => [e.textContent, e.dataset.tone])),
      [['A heavy load', 'mid'], ['A lighter load', 'good']], 'the bottom band is the good one');
    eq(await page.locator('.ws-score-row[data-subscale="body"] dt').first().innerText(), 'Body (lower is better)', 'the part says lower is better');
    eq(await page.locator('.ws-chart rect.ws-stripe-hard').count(), 1, 'the chart tones the hard band');
    eq(await page.locator('.ws-scoring .ws-better').innerText(), 'A lower score is better.', 'the printed rule says it too');
    await axe(page, 'stress-load (two rounds scored)');
    // the look eases colours over 0.15 s, except for readers who ask for
    // less motion: ask for that, and let any transition still running
    // finish, or axe may measure contrast between two half-changed colours
    await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
    await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished)));
    await axe(page, 'stress-load (two rounds scored, dark)');
    await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference' });
  });

  // 5c. a tracker with its own marks
  await check('a tracker offers its marks, keeps them, and names each cell', async () => {
    await page.goto(base + 'worksheets/weekly-goals/index.html');
    await page.getByLabel('Goal or habit 1').fill('Walk 15 minutes');
    const cell = page.getByRole('combobox', { name: 'Walk 15 minutes, Week 2' });
    eq(await cell.locator('option').allTextContents(), ['Not marked', '✓ done', '~ partly done'], 'the marks, and none');
    await cell.selectOption('~');
    await page.getByRole('combobox', { name: 'Walk 15 minutes, Week 1' }).selectOption('✓');
    await page.reload();
    eq(await page.locator('#ws-weekly-goals-b1-row1-c2').inputValue(), '~', 'a mark is kept');
    eq(await page.locator('#ws-weekly-goals-b1-row1-c1').inputValue(), '✓', 'another mark is kept');
    eq((await page.locator('.ws-marks').textContent()).replace(/\s+/g, ' ').trim(), 'Marks: ✓ done ~ partly done', 'the legend');
    // exported and imported like any answer; a mark the tracker does not have is refused
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export answers' }).click()]);
    const file = path.join(tmp, 'marks.json');
    await download.saveAs(file);
    const data = JSON.parse(fs.readFileSync(file, 'utf8'));
    eq(data.rounds[0].answers['b1-row1-c2'], '~', 'the mark in the file');
    data.rounds[0].answers['b1-row1-c2'] = 'Z';
    fs.writeFileSync(file, JSON.stringify(data));
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Import answers' }).click()]);
    await chooser.setFiles(file);
    await page.locator('.ws-panel [role="alert"]').filter({ hasText: /do not fit this worksheet/ }).waitFor({ timeout: 5000 });
    eq(await page.locator('#ws-weekly-goals-b1-row1-c2').inputValue(), '~', 'an unknown mark changes nothing');
    await axe(page, 'weekly-goals with marks');
  });

  await check('an answer at the alert level shows the alert and support text at once, with role="alert"', async () => {
    await page.goto(base + SCORED);
    await page.getByRole('tab', { name: /^End/ }).click();
    const panel = page.getByRole('tabpanel', { name: /^End/ });
    const item = panel.locator('fieldset[data-item="no-hope"]');
    const slot = item.locator('[role="alert"]');
    eq((await slot.innerText()).trim(), '', 'no alert before answering');
    await item.getByLabel('Sometimes', { exact: true }).check(); // 3: below the alert's min of 4
    eq((await slot.innerText()).trim(), '', 'no alert at 3');
    await item.getByLabel('Often', { exact: true }).check(); // 4: reverse-scored as 2, but the answer as given counts
    const text = await slot.innerText(); // at once: no wait
    assert(/Please talk to your facilitator/.test(text), `alert text shown: ${text}`);
    assert(/call your local emergency number/.test(text) && /crisis line in your country/.test(text), 'program support text shown');
    assert(await slot.isVisible(), 'alert visible');
    await shot(page, 'alert');
    await page.reload();
    await page.getByRole('tab', { name: /^End/ }).click();
    assert(/Please talk to your facilitator/.test(await slot.innerText()), 'alert shown again after reload');
    await item.getByLabel('Rarely', { exact: true }).check();
    eq((await slot.innerText()).trim(), '', 'alert gone at 2');
    await item.getByLabel('Almost always', { exact: true }).check();
    assert(/Please talk to your facilitator/.test(await slot.innerText()), 'alert at 5');
  });

  await check('filled scored page passes axe (light 1280 px, and dark 320 px)', async () => {
    await page.goto(base + SCORED);
    await axe(page, `${SCORED} filled, light`);
    await shot(page, 'scored-light-1280');
    const dark = await browser.newContext({ viewport: { width: 320, height: 800 }, colorScheme: 'dark' });
    dark.on('request', (r) => requests.push(r.url()));
    const p2 = await dark.newPage();
    await p2.goto(base + SCORED);
    // the answers of the page above (two rounds and an alert)
    const storeAll = await storageDump(page);
    await p2.evaluate((s) => { localStorage.clear(); for (const [k, v] of Object.entries(s)) localStorage.setItem(k, v); }, storeAll);
    await p2.reload();
    eq(await p2.locator('.ws-chart svg[role="img"] .ws-marker').count(), 6, 'chart on the phone');
    const wide = await p2.evaluate(() => document.documentElement.scrollWidth);
    assert(wide <= 320, `the page is ${wide} px wide at 320 px`);
    await axe(p2, `${SCORED} filled, dark, 320 px`);
    await shot(p2, 'scored-dark-320');
    for (const rel of ['worksheets/smart-goal/index.html', 'worksheets/weekly-goals/index.html', 'worksheets/session-feedback/index.html']) {
      await p2.goto(base + rel);
      const w = await p2.evaluate(() => document.documentElement.scrollWidth);
      assert(w <= 320, `${rel} is ${w} px wide at 320 px`);
      await axe(p2, `${rel}, dark, 320 px`);
    }
    await dark.close();
  });

  // 6. print and no-JS
  await check('print shows the filled answers and scores, without the tools', async () => {
    await page.goto(base + SCORED);
    await page.emulateMedia({ media: 'print' });
    eq(await page.locator('.ws-panel').isVisible(), false, 'tools hidden in print');
    eq(await page.locator('[role="tablist"]').isVisible(), false, 'tabs hidden in print');
    for (const r of ['Start', 'Middle', 'End']) eq(await page.locator(`section.ws-round[data-round="${r}"]`).isVisible(), true, `${r} printed`);
    eq(await page.locator('.ws-progress-table').isVisible(), true, 'scores printed');
    await page.emulateMedia({ media: 'screen' });
    eq(await page.locator('section.ws-round[data-round="Start"]').isVisible(), false, 'one round at a time on screen');
  });

  await check('without JavaScript the page is a complete, printable worksheet', async () => {
    const nojs = await browser.newContext({ javaScriptEnabled: false });
    nojs.on('request', (r) => requests.push(r.url()));
    const p = await nojs.newPage();
    for (const rel of [SCORED, 'worksheets/smart-goal/index.html']) {
      await p.goto(base + rel);
      eq(await p.locator('.ws-panel').isVisible(), false, 'no dead buttons');
      assert(await p.locator('noscript').count() === 1, 'a note on what works without JavaScript');
      const visible = await p.locator('form.worksheet input[name], form.worksheet textarea[name]').evaluateAll((els) => els.filter((e) => e.offsetParent !== null || e.type === 'radio' || e.type === 'checkbox').length);
      const all = await p.locator('form.worksheet input[name], form.worksheet textarea[name]').count();
      eq(visible, all, `${rel}: every control shown`);
      // Enter in a field must not send the answers anywhere (method="dialog")
      const field = p.locator('form.worksheet input[type="text"], form.worksheet input[type="date"]').first();
      const url = p.url();
      if (await field.count()) {
        await field.focus();
        await p.keyboard.press('Enter');
        await p.waitForTimeout(200);
        eq(p.url(), url, 'no form submission');
      }
    }
    const html = await (await p.goto(base + SCORED)).text();
    assert(!/\son[a-z]+="/i.test(html), 'no inline event handlers (the CSP forbids them)');
    assert(/<section class="ws-scoring"/.test(html) && /Answers that call for support/.test(html), 'scoring and alerts printed');
    await nojs.close();
  });

  await check('a session with ::worksheet links to the form and says where answers are kept', async () => {
    const sessions = fs.readdirSync(path.join(DIR, 'sessions')).sort();
    let found = 0;
    for (const s of sessions) {
      const f = path.join(DIR, 'sessions', s, 'index.html');
      if (!fs.existsSync(f) || !fs.readFileSync(f, 'utf8').includes('worksheet-card')) continue;
      await page.goto(`${base}sessions/${s}/index.html`);
      const card = page.locator('.worksheet-card').first();
      const link = card.getByRole('link', { name: /Open the worksheet/ });
      assert(/on your device only/.test(await card.innerText()), 'says answers stay on the device');
      await link.click();
      await page.locator('form.worksheet').waitFor();
      found++;
      break;
    }
    assert(found === 1, 'a session page with a worksheet card');
  });

  await check('search: participants find participant pages, facilitators find their own', async () => {
    const hrefs = async (rel) => {
      await page.goto(`${base}${rel}?q=footing`);
      await page.locator('#search-results li a').first().waitFor();
      return page.locator('#search-results li a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    };
    const part = await hrefs('search/index.html');
    assert(part.some((h) => /sessions\/finding-our-footing\/index\.html$/.test(h)), `participant results: ${part}`);
    assert(!part.some((h) => h.includes('facilitator/')), `facilitator pages in participant results: ${part}`);
    const fac = await hrefs('facilitator/search/index.html');
    assert(fac.some((h) => /facilitator\/sessions\/finding-our-footing\/index\.html$/.test(h)), `facilitator results: ${fac}`);
    assert(!fac.some((h) => /^(\.\.\/)*sessions\//.test(h)), `participant session pages in facilitator results: ${fac}`);
  });

  await check('no page script error', async () => {
    eq(pageErrors, [], 'errors in the page');
  });

  await check(`every request stays on the page's own origin (${requests.length} requests)`, async () => {
    const away = requests.filter((u) => {
      if (u.startsWith('data:')) return false;
      try {
        const url = new URL(u.startsWith('blob:') ? u.slice(5) : u);
        return url.origin !== origin;
      } catch {
        return true;
      }
    });
    eq(away, [], 'requests to other origins');
    assert(requests.length > 10, 'requests were recorded');
  });

  await browser.close();
  server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
  finish();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
