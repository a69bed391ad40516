/* cairn site search: runs in the browser, works opened from disk (file://).
 * Needs window.CAIRN_SEARCH = [{title, url, kind, text, lang?, dir?}] (urls relative to the
 * site root) and window.CAIRN_ROOT (prefix from this page to the root), both set
 * by search-index.js before this file loads, and window.CairnMatch
 * (search-match.js: folding, stems, words of spaceless scripts, ranking).
 * Results are built with DOM methods and textContent only. Without
 * JavaScript the form still submits (GET ?q=). */
(function () {
  'use strict';
  var MAX_RESULTS = 30;
  var SNIPPET = 180;

  // Matching (folding, stems, spaceless scripts) is search-match.js's.
  var M = window.CairnMatch;
  var lang = document.documentElement.lang || 'en';

  var root = typeof window.CAIRN_ROOT === 'string' ? window.CAIRN_ROOT : '';

  function safeHref(url) {
    url = String(url || '');
    // index urls are relative to the site root; refuse anything with a scheme
    if (/^[a-z][a-z0-9+.-]*:/i.test(url) || url.charAt(0) === '/') return null;
    return root + url;
  }

  // Facilitator pages load a supplement after the participant index: the
  // entries whose facilitator page or text differs ({i, url, text} replaces
  // the text, {i, url, more} adds to it) and what only facilitators see.
  var all = Array.isArray(window.CAIRN_SEARCH) ? window.CAIRN_SEARCH.slice() : [];
  var sup = window.CAIRN_SEARCH_FACILITATOR;
  if (sup && typeof sup === 'object') {
    (Array.isArray(sup.replace) ? sup.replace : []).forEach(function (r) {
      var e = r && typeof r.i === 'number' ? all[r.i] : null;
      if (!e) return;
      var text = typeof r.text === 'string' ? r.text : String(e.text || '');
      if (typeof r.more === 'string' && r.more) text += ' ' + r.more;
      all[r.i] = { title: e.title, kind: e.kind, url: typeof r.url === 'string' ? r.url : e.url, text: text };
    });
    (Array.isArray(sup.add) ? sup.add : []).forEach(function (e) { all.push(e); });
  }

  var entries = all.filter(function (e) {
    return e && safeHref(e.url) !== null;
  }).map(function (e) {
    return { e: e, text: String(e.text || '') };
  });
  var prepared = null; // folded titles and texts, made at the first search
  function items() {
    if (!prepared) prepared = entries.map(function (x) { return M.prepare(x.e.title, x.text); });
    return prepared;
  }

  function make(tag, text, cls) {
    var el = document.createElement(tag);
    if (text !== undefined) el.textContent = String(text);
    if (cls) el.className = cls;
    return el;
  }

  // text with the matches ([start, end) ranges) wrapped in <mark>, appended
  // to el as text nodes
  function highlight(el, text, marks) {
    var pos = 0;
    marks.forEach(function (r) {
      if (r[0] > pos) el.appendChild(document.createTextNode(text.slice(pos, r[0])));
      el.appendChild(make('mark', text.slice(r[0], r[1])));
      pos = r[1];
    });
    if (pos < text.length) el.appendChild(document.createTextNode(text.slice(pos)));
    return el;
  }

  // About SNIPPET characters of the text around its first match, with the
  // matches marked.
  function snippet(text, ts) {
    var marks = M.ranges(text, ts, lang), at = marks.length ? marks[0][0] : 0;
    var start = Math.max(0, at - 60);
    if (start > 0) { var sp = text.indexOf(' ', start); if (sp !== -1 && sp < at) start = sp + 1; }
    var end = Math.min(text.length, start + SNIPPET);
    if (end < text.length) { var cut = text.lastIndexOf(' ', end); if (cut > at) end = cut; }
    var el = make('p');
    if (start > 0) el.appendChild(document.createTextNode('\u2026'));
    highlight(el, text.slice(start, end), marks.filter(function (r) { return r[0] >= start && r[1] <= end; })
      .map(function (r) { return [r[0] - start, r[1] - start]; }));
    if (end < text.length) el.appendChild(document.createTextNode('\u2026'));
    return el;
  }

  // The look's words (static/strings.js).
  var say = window.CairnWords || function (key) { return key; };

  function run(input, list, status) {
    var q = input.value.trim(), ts = M.terms(q, { lang: lang });
    while (list.firstChild) list.removeChild(list.firstChild);
    if (!ts.length) { status.textContent = ''; return; }
    if (!entries.length) { status.textContent = say('search_unavailable'); return; }
    var hits = M.search(items(), q, { lang: lang });
    hits.slice(0, MAX_RESULTS).forEach(function (h) {
      var x = entries[h.i], li = make('li'), a = make('a', x.e.title || x.e.url);
      a.href = safeHref(x.e.url);
      // text from an untranslated file: read in its own language
      if (x.e.lang) { a.lang = x.e.lang; a.dir = x.e.dir || 'auto'; }
      li.appendChild(a);
      if (x.e.kind) {
        li.appendChild(document.createTextNode(' '));
        li.appendChild(make('span', x.e.kind, 'muted'));
      }
      if (x.text) {
        var sn = snippet(x.text, ts);
        if (x.e.lang) { sn.lang = x.e.lang; sn.dir = x.e.dir || 'auto'; }
        li.appendChild(sn);
      }
      list.appendChild(li);
    });
    var n = hits.length;
    var num = window.CairnNumber || String;
    var args = { n: num(n), query: q, max: num(MAX_RESULTS) };
    // "1 result" and "n results": the language's plural rule picks (one
    // form for every number in Chinese; Arabic's "one" is a word, not 1)
    var form = window.CairnPlural ? window.CairnPlural(n) : (n === 1 ? 'one' : 'other');
    status.textContent = say(n === 0 ? 'results_none' : form === 'one' ? 'results_one' : 'results_other', args) +
      (n > MAX_RESULTS ? say('results_more', args) : '') + say('results_end', args);
  }

  function init() {
    var input = document.getElementById('search-input'), list = document.getElementById('search-results'),
      status = document.getElementById('search-status');
    if (!input || !list || !status) return;
    var timer = 0;
    var go = function () { clearTimeout(timer); run(input, list, status); };
    input.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(go, 120); });
    if (input.form) {
      input.form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        go();
        try { // keep ?q= in the address so the results can be bookmarked or shared
          var u = new URL(window.location.href);
          u.searchParams.set('q', input.value.trim());
          window.history.replaceState(null, '', u.href);
        } catch (err) { /* file:// may refuse; the results are shown anyway */ }
      });
    }
    var q = new URLSearchParams(window.location.search).get('q');
    if (q) input.value = q;
    if (input.value) go();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
