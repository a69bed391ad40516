/* cairn search matching: pure functions, no DOM. A classic script in the
 * browser (window.CairnMatch, used by search.js) and a CommonJS module in
 * node (for the tests in .ci/search/).
 *
 * The index holds each item's text once, as written; everything here works
 * on a folded copy made in the browser, so the index stays small:
 *  - fold: lower case, accents and other marks removed (Ánimo -> animo,
 *    Arabic short vowels, Hebrew points), a few letters spelled plainly
 *    (ß -> ss, ø -> o), compatibility forms unified (full-width letters).
 *    The query is folded the same way.
 *  - terms: the query's words. A word in a language written with spaces
 *    matches as a prefix of a word of the text, after a light stem
 *    ("boundary" and "boundaries" both become "boundar"; "ground" finds
 *    "grounding"). A run of Chinese, Japanese, Thai … (written without
 *    spaces) is cut into words by the browser's Intl.Segmenter where it has
 *    one, and each word matches anywhere in the text; without a segmenter
 *    the run is cut into overlapping pairs of characters (bigrams), of which
 *    most must be found.
 *  - score: every term must match the title or the text; a title match
 *    counts most (more when it is the same word, not only a longer one),
 *    then how often the text has it.
 */
(function (root, factory) {
  'use strict';
  var api = factory();
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
  else root.CairnMatch = api;
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  // Marks removed by folding: combining accents, Arabic harakat and
  // tatweel, Hebrew points and cantillation.
  var MARKS = /[\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;
  // Letters that decomposition does not take apart.
  var PLAIN = { '\u00df': 'ss', '\u00e6': 'ae', '\u0153': 'oe', '\u00f8': 'o', '\u0142': 'l', '\u0111': 'd', '\u00f0': 'd', '\u00fe': 'th', '\u0131': 'i', '\u03c2': '\u03c3', '\u2019': "'", '\u02bc': "'" };
  var PLAIN_RE = /[\u00df\u00e6\u0153\u00f8\u0142\u0111\u00f0\u00fe\u0131\u03c2\u2019\u02bc]/g;
  var ASCII = /^[\x00-\x7f]*$/;
  var norm = typeof ''.normalize === 'function';

  function fold(s) {
    s = String(s == null ? '' : s);
    if (ASCII.test(s)) return s.toLowerCase();
    s = s.toLowerCase();
    if (norm) s = s.normalize('NFKD');
    s = s.replace(MARKS, '').replace(PLAIN_RE, function (c) { return PLAIN[c]; });
    return norm ? s.normalize('NFC') : s;
  }

  // The folded text with, for each of its UTF-16 units, where it came from
  // in `s` (at[i]), and at[f.length] = s.length: to mark a match found in
  // the folded text on the original.
  function foldMap(s) {
    s = String(s == null ? '' : s);
    if (ASCII.test(s)) {
      var at0 = new Array(s.length + 1);
      for (var k = 0; k <= s.length; k++) at0[k] = k;
      return { text: s.toLowerCase(), at: at0 };
    }
    var out = '', at = [];
    for (var i = 0; i < s.length;) {
      var cp = s.codePointAt(i), w = cp > 0xffff ? 2 : 1;
      var f = fold(s.slice(i, i + w));
      for (var j = 0; j < f.length; j++) at.push(i);
      out += f;
      i += w;
    }
    at.push(s.length);
    return { text: out, at: at };
  }

  // Scripts written without spaces between words.
  var SPACELESS = /[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff]|[\ud840-\ud87f][\udc00-\udfff]/;
  var SPACELESS_RUN = /(?:[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff]|[\ud840-\ud87f][\udc00-\udfff])+/g;
  var LETTER = /[\p{L}\p{N}\p{M}]/u;
  var SPLIT = /[^\p{L}\p{N}\p{M}]+/u;

  // Light stemmers: endings that change with number, gender or tense, so
  // that what is left is a prefix of the word's other forms. Never shorter
  // than three letters (four where the ending is a vowel).
  function undouble(s) {
    var n = s.length;
    return n > 3 && s.charAt(n - 1) === s.charAt(n - 2) && !/[aeiouls]/.test(s.charAt(n - 1)) ? s.slice(0, -1) : s;
  }
  var STEM = {
    en: function (w) {
      if (/ies$/.test(w) && w.length > 5) w = w.slice(0, -3);
      else if (/(s|x|z|ch|sh)es$/.test(w) && w.length > 5) w = w.slice(0, -2);
      else if (/[^su]s$/.test(w) && w.length > 3) w = w.slice(0, -1);
      if (/ing$/.test(w) && w.length > 6) return undouble(w.slice(0, -3));
      if (/ed$/.test(w) && w.length > 5) return undouble(w.slice(0, -2));
      if (/ness$/.test(w) && w.length > 7) return w.slice(0, -4);
      if (/ly$/.test(w) && w.length > 5) return w.slice(0, -2);
      if (/[ye]$/.test(w) && w.length > 4) return w.slice(0, -1);
      return w;
    },
    romance: function (w) { // es, pt, fr, it, ca
      if (/[sx]$/.test(w) && w.length > 3) w = w.slice(0, -1);
      if (/[aeo]$/.test(w) && w.length > 4) w = w.slice(0, -1);
      return w;
    },
    de: function (w) {
      var m = /(en|er|es|e|n|s)$/.exec(w);
      return m && w.length - m[0].length >= 4 ? w.slice(0, -m[0].length) : w;
    }
  };
  STEM.es = STEM.pt = STEM.fr = STEM.it = STEM.ca = STEM.romance;
  STEM.nl = STEM.de;

  function stemmer(lang) {
    var l = String(lang || 'en').toLowerCase().split(/[-_]/)[0];
    return STEM[l] || function (w) { return w; };
  }

  function segmenterFor(lang) {
    try {
      if (typeof Intl !== 'undefined' && typeof Intl.Segmenter === 'function') {
        return new Intl.Segmenter(lang || undefined, { granularity: 'word' });
      }
    } catch (e) { /* an unknown language: no segmenter */ }
    return null;
  }

  // The query's terms. opts.lang: the page's language (for the stemmer and
  // the segmenter); opts.segmenter: a segmenter to use, or null for none
  // (the default is the browser's, when it has one).
  //  {word, stem}            a word: a text word starting with stem
  //  {word, cjk: true}       a word of a spaceless script: found anywhere
  //  {any: [pairs], need: n} a spaceless run without a segmenter: at least
  //                          n of its overlapping pairs found anywhere
  function terms(q, opts) {
    opts = opts || {};
    var stem = stemmer(opts.lang);
    var seg = 'segmenter' in opts ? opts.segmenter : segmenterFor(opts.lang);
    var out = [], seen = {};
    function add(t) {
      var key = t.any ? 'any:' + t.any.join('|') : (t.cjk ? 'cjk:' : 'w:') + t.word;
      if (!seen[key]) { seen[key] = true; out.push(t); }
    }
    fold(q).split(SPLIT).forEach(function (tok) {
      if (!tok) return;
      var rest = tok.replace(SPACELESS_RUN, function (run) {
        if (seg) {
          var words = [];
          var it = seg.segment(run);
          for (var s of it) if (s.isWordLike !== false && s.segment) words.push(s.segment);
          // Japanese particles (one kana: を, は, の …) between the words
          // are not required, so "境界線を学ぶ" finds "境界線" and "学ぶ".
          var content = words.filter(function (w) { return !/^[\u3040-\u309f]$/.test(w); });
          (content.length ? content : words).forEach(function (w) { add({ word: w, cjk: true }); });
        } else if (Array.from(run).length <= 2) {
          add({ word: run, cjk: true });
        } else {
          var cs = Array.from(run), pairs = [];
          for (var i = 0; i + 1 < cs.length; i++) pairs.push(cs[i] + cs[i + 1]);
          add({ any: pairs, need: Math.max(1, Math.ceil(pairs.length * 2 / 3)) });
        }
        return ' ';
      });
      rest.split(' ').forEach(function (w) {
        if (w) add({ word: w, stem: w.length > 3 ? stem(w) : w });
      });
    });
    return out;
  }

  function isLetter(c) { return c !== '' && LETTER.test(c); }

  // Where `t` matches the folded text `hay`: {n, pos, same} with n the
  // number of matches (at most `cap`), pos the first, and same whether a
  // match is the query's own word (the same stem), not only a longer one.
  // The end of each match (to its word's end) is in ends when `spans`.
  function find(hay, t, stem, cap, spans) {
    var r = { n: 0, pos: -1, same: false, spans: spans ? [] : null };
    function note(i, len) {
      r.n++;
      if (r.pos === -1) r.pos = i;
      if (spans) r.spans.push([i, i + len]);
    }
    if (t.any) {
      var found = 0;
      for (var a = 0; a < t.any.length; a++) {
        var i0 = hay.indexOf(t.any[a]), c = 0;
        while (i0 !== -1 && c < cap) { c++; note(i0, t.any[a].length); i0 = hay.indexOf(t.any[a], i0 + 1); }
        if (c) found++;
      }
      if (found < t.need) { r.n = 0; r.pos = -1; if (spans) r.spans = []; }
      r.same = found === t.any.length;
      return r;
    }
    if (t.cjk) {
      var j = hay.indexOf(t.word);
      while (j !== -1 && r.n < cap) { note(j, t.word.length); j = hay.indexOf(t.word, j + t.word.length); }
      r.same = r.n > 0;
      return r;
    }
    var k = hay.indexOf(t.stem), infix = [];
    while (k !== -1 && r.n < cap) {
      var end = k + t.stem.length;
      while (end < hay.length && isLetter(hay.charAt(end))) end++;
      if (!isLetter(hay.charAt(k - 1))) {
        note(k, end - k);
        if (!r.same) {
          var w = hay.slice(k, end);
          r.same = w === t.word || stem(w) === t.stem;
        }
      } else if (t.stem.length >= 5) {
        infix.push([k, end]); // inside a compound word (Selbstgrenzen)
      }
      k = hay.indexOf(t.stem, k + 1);
    }
    if (r.n === 0) infix.slice(0, cap).forEach(function (s) { note(s[0], s[1] - s[0]); });
    return r;
  }

  // An item prepared for searching: its title and text folded once.
  function prepare(title, text) {
    return { title: fold(title), text: fold(text) };
  }

  // How well the prepared item matches the terms; 0 when a term is missing.
  function score(item, ts, lang) {
    var stem = stemmer(lang), total = 0;
    for (var i = 0; i < ts.length; i++) {
      var t = ts[i];
      var inTitle = find(item.title, t, stem, 5, false), inText = find(item.text, t, stem, 10, false);
      if (inTitle.n === 0 && inText.n === 0) return 0; // every term must be found
      if (inTitle.n) total += 20 + (inTitle.same ? 10 : 0) + (inTitle.pos === 0 ? 5 : 0);
      total += inText.n;
    }
    return total;
  }

  // Where the terms match `text` (as written): sorted, non-overlapping
  // [start, end) ranges in the original text, for highlighting.
  function ranges(text, ts, lang) {
    var stem = stemmer(lang), m = foldMap(text), all = [];
    ts.forEach(function (t) {
      var r = find(m.text, t, stem, 200, true);
      r.spans.forEach(function (s) { all.push([m.at[s[0]], m.at[s[1]]]); });
    });
    all.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var out = [];
    all.forEach(function (s) {
      var last = out[out.length - 1];
      if (last && s[0] < last[1]) { if (s[1] > last[1]) last[1] = s[1]; } else if (s[1] > s[0]) out.push([s[0], s[1]]);
    });
    return out;
  }

  // Ranks the prepared items for a query: [{i, score}], best first, ties in
  // the index's order (sessions first).
  function search(items, q, opts) {
    var ts = terms(q, opts), lang = opts && opts.lang, hits = [];
    if (!ts.length) return hits;
    for (var i = 0; i < items.length; i++) {
      var s = score(items[i], ts, lang);
      if (s > 0) hits.push({ i: i, score: s });
    }
    hits.sort(function (a, b) { return b.score - a.score || a.i - b.i; });
    return hits;
  }

  return {
    fold: fold,
    foldMap: foldMap,
    terms: terms,
    stemmer: stemmer,
    prepare: prepare,
    score: score,
    ranges: ranges,
    search: search,
    spaceless: function (s) { return SPACELESS.test(String(s || '')); }
  };
});
