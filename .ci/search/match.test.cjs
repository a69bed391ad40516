// Unit tests of the search matching (themes/default/static/search-match.js)
// with `node --test`: folding (accents, marks, letters such as ß), stems and
// prefixes ("boundary" finds "Boundaries", "ground" finds "grounding"),
// scripts written without spaces (Intl.Segmenter, and the bigram fallback
// without it), the ranking, and the highlighted ranges. The last tests run
// the real indexes: the built sample (CAIRN_OUTPUT, default output/) and the
// Chinese fixture (CAIRN_SEARCH_ZH, a built tests/fixtures/search/zh), when
// they are there.
//
//   node --test .ci/search/
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const M = require('../../themes/default/static/search-match.js');
const OUT = process.env.CAIRN_OUTPUT || path.join(__dirname, '..', '..', 'output');
const ZH = process.env.CAIRN_SEARCH_ZH || '';

// The entries of a built search index (search/search-index.js).
function index(dir) {
  const file = path.join(dir, 'search', 'search-index.js');
  if (!fs.existsSync(file)) return null;
  const sandbox = { window: {} };
  vm.runInNewContext(fs.readFileSync(file, 'utf8'), sandbox);
  return sandbox.window.CAIRN_SEARCH;
}
const titles = (entries, q, opts) => {
  const items = entries.map((e) => M.prepare(e.title, e.text));
  return M.search(items, q, opts).map((h) => entries[h.i].title);
};

test('folding: case, accents, marks and a few letters, in text and query alike', () => {
  assert.equal(M.fold('Ánimo'), 'animo');
  assert.equal(M.fold('ÁNIMO, Corazón'), 'animo, corazon');
  assert.equal(M.fold('Straße'), 'strasse');
  assert.equal(M.fold('Søren Łukasz'), 'soren lukasz');
  assert.equal(M.fold('ＡＢＣ'), 'abc'); // full-width letters
  assert.equal(M.fold('مُسَاعَدَة'), 'مساعدة'); // Arabic short vowels
  assert.equal(M.fold('שָׁלוֹם'), 'שלום'); // Hebrew points
  assert.equal(M.fold('e\u0301'), 'e'); // a decomposed accent
  assert.equal(M.fold('边界'), '边界');
  assert.equal(M.fold('한국어'), '한국어'); // Hangul stays whole
});

test('foldMap: each folded character knows where it came from', () => {
  const m = M.foldMap('Ánimo ße');
  assert.equal(m.text, 'animo sse');
  assert.equal(m.at.length, m.text.length + 1);
  assert.deepEqual(m.at.slice(0, 3), [0, 1, 2]);
  assert.deepEqual(m.at.slice(6, 9), [6, 6, 7]); // ß -> ss, both from index 6
  assert.equal(m.at[m.text.length], 'Ánimo ße'.length);
});

test('stems: a word and its plural meet (boundary, boundaries), in each language', () => {
  const stem = (w, lang) => M.terms(w, { lang })[0].stem;
  assert.equal(stem('boundary', 'en'), 'boundar');
  assert.equal(stem('boundaries', 'en'), 'boundar');
  assert.equal(stem('grounding', 'en'), 'ground');
  assert.equal(stem('values', 'en'), stem('value', 'en'));
  assert.equal(stem('notes', 'en'), 'note'); // not "not"
  assert.equal(stem('límites', 'es'), stem('límite', 'es'));
  assert.equal(stem('emociones', 'es'), 'emocion');
  assert.equal(stem('Grenzen', 'de'), stem('Grenze', 'de'));
  assert.equal(stem('go', 'en'), 'go'); // short words stay whole
});

const ITEMS = [
  { title: 'Boundary scripts', text: 'A boundary script is a short sentence.' },
  { title: 'Boundaries: where I end and you begin', text: 'What boundaries are. Boundaries keep us safe. Notice a boundary.' },
  { title: 'Boundaries', text: 'A theme about limits and boundaries.' },
  { title: '5-4-3-2-1 grounding', text: 'A short way to calm the body.' },
  { title: 'Ánimo', text: 'Palabras de ánimo para el grupo.' },
  { title: 'Notes', text: 'Nothing here.' },
];

test('prefixes and stems: "ground" finds grounding, "boundary" finds Boundaries', () => {
  assert.deepEqual(titles(ITEMS, 'ground', { lang: 'en' }), ['5-4-3-2-1 grounding']);
  const b = titles(ITEMS, 'boundary', { lang: 'en' });
  assert.equal(b.length, 3);
  assert.equal(b[0], 'Boundaries: where I end and you begin', `ranked ${b}`);
  // a short piece inside a word is not a match; a longer one is (German compounds)
  assert.deepEqual(titles(ITEMS, 'oth', { lang: 'en' }), []);
  assert.deepEqual(titles([{ title: 'Selbstgrenzen', text: '' }], 'Grenzen', { lang: 'de' }), ['Selbstgrenzen']);
  // every word must be found
  assert.deepEqual(titles(ITEMS, 'boundary calm', { lang: 'en' }), []);
});

test('accents fold in both directions: "animo" finds "Ánimo", "ánimo" finds "animo"', () => {
  assert.deepEqual(titles(ITEMS, 'animo', { lang: 'es' }), ['Ánimo']);
  assert.deepEqual(titles(ITEMS, 'ÁNIMO', { lang: 'es' }), ['Ánimo']);
  const plain = [{ title: 'Animo', text: 'sin acentos' }];
  assert.deepEqual(titles(plain, 'ánimo', { lang: 'es' }), ['Animo']);
});

const ZH_ITEMS = [
  { title: '相识与开始', text: '我们彼此认识，一起商量小组的约定。' },
  { title: '设定界线', text: '学会温和而坚定地拒绝。别人的请求不一定都要答应。' },
  { title: '应对压力', text: '压力像海浪一样起起落落。' },
];

test('Chinese with Intl.Segmenter: the words of a query without spaces are found apart', { skip: typeof Intl.Segmenter !== 'function' }, () => {
  const ts = M.terms('拒绝别人', { lang: 'zh' });
  assert.deepEqual(ts.map((t) => t.word), ['拒绝', '别人']);
  assert.deepEqual(titles(ZH_ITEMS, '拒绝别人', { lang: 'zh' }), ['设定界线']);
  assert.deepEqual(titles(ZH_ITEMS, '压力', { lang: 'zh' }), ['应对压力']);
  assert.deepEqual(titles(ZH_ITEMS, '海豚', { lang: 'zh' }), []);
});

test('Chinese without a segmenter: overlapping pairs, most of which must be found', () => {
  const opts = { lang: 'zh', segmenter: null };
  const ts = M.terms('拒绝别人', opts);
  assert.deepEqual(ts, [{ any: ['拒绝', '绝别', '别人'], need: 2 }]);
  assert.deepEqual(titles(ZH_ITEMS, '拒绝别人', opts), ['设定界线']);
  assert.deepEqual(titles(ZH_ITEMS, '压力', opts), ['应对压力']);
  assert.deepEqual(titles(ZH_ITEMS, '海豚馆', opts), []);
  // Latin words in the same query keep their stems
  const mixed = M.terms('boundaries 边界', { lang: 'en', segmenter: null });
  assert.equal(mixed.find((t) => t.stem).stem, 'boundar');
  assert.ok(mixed.some((t) => t.cjk && t.word === '边界'));
});

test('Japanese runs are found the same way', () => {
  const items = [{ title: '境界線', text: '境界線を引く練習をします。' }, { title: 'ストレス', text: '波のように' }];
  assert.deepEqual(titles(items, '境界線', { lang: 'ja' }), ['境界線']);
  assert.deepEqual(titles(items, '境界線', { lang: 'ja', segmenter: null }), ['境界線']);
});

test('Japanese particles between the words of a query are not required', { skip: typeof Intl.Segmenter !== 'function' }, () => {
  const items = [{ title: '境界線', text: '境界線の練習。' }];
  const words = M.terms('境界線を練習', { lang: 'ja' }).map((t) => t.word);
  assert.ok(!words.includes('を'), `${words}`);
  assert.deepEqual(titles(items, '境界線を練習', { lang: 'ja' }), ['境界線']);
  // a particle alone is still a query
  assert.deepEqual(M.terms('の', { lang: 'ja' }).map((t) => t.word), ['の']);
});

test('ranges: the whole matching words of the original text, accents kept', () => {
  const text = 'Palabras de Ánimo, ánimos y animadores.';
  const ts = M.terms('animo', { lang: 'es' });
  const marks = M.ranges(text, ts, 'es').map(([a, b]) => text.slice(a, b));
  assert.deepEqual(marks, ['Ánimo', 'ánimos', 'animadores']);
  const zh = '学会温和而坚定地拒绝。别人的请求';
  const zmarks = M.ranges(zh, M.terms('拒绝别人', { lang: 'zh', segmenter: null }), 'zh').map(([a, b]) => zh.slice(a, b));
  assert.deepEqual(zmarks, ['拒绝', '别人']);
});

test('the built sample: "boundary" ranks the Boundaries session first, "ground" finds grounding', { skip: !index(OUT) && 'no built output/' }, () => {
  const entries = index(OUT);
  const first = titles(entries, 'boundary', { lang: 'en' })[0];
  assert.match(first, /^Boundaries: where I end/);
  assert.equal(entries.find((e) => e.title === first).kind, 'Session');
  assert.ok(titles(entries, 'ground', { lang: 'en' }).some((t) => /grounding/.test(t)));
  // glossary terms are entries of their own, going to their anchors
  const term = entries.find((e) => e.url.startsWith('glossary/index.html#term-'));
  assert.ok(term, 'no glossary term entry');
  assert.ok(!entries.some((e) => e.url === 'glossary/index.html'), 'the glossary as one entry');
});

test('the built Chinese fixture: a word finds its page', { skip: !(ZH && index(ZH)) && 'CAIRN_SEARCH_ZH not set' }, () => {
  const entries = index(ZH);
  for (const seg of [undefined, null]) {
    const opts = seg === null ? { lang: 'zh', segmenter: null } : { lang: 'zh' };
    assert.equal(titles(entries, '拒绝别人', opts)[0], '设定界线');
    assert.equal(titles(entries, '五感', opts)[0], '五感落地练习');
    assert.equal(titles(entries, '海浪', opts)[0], '应对压力');
  }
});
