// Unit tests of the worksheet scoring (themes/default/static/worksheet-scoring.js)
// with `node --test`. The cases are the ones the sample worksheet
// "How am I doing?" prints in its scoring instructions: 1 becomes 5, 2 becomes
// 4, 3 stays 3; "use 6 minus your answer"; the average per part (coping,
// connection, self-kindness); the bands 1 to 2.49, 2.5 to 3.74, 3.75 to 5;
// the alert at an answer of 4 ("Often") or more. The last tests read those
// instructions from the built page (and the PDF, when it was built) and check
// them against the same functions, so print and screen cannot drift apart.
//
//   node --test .ci/worksheets/            (CAIRN_OUTPUT=dir for another output/)
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const S = require('../../themes/default/static/worksheet-scoring.js');
const OUT = process.env.CAIRN_OUTPUT || path.join(__dirname, '..', '..', 'output');

// The sample's items, as the page's data block gives them.
const item = (id, subscale, reverse = false, alert = null) => ({ id, subscale, reverse, lo: 1, hi: 5, alert });
const HOW = [
  item('calm-myself', 'coping'),
  item('too-big', 'coping', true),
  item('small-step', 'coping'),
  item('no-hope', 'coping', true, 4),
  item('reach-out', 'connection'),
  item('alone', 'connection', true),
  item('say-needs', 'connection'),
  item('patient-self', 'self-kindness'),
  item('hard-on-self', 'self-kindness', true),
];
const BANDS = [
  { min: 1, max: 2.49, label: 'Finding your footing' },
  { min: 2.5, max: 3.74, label: 'Building steady ground' },
  { min: 3.75, max: 5, label: 'Standing steadier' },
];
const MEAN = { method: 'mean', bands: BANDS };
const answers = (vals) => Object.fromEntries(HOW.map((it, i) => [it.id, vals[i]]).filter(([, v]) => v !== undefined));
const byId = (scores) => Object.fromEntries(scores.map((g) => [g.id, g]));

test('reverse items: 1 becomes 5, 2 becomes 4, 3 stays 3 (6 minus the answer)', () => {
  const rev = HOW[1];
  assert.deepEqual([1, 2, 3, 4, 5].map((a) => S.itemScore(rev, a)), [5, 4, 3, 2, 1]);
  for (let a = 1; a <= 5; a++) assert.equal(S.itemScore(rev, a), 6 - a);
  // not reversed: the answer as given
  assert.deepEqual([1, 2, 3, 4, 5].map((a) => S.itemScore(HOW[0], a)), [1, 2, 3, 4, 5]);
});

test('reverse uses the scale\'s own values (lowest + highest - answer)', () => {
  const zeroBased = { id: 'x', subscale: null, reverse: true, lo: 0, hi: 4, alert: null };
  assert.deepEqual([0, 1, 2, 3, 4].map((a) => S.itemScore(zeroBased, a)), [4, 3, 2, 1, 0]);
});

test('mean per part, with reverse items, rounded to two decimal places', () => {
  // Start: calm 4, too-big 2 (counts 4), small-step 3, no-hope 4 (counts 2) -> 13 / 4 = 3.25
  //        reach-out 4, alone 2 (counts 4), say-needs 3 -> 11 / 3 = 3.67
  //        patient-self 4, hard-on-self 1 (counts 5) -> 9 / 2 = 4.5
  const s = byId(S.scoreRound(MEAN, HOW, answers([4, 2, 3, 4, 4, 2, 3, 4, 1])));
  assert.deepEqual(Object.keys(s), ['coping', 'connection', 'self-kindness']);
  assert.equal(s.coping.score, 3.25);
  assert.equal(s.connection.score, 3.67);
  assert.equal(s['self-kindness'].score, 4.5);
  assert.equal(s.coping.band.band.label, 'Building steady ground');
  assert.equal(s.connection.band.band.label, 'Building steady ground');
  assert.equal(s['self-kindness'].band.band.label, 'Standing steadier');
  assert.equal(s.coping.min, 1);
  assert.equal(s.coping.max, 5);
});

test('sum per part', () => {
  const s = byId(S.scoreRound({ method: 'sum', bands: [] }, HOW, answers([4, 2, 3, 4, 4, 2, 3, 4, 1])));
  assert.equal(s.coping.score, 13);
  assert.equal(s.connection.score, 11);
  assert.equal(s['self-kindness'].score, 9);
  assert.equal(s.coping.band, null);
  assert.equal(s.coping.min, 4);
  assert.equal(s.coping.max, 20);
});

test('lowest and highest answers give the ends of the scale', () => {
  // every item answered so that it counts 1 (reverse items answered 5), then 5
  const low = byId(S.scoreRound(MEAN, HOW, answers(HOW.map((it) => (it.reverse ? 5 : 1)))));
  const high = byId(S.scoreRound(MEAN, HOW, answers(HOW.map((it) => (it.reverse ? 1 : 5)))));
  for (const g of Object.values(low)) assert.equal(g.score, 1);
  for (const g of Object.values(high)) assert.equal(g.score, 5);
  assert.equal(low.coping.band.band.label, 'Finding your footing');
  assert.equal(high.coping.band.band.label, 'Standing steadier');
});

test('bands: the printed ranges, ends included', () => {
  const at = (x) => S.bandFor(BANDS, x).band.label;
  assert.equal(at(1), 'Finding your footing');
  assert.equal(at(2.49), 'Finding your footing');
  assert.equal(at(2.5), 'Building steady ground');
  assert.equal(at(3.74), 'Building steady ground');
  assert.equal(at(3.75), 'Standing steadier');
  assert.equal(at(5), 'Standing steadier');
  // a score between two bands goes to the nearer one
  assert.equal(at(3.745), 'Building steady ground');
  assert.equal(S.bandFor([], 3), null);
  assert.equal(S.bandFor(BANDS, null), null);
});

test('a part is scored only when all its statements are answered', () => {
  const s = byId(S.scoreRound(MEAN, HOW, answers([4, 2, undefined, 4, 4, 2, 3])));
  assert.equal(s.coping.complete, false);
  assert.equal(s.coping.score, null);
  assert.equal(s.coping.band, null);
  assert.equal(s.coping.answered, 3);
  assert.equal(s.coping.total, 4);
  assert.equal(s.connection.score, 3.67);
  assert.equal(s['self-kindness'].answered, 0);
});

test('items without a subscale form the "overall" part', () => {
  const items = [item('a', null), item('b', undefined, true), item('c', 'calm')];
  const s = S.scoreRound(MEAN, items, { a: 2, b: 2, c: 5 });
  assert.deepEqual(s.map((g) => g.id), [S.OVERALL, 'calm']);
  assert.equal(s[0].score, 3); // (2 + 4) / 2
  assert.equal(s[1].score, 5);
});

test('alerts fire on the answer as given, before reversing', () => {
  // no-hope is reverse-scored: "Often" (4) counts 2, but still calls for support
  assert.deepEqual(S.alerts(HOW, { 'no-hope': 4 }), ['no-hope']);
  assert.deepEqual(S.alerts(HOW, { 'no-hope': 5 }), ['no-hope']);
  assert.deepEqual(S.alerts(HOW, { 'no-hope': 3 }), []);
  assert.deepEqual(S.alerts(HOW, {}), []);
  // items without an alert never fire
  assert.deepEqual(S.alerts(HOW, { 'calm-myself': 5, alone: 5 }), []);
});

test('change between rounds, and numbers as people write them', () => {
  assert.deepEqual(S.change(3.25, 4.5), { delta: 1.25, direction: 'up', verdict: 'better' });
  assert.deepEqual(S.change(3.67, 3), { delta: -0.67, direction: 'down', verdict: 'worse' });
  assert.deepEqual(S.change(4, 4), { delta: 0, direction: 'same', verdict: 'same' });
  assert.equal(S.fmt(3.6666), '3.67');
  assert.equal(S.fmt(4), '4');
  assert.equal(S.fmt(2.5), '2.5');
  assert.equal(S.round2(2.675), 2.68);
  assert.equal(S.round2(-1.005), -1.01);
});

test('which way is better: a change reads better or worse by it, never just up or down', () => {
  // lower is better: going down is better, going up is worse
  assert.deepEqual(S.change(4, 2.5, 'lower'), { delta: -1.5, direction: 'down', verdict: 'better' });
  assert.deepEqual(S.change(2.5, 4, 'lower'), { delta: 1.5, direction: 'up', verdict: 'worse' });
  assert.deepEqual(S.change(3, 3, 'lower'), { delta: 0, direction: 'same', verdict: 'same' });
  // higher (the default) is better
  assert.equal(S.change(2, 3, 'higher').verdict, 'better');
  assert.equal(S.change(3, 2).verdict, 'worse');
  // per part: scoring.parts overrides scoring.better; "overall" takes the worksheet's
  const scoring = { method: 'mean', better: 'higher', parts: { stress: 'lower' }, bands: BANDS };
  assert.equal(S.betterFor(scoring, 'stress'), 'lower');
  assert.equal(S.betterFor(scoring, 'coping'), 'higher');
  assert.equal(S.betterFor(scoring, S.OVERALL), 'higher');
  assert.equal(S.betterFor({ better: 'lower' }, S.OVERALL), 'lower');
  assert.equal(S.betterFor(null, 'x'), 'higher');
  const items = [item('a', 'coping'), item('b', 'stress')];
  const scores = byId(S.scoreRound(scoring, items, { a: 4, b: 4 }));
  assert.equal(scores.coping.better, 'higher');
  assert.equal(scores.stress.better, 'lower');
  // every score knows what it is out of
  assert.deepEqual([scores.coping.min, scores.coping.max], [1, 5]);
  const sum = byId(S.scoreRound({ method: 'sum', bands: [] }, HOW, {}));
  assert.deepEqual([sum.coping.min, sum.coping.max], [4, 20]);
});

test('band tones follow which way is better', () => {
  // BANDS are low, middle, high
  assert.deepEqual([0, 1, 2].map((i) => S.tone(BANDS, i, 'higher')), ['hard', 'mid', 'good']);
  assert.deepEqual([0, 1, 2].map((i) => S.tone(BANDS, i, 'lower')), ['good', 'mid', 'hard']);
  // bands in any order: by min
  const shuffled = [BANDS[2], BANDS[0], BANDS[1]];
  assert.deepEqual([0, 1, 2].map((i) => S.tone(shuffled, i, 'higher')), ['good', 'hard', 'mid']);
  // one band has no tone to give
  assert.equal(S.tone([BANDS[0]], 0, 'higher'), 'mid');
});

// ---- the printed instructions agree with the rule ----------------------------

function page(rel) {
  const f = path.join(OUT, rel);
  if (!fs.existsSync(f)) return null;
  return fs.readFileSync(f, 'utf8');
}
function dataBlock(html, id) {
  const m = new RegExp(`<script type="application/json" id="ws-${id}-data">([^<]*)</script>`).exec(html);
  assert.ok(m, `the page has the data block of ${id}`);
  return JSON.parse(m[1]);
}
const text = (html) => html.replace(/<[^>]+>/g, ' ').replace(/&[^;]+;/g, ' ').replace(/\s+/g, ' ');

test('the built page prints the same rule the form applies', (t) => {
  const html = page('worksheets/how-am-i-doing/index.html');
  if (!html) return t.skip(`no ${OUT}/worksheets/how-am-i-doing/index.html: build the sample first`);
  const d = dataBlock(html, 'how-am-i-doing');
  assert.deepEqual(d.items.map((i) => [i.id, i.subscale || null, i.reverse, i.lo, i.hi, i.alert]),
    HOW.map((i) => [i.id, i.subscale, i.reverse, i.lo, i.hi, i.alert]));
  assert.deepEqual(d.scoring, { method: 'mean', better: 'higher', parts: {}, bands: BANDS });
  const words = text(html);
  // the author's own words: "1 becomes 5, 2 becomes 4, 3 stays 3"
  const pairs = [...words.matchAll(/(\d+) becomes (\d+)/g)].map((m) => [+m[1], +m[2]]);
  assert.ok(pairs.length >= 2, 'the instructions give examples of turning answers around');
  const rev = d.items.find((i) => i.reverse);
  for (const [a, b] of pairs) assert.equal(S.itemScore(rev, a), b, `${a} becomes ${b}`);
  const stays = /(\d+) stays \1/.exec(words);
  assert.ok(stays && S.itemScore(rev, +stays[1]) === +stays[1]);
  // cairn's sentence: "use 6 minus your answer", average per part, two decimals
  const minus = /use (\d+(?:\.\d+)?) minus your answer/.exec(words);
  assert.ok(minus, 'the scoring sentence names the number to subtract from');
  for (let a = rev.lo; a <= rev.hi; a++) assert.equal(S.itemScore(rev, a), +minus[1] - a);
  assert.match(words, /Take the average of your answers for each part: coping, connection, self-kindness\./);
  assert.match(words, /Round the average to two decimal places/);
  // the bands as printed: "1 to 2.49: Finding your footing"
  const printed = [...words.matchAll(/(\d+(?:\.\d+)?) to (\d+(?:\.\d+)?): ([A-Z][a-z ]+?)(?= This| Some|$)/g)]
    .map((m) => ({ min: +m[1], max: +m[2], label: m[3].trim() }));
  assert.deepEqual(printed, BANDS);
  for (const b of printed) {
    assert.equal(S.bandFor(d.scoring.bands, b.min).band.label, b.label);
    assert.equal(S.bandFor(d.scoring.bands, b.max).band.label, b.label);
  }
  // the alert: "an answer of 4 or more"
  const alert = /an answer of (\d+) or more/.exec(words);
  assert.ok(alert);
  assert.deepEqual(S.alerts(d.items, { 'no-hope': +alert[1] }), ['no-hope']);
  assert.deepEqual(S.alerts(d.items, { 'no-hope': +alert[1] - 1 }), []);
});

test('the PDF prints the same rule (when the PDFs were built)', (t) => {
  const pdf = path.join(OUT, 'pdf', 'worksheets', 'how-am-i-doing.pdf');
  if (!fs.existsSync(pdf)) return t.skip(`no ${pdf}: built with --no-pdf`);
  let words;
  try {
    words = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  } catch (e) {
    return t.skip('pdftotext (poppler-utils) is not installed');
  }
  const minus = /(\d+(?:\.\d+)?) minus your answer/.exec(words);
  assert.ok(minus, 'the PDF names the number to subtract from');
  assert.equal(+minus[1], HOW[1].lo + HOW[1].hi);
  assert.match(words, /1 becomes 5, 2 becomes 4, 3 stays 3/);
  for (const b of BANDS) {
    assert.ok(words.includes(b.label), `the PDF names the band ${b.label}`);
    assert.ok(new RegExp(`${b.min}\\s*[–-]\\s*${b.max}`).test(words), `the PDF prints ${b.min}–${b.max}`);
  }
  for (const part of ['coping', 'connection', 'self-kindness']) assert.ok(words.includes(part), `the PDF names the part ${part}`);
  // the alert, by its answer: "(answered “Often” or higher)", with "4 = Often" in the key
  const key = Object.fromEntries([...words.matchAll(/(\d+) = ([A-Z][a-z]+(?: [a-z]+)?)/g)].map((m) => [m[2], +m[1]]));
  const at = /answered “([^”]+)” or higher/.exec(words);
  assert.ok(at && key[at[1]] !== undefined, 'the PDF names the answer that calls for support');
  assert.deepEqual(S.alerts(HOW, { 'no-hope': key[at[1]] }), ['no-hope']);
  assert.deepEqual(S.alerts(HOW, { 'no-hope': key[at[1]] - 1 }), []);
});

test('every alert on every built worksheet page fires for every answer in its range, and only there', (t) => {
  const dir = path.join(OUT, 'worksheets');
  if (!fs.existsSync(dir)) return t.skip(`no ${dir}: build the sample first`);
  let checked = 0;
  for (const id of fs.readdirSync(dir)) {
    const html = page(path.join('worksheets', id, 'index.html'));
    if (!html || !html.includes(`id="ws-${id}-data"`)) continue;
    const d = dataBlock(html, id);
    for (const it of d.items.filter((i) => i.alert !== null)) {
      // check refuses an alert no answer can reach, and every bound is a finite number
      assert.ok(Number.isFinite(it.alert) && Number.isFinite(it.lo) && Number.isFinite(it.hi), `${id}/${it.id}: finite numbers`);
      assert.ok(it.alert <= it.hi, `${id}/${it.id}: the alert at ${it.alert} can be reached (answers run to ${it.hi})`);
      for (let a = it.lo; a <= it.hi; a += 1) {
        const fired = S.alerts(d.items, { [it.id]: a }).includes(it.id);
        assert.equal(fired, a >= it.alert, `${id}/${it.id}: an answer of ${a} ${fired ? 'fires' : 'does not fire'}`);
      }
      // the page says where the alert starts, in the words the form applies
      assert.match(text(html), new RegExp(`an answer of ${S.fmt(it.alert)} or more`), `${id}/${it.id}: the page names the alert's answer`);
      checked++;
    }
  }
  assert.ok(checked > 0, 'the sample has at least one alert to check');
});

test('the sample\'s "higher is worse" scale says so on its page', (t) => {
  const html = page('worksheets/stress-load/index.html');
  if (!html) return t.skip(`no ${OUT}/worksheets/stress-load/index.html: build the sample first`);
  const d = dataBlock(html, 'stress-load');
  assert.equal(d.scoring.better, 'lower');
  assert.match(text(html), /A lower score is better\./);
  // going from the top band to the bottom one reads "better"
  const top = d.scoring.bands.reduce((a, b) => (b.min > a.min ? b : a));
  const bottom = d.scoring.bands.reduce((a, b) => (b.min < a.min ? b : a));
  assert.equal(S.change(top.min, bottom.max, S.betterFor(d.scoring, 'body')).verdict, 'better');
  assert.equal(S.tone(d.scoring.bands, d.scoring.bands.indexOf(top), 'lower'), 'hard');
});
