/* cairn site search: runs in the browser, works opened from disk (file://).
 * Needs window.CAIRN_SEARCH = [{title, url, kind, text}] (urls relative to the
 * site root) and window.CAIRN_ROOT (prefix from this page to the root), both set
 * by search-index.js before this file loads. Results are built with DOM methods
 * and textContent only. Without JavaScript the form still submits (GET ?q=). */
(function () {
  'use strict';
  var MAX_RESULTS = 30;
  var SNIPPET = 180;

  // lower case without accents, keeping the length (so offsets match the original text)
  function norm(s) {
    s = String(s || '');
    var fast = s.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    if (fast.length === s.length) return fast;
    var out = '';
    for (var i = 0; i < s.length; i++) {
      var c = s.charAt(i), l = c.toLowerCase(), f = l.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
      out += f.length === 1 ? f : l.length === 1 ? l : c;
    }
    return out;
  }
  function words(q) { // distinct lower-case words of the query
    return norm(q).split(/[\s.,;:!?()\[\]{}"'\u2018\u2019\u201c\u201d\/\\]+/).filter(function (w, i, all) {
      return w && all.indexOf(w) === i;
    });
  }
  function count(hay, w) {
    var n = 0, i = hay.indexOf(w);
    while (i !== -1 && n < 20) { n++; i = hay.indexOf(w, i + w.length); }
    return n;
  }

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
    var text = String(e.text || '');
    return { e: e, title: norm(e.title), text: text, ntext: norm(text) };
  });

  function score(item, ws) {
    var total = 0;
    for (var i = 0; i < ws.length; i++) {
      var w = ws[i];
      var t = item.title.indexOf(w), n = count(item.ntext, w);
      if (t === -1 && n === 0) return 0; // every word must appear somewhere
      if (t !== -1) total += (t === 0 || /\W/.test(item.title.charAt(t - 1))) ? 15 : 10;
      total += Math.min(n, 10);
    }
    return total;
  }

  function make(tag, text, cls) {
    var el = document.createElement(tag);
    if (text !== undefined) el.textContent = String(text);
    if (cls) el.className = cls;
    return el;
  }

  // text with the query words wrapped in <mark>, appended to el as text nodes
  function highlight(el, text, ws) {
    var lower = norm(text), pos = 0;
    while (pos < text.length) {
      var best = -1, len = 0;
      for (var i = 0; i < ws.length; i++) {
        var j = lower.indexOf(ws[i], pos);
        if (j !== -1 && (best === -1 || j < best)) { best = j; len = ws[i].length; }
      }
      if (best === -1) break;
      if (best > pos) el.appendChild(document.createTextNode(text.slice(pos, best)));
      el.appendChild(make('mark', text.slice(best, best + len)));
      pos = best + len;
    }
    if (pos < text.length) el.appendChild(document.createTextNode(text.slice(pos)));
    return el;
  }

  function snippet(item, ws) {
    var at = -1;
    for (var i = 0; i < ws.length && at === -1; i++) at = item.ntext.indexOf(ws[i]);
    var start = Math.max(0, at - 60);
    if (start > 0) { var sp = item.text.indexOf(' ', start); if (sp !== -1 && sp < at) start = sp + 1; }
    var s = item.text.slice(start, start + SNIPPET);
    if (start + SNIPPET < item.text.length) s = s.replace(/\s+\S*$/, '') + '\u2026';
    return (start > 0 ? '\u2026' : '') + s;
  }

  // The look's words (static/strings.js).
  var say = window.CairnWords || function (key) { return key; };

  function run(input, list, status) {
    var q = input.value.trim(), ws = words(q);
    while (list.firstChild) list.removeChild(list.firstChild);
    if (!ws.length) { status.textContent = ''; return; }
    if (!entries.length) { status.textContent = say('search_unavailable'); return; }
    var hits = [];
    for (var i = 0; i < entries.length; i++) {
      var s = score(entries[i], ws);
      if (s > 0) hits.push({ item: entries[i], s: s });
    }
    hits.sort(function (a, b) { return b.s - a.s || a.item.title.localeCompare(b.item.title); });
    hits.slice(0, MAX_RESULTS).forEach(function (h) {
      var li = make('li'), a = make('a', h.item.e.title || h.item.e.url);
      a.href = safeHref(h.item.e.url);
      li.appendChild(a);
      if (h.item.e.kind) {
        li.appendChild(document.createTextNode(' '));
        li.appendChild(make('span', h.item.e.kind, 'muted'));
      }
      if (h.item.text) li.appendChild(highlight(make('p'), snippet(h.item, ws), ws));
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
