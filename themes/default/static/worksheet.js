/* cairn worksheets: turns each form.worksheet into a working form.
 *
 * - Answers are saved as they are typed, in this browser's localStorage only,
 *   under "cairn:PROGRAM:WORKSHEET" (":N" added for round N of a repeated
 *   worksheet), each round with the time it was saved. Nothing is sent
 *   anywhere: the script makes no request at all.
 * - Export (a JSON file, downloaded from a Blob), import (checked first: a
 *   wrong or damaged file changes nothing), clear (after a confirmation).
 * - Repeated worksheets: one tab per round; each round's date.
 * - Scored worksheets: scores per subscale and band for each round, and the
 *   change between rounds as an SVG chart (built with DOM methods) with a
 *   table. Scoring itself is in worksheet-scoring.js (CairnScoring).
 * - Number blocks of a repeated worksheet: each number by round, as a line
 *   on a chart like the scores', a table, and the change in plain words
 *   (up, down or the same: a number has no better direction).
 * - Alerts: an answer at or above an item's alert min shows the alert and
 *   the program's support text at once, in the item's role="alert" slot.
 *
 * Reads the worksheet's definition from <script type="application/json"
 * id="FORM-ID-data">. Text from files and storage is only ever set with
 * textContent or as form values. Plain ES2017, no framework.
 */
(function () {
  'use strict';

  var S = window.CairnScoring;
  var FORMAT = 'cairn-worksheet-answers';
  var VERSION = 1;
  var MAX_FILE = 2 * 1024 * 1024;
  var MAX_TEXT = 50000;
  var SVGNS = 'http://www.w3.org/2000/svg';
  // the page's language, with Western digits (strings.js)
  var LANG = window.CairnLocale || document.documentElement.lang || 'en';

  // The look's words (static/strings.js).
  var say = window.CairnWords || function (key) { return key; };

  function $$(sel, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(sel));
  }
  function has(o, k) {
    return Object.prototype.hasOwnProperty.call(o, k);
  }
  function h(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function s(tag, attrs) {
    var e = document.createElementNS(SVGNS, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    return e;
  }
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function today() {
    var d = new Date();
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate());
  }
  function niceDate(iso, short) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || '');
    if (!m) return '';
    var d = new Date(+m[1], +m[2] - 1, +m[3]);
    try {
      return d.toLocaleDateString(LANG, short ? { day: 'numeric', month: 'short' } : { day: 'numeric', month: 'long', year: 'numeric' });
    } catch (e) {
      return iso;
    }
  }
  function niceTime(d) {
    try {
      return d.toLocaleTimeString(LANG, { hour: '2-digit', minute: '2-digit' });
    } catch (e) {
      return pad(d.getHours()) + ':' + pad(d.getMinutes());
    }
  }
  function label(id) {
    if (id === S.OVERALL) return say('overall');
    return id.charAt(0).toUpperCase() + id.slice(1);
  }
  function isEmpty(o) {
    return Object.keys(o).length === 0;
  }

  function openStorage() {
    try {
      var st = window.localStorage;
      var k = 'cairn:probe';
      st.setItem(k, '1');
      st.removeItem(k);
      return st;
    } catch (e) {
      return null;
    }
  }

  function setup(form) {
    var id = form.id;
    var dataEl = document.getElementById(id + '-data');
    if (!dataEl || !S) return;
    var def;
    try {
      def = JSON.parse(dataEl.textContent);
    } catch (e) {
      return;
    }
    var store = openStorage();
    var base = 'cairn:' + def.program + ':' + def.worksheet;
    var panel = document.getElementById(id + '-tools');
    var statusEl = document.getElementById(id + '-status');
    var errorEl = document.getElementById(id + '-error');
    var savedEl = document.getElementById(id + '-saved');
    var fileInput = document.getElementById(id + '-file');
    var confirmEl = document.getElementById(id + '-confirm');
    // a look's own template may leave the tools out: answers are still kept
    var hasTools = !!(panel && statusEl && errorEl && fileInput && confirmEl);
    var results = document.getElementById(id + '-results');
    var resultsBody = document.getElementById(id + '-results-body');
    var repeated = def.rounds && def.rounds.length > 0;
    var lastSaved = null;

    var sections = $$('section.ws-round', form);
    var rounds = sections.length
      ? sections.map(function (sec, i) {
        return { index: i, name: sec.getAttribute('data-round'), el: sec, prefix: sec.id + '-', key: base + ':' + (i + 1), saved: null };
      })
      : [{ index: 0, name: null, el: form, prefix: id + '-', key: base, saved: null }];

    // ---- reading and writing a round's answers --------------------------
    function controls(r) {
      return $$('input[name], textarea[name], select[name]', r.el).filter(function (c) {
        return c.name.indexOf(r.prefix) === 0 && c.type !== 'file';
      });
    }
    function keyOf(r, c) {
      return c.name.slice(r.prefix.length);
    }
    function read(r) {
      var a = {};
      controls(r).forEach(function (c) {
        var k = keyOf(r, c);
        if (c.type === 'radio') {
          if (c.checked) a[k] = c.value;
        } else if (c.type === 'checkbox') {
          if (c.checked) a[k] = true;
        } else if (c.value !== '') {
          a[k] = c.value;
        }
      });
      return a;
    }
    function write(r, a) {
      controls(r).forEach(function (c) {
        var k = keyOf(r, c);
        var v = has(a, k) ? a[k] : undefined;
        if (c.type === 'radio') c.checked = v !== undefined && String(v) === c.value;
        else if (c.type === 'checkbox') c.checked = v === true;
        else c.value = typeof v === 'string' ? v : '';
      });
    }
    // what each answer may be: {key: {type, values?}}
    function schema(r) {
      var out = {};
      controls(r).forEach(function (c) {
        var k = keyOf(r, c);
        if (c.type === 'radio') {
          out[k] = out[k] || { type: 'radio', values: [] };
          out[k].values.push(c.value);
        } else if (c.tagName === 'SELECT') {
          out[k] = { type: 'select', values: Array.prototype.map.call(c.options, function (o) { return o.value; }) };
        } else {
          out[k] = { type: c.type === 'checkbox' || c.type === 'date' || c.type === 'number' ? c.type : 'text' };
        }
      });
      return out;
    }
    function scaleAnswers(r) {
      var a = {};
      def.items.forEach(function (it) {
        var c = r.el.querySelector('input[type="radio"][name="' + r.prefix + it.name + '"]:checked');
        if (c) a[it.id] = Number(c.value);
      });
      return a;
    }

    // ---- storage --------------------------------------------------------
    var storageFailed = false;
    function save(r) {
      var a = read(r);
      r.saved = isEmpty(a) ? null : new Date().toISOString();
      if (!store) return;
      try {
        if (isEmpty(a)) store.removeItem(r.key);
        else store.setItem(r.key, JSON.stringify({ v: VERSION, saved: r.saved, answers: a }));
        lastSaved = new Date();
        storageFailed = false;
      } catch (e) {
        if (!storageFailed) showError(say('save_failed'));
        storageFailed = true;
      }
      showSaved();
    }
    function load(r) {
      var a = {};
      r.saved = null;
      if (!store) return a;
      try {
        var raw = store.getItem(r.key);
        if (!raw) return a;
        var o = JSON.parse(raw);
        if (o && typeof o.answers === 'object' && o.answers) {
          a = o.answers;
          r.saved = typeof o.saved === 'string' ? o.saved : null;
        }
      } catch (e) { /* unreadable: start empty */ }
      return a;
    }
    function showSaved() {
      if (!savedEl) return;
      if (!store) {
        savedEl.textContent = say('save_blocked');
      } else if (lastSaved) {
        savedEl.textContent = say('saved_at', { time: niceTime(lastSaved) });
      } else if (rounds.some(function (r) { return r.saved; })) {
        savedEl.textContent = say('saved_shown');
      } else {
        savedEl.textContent = say('nothing_saved');
      }
    }

    // ---- messages ---------------------------------------------------------
    function showStatus(msg) {
      if (!hasTools) return;
      errorEl.textContent = '';
      statusEl.textContent = msg;
    }
    function showError(msg) {
      if (!hasTools) return;
      statusEl.textContent = '';
      errorEl.textContent = '';
      var p = h('p', null, msg);
      errorEl.appendChild(p);
    }

    // ---- alerts -------------------------------------------------------------
    function updateAlerts(r) {
      var answers = scaleAnswers(r);
      var on = S.alerts(def.items, answers);
      def.items.forEach(function (it) {
        if (it.alert === null || it.alert === undefined) return;
        var slot = document.getElementById(r.prefix + it.name + '-alert');
        if (!slot) return;
        var want = on.indexOf(it.id) !== -1;
        if (want && !slot.firstChild) {
          var tpl = document.getElementById(id + '-alert-' + it.name.replace(/^b\d+-/, ''));
          if (tpl && tpl.content) slot.appendChild(document.importNode(tpl.content, true));
        } else if (!want && slot.firstChild) {
          slot.textContent = '';
        }
      });
    }

    // ---- tracker rows named by the participant -------------------------------
    function rowNames() {
      $$('[data-row-name]', form).forEach(function (span) {
        if (!span.hasAttribute('data-default')) span.setAttribute('data-default', span.textContent);
        var input = document.getElementById(span.getAttribute('data-row-name'));
        var v = input && input.value.trim();
        span.textContent = v || span.getAttribute('data-default');
      });
    }

    // ---- textareas grow with their text ----------------------------------------
    function autosize(t) {
      if (!t.offsetParent) return;
      t.style.height = 'auto';
      t.style.height = (t.scrollHeight + 2) + 'px';
    }
    function autosizeAll() {
      $$('textarea', form).forEach(autosize);
    }

    // ---- rounds as tabs -------------------------------------------------------
    var tabs = [];
    var current = 0;
    function roundHasAnswers(r) {
      return !isEmpty(read(r));
    }
    function roundStatus(r) {
      var date = r.el.querySelector('input[type="date"][name="' + r.prefix + 'date"]');
      if (date && date.value) return niceDate(date.value, true);
      return roundHasAnswers(r) ? say('round_started') : say('round_not_started');
    }
    function select(i, focus) {
      current = i;
      rounds.forEach(function (r, j) {
        var on = j === i;
        r.el.classList.toggle('ws-inactive', !on);
        tabs[j].setAttribute('aria-selected', on ? 'true' : 'false');
        tabs[j].tabIndex = on ? 0 : -1;
      });
      if (focus) tabs[i].focus();
      autosizeAll();
    }
    function updateTabs() {
      tabs.forEach(function (t, j) {
        t.querySelector('.ws-tab-status').textContent = roundStatus(rounds[j]);
      });
    }
    function buildTabs() {
      if (!repeated || rounds.length < 2) return;
      // the page keeps the tabs' place (worksheet_html.rs); a look's own
      // template may not: then they are made here
      var list = document.getElementById(id + '-tabs');
      var placed = !!list;
      if (!placed) {
        list = h('div', 'ws-tabs');
        list.setAttribute('role', 'tablist');
        list.setAttribute('aria-label', say('rounds_label'));
      }
      rounds.forEach(function (r, j) {
        var t = h('button', 'ws-tab');
        t.type = 'button';
        t.id = r.el.id + '-tab';
        t.setAttribute('role', 'tab');
        t.setAttribute('aria-controls', r.el.id);
        t.appendChild(h('span', 'ws-tab-name', r.name));
        t.appendChild(document.createTextNode(' '));
        t.appendChild(h('span', 'ws-tab-status'));
        t.addEventListener('click', function () { select(j, false); });
        t.addEventListener('keydown', function (e) {
          var n = rounds.length;
          var k = { ArrowRight: j + 1, ArrowDown: j + 1, ArrowLeft: j - 1 + n, ArrowUp: j - 1 + n, Home: 0, End: n - 1 }[e.key];
          if (k === undefined) return;
          e.preventDefault();
          select(k % n, true);
        });
        r.el.setAttribute('role', 'tabpanel');
        r.el.setAttribute('aria-labelledby', t.id);
        tabs.push(t);
        list.appendChild(t);
      });
      if (placed) list.hidden = false;
      else rounds[0].el.parentNode.insertBefore(list, rounds[0].el);
      // open the round to work on: the last one started, or the next after it once complete
      var last = -1;
      rounds.forEach(function (r, j) { if (roundHasAnswers(r)) last = j; });
      var pick = 0;
      if (last >= 0) {
        var done = def.items.length > 0 && Object.keys(scaleAnswers(rounds[last])).length === def.items.length;
        pick = done && last + 1 < rounds.length ? last + 1 : last;
      }
      select(pick, false);
    }

    // ---- scores, chart and table ------------------------------------------------
    function renderResults() {
      if (!results || !def.scoring) return;
      results.hidden = false;
      resultsBody.textContent = '';
      var per = rounds.map(function (r) {
        var a = scaleAnswers(r);
        var date = r.el.querySelector('input[type="date"][name="' + r.prefix + 'date"]');
        return { r: r, any: !isEmpty(a), date: date ? date.value : '', scores: S.scoreRound(def.scoring, def.items, a) };
      });
      if (!per.some(function (p) { return p.any; })) {
        resultsBody.appendChild(h('p', 'ws-results-empty', say('scores_empty')));
        return;
      }
      per.forEach(function (p) {
        if (!p.any) return;
        var box = h('div', 'ws-result');
        box.setAttribute('data-round', p.r.name === null ? '' : p.r.name);
        if (repeated) {
          var head = h('h3', null, p.r.name);
          if (p.date) head.appendChild(h('span', 'ws-result-date', ' · ' + niceDate(p.date)));
          box.appendChild(head);
        }
        var dl = h('dl', 'ws-scores');
        var used = [];
        var toneOf = {};
        p.scores.forEach(function (g) {
          var row = h('div', 'ws-score-row');
          row.setAttribute('data-subscale', g.id);
          row.setAttribute('data-better', g.better);
          var dt = h('dt', null, label(g.id));
          dt.appendChild(h('span', 'ws-better-note', ' (' + betterWords(g.better) + ')'));
          row.appendChild(dt);
          var dd = h('dd');
          if (g.complete) {
            dd.appendChild(h('span', 'ws-score', outOf(g.score, g.max)));
            if (g.band) {
              dd.appendChild(document.createTextNode(' '));
              var tone = S.tone(def.scoring.bands, g.band.index, g.better);
              var band = h('strong', 'ws-band ws-tone-' + tone, g.band.band.label);
              band.setAttribute('data-tone', tone);
              dd.appendChild(band);
              if (used.indexOf(g.band.index) === -1) {
                used.push(g.band.index);
                toneOf[g.band.index] = tone;
              }
            }
          } else {
            dd.appendChild(h('span', 'muted', say('score_incomplete', { answered: g.answered, total: g.total })));
          }
          row.appendChild(dd);
          dl.appendChild(row);
        });
        box.appendChild(dl);
        // each band's text once, under the scores that reached it
        used.sort(function (a, b) { return a - b; }).forEach(function (i) {
          var text = form.parentNode.querySelector('.ws-scoring dd[data-band="' + i + '"]');
          var note = h('div', 'ws-band-text ws-tone-' + toneOf[i]);
          note.setAttribute('data-band', String(i));
          var head = h('p', 'ws-band-name', def.scoring.bands[i].label);
          note.appendChild(head);
          if (text) Array.prototype.forEach.call(text.childNodes, function (n) { note.appendChild(n.cloneNode(true)); });
          box.appendChild(note);
        });
        resultsBody.appendChild(box);
      });
      if (repeated) resultsBody.appendChild(progress(per));
    }

    // "3.25 out of 5"
    function outOf(score, max) {
      return say('score_out_of', { score: S.fmt(score), max: S.fmt(max) });
    }
    function betterWords(better) {
      return better === 'lower' ? say('better_lower') : say('better_higher');
    }
    // the change in words, by which way is better for the part
    function changeText(c, args) {
      if (c.verdict === 'same') return say('change_same', args);
      if (c.direction === 'up') return c.verdict === 'better' ? say('change_up_better', args) : say('change_up_worse', args);
      return c.verdict === 'better' ? say('change_down_better', args) : say('change_down_worse', args);
    }

    function progress(per) {
      var wrap = h('div', 'ws-progress');
      wrap.appendChild(h('h3', null, say('scores_changed')));
      var figure = h('div', 'ws-progress-grid');
      figure.appendChild(chart(per));
      figure.appendChild(table(per));
      wrap.appendChild(figure);
      var changes = h('ul', 'ws-changes');
      var groups = per[0].scores;
      groups.forEach(function (g, k) {
        var prev = null;
        per.forEach(function (p) {
          var sc = p.scores[k];
          if (!sc.complete) return;
          if (prev) {
            var c = S.change(prev.score, sc.score, sc.better);
            var li = h('li', 'ws-change ws-change-' + c.verdict, changeText(c, {
              part: label(g.id), score: S.fmt(sc.score), by: S.fmt(Math.abs(c.delta)),
              old: S.fmt(prev.score), max: S.fmt(sc.max), from: prev.name, to: p.r.name
            }));
            li.setAttribute('data-verdict', c.verdict);
            changes.appendChild(li);
          }
          prev = { score: sc.score, name: p.r.name };
        });
      });
      if (changes.firstChild) wrap.appendChild(changes);
      else wrap.appendChild(h('p', 'muted', say('scores_another_round')));
      return wrap;
    }

    function table(per) {
      var wrapT = h('div', 'table-wrap ws-progress-table');
      var t = h('table');
      t.appendChild(h('caption', null, say('scores_by_round')));
      var thead = h('thead');
      var hr = h('tr');
      var corner = h('th', null, say('scores_part'));
      corner.scope = 'col';
      hr.appendChild(corner);
      per.forEach(function (p) {
        var th = h('th', null, p.r.name);
        th.scope = 'col';
        hr.appendChild(th);
      });
      thead.appendChild(hr);
      t.appendChild(thead);
      var tbody = h('tbody');
      per[0].scores.forEach(function (g, k) {
        var tr = h('tr');
        tr.setAttribute('data-subscale', g.id);
        var th = h('th', null, label(g.id));
        th.scope = 'row';
        tr.appendChild(th);
        per.forEach(function (p) {
          var sc = p.scores[k];
          var td = h('td');
          td.setAttribute('data-round', p.r.name);
          if (sc.complete) {
            td.appendChild(h('span', 'ws-score', outOf(sc.score, sc.max)));
          } else {
            td.appendChild(h('span', 'muted', sc.answered ? say('score_not_finished') : say('score_not_yet')));
          }
          tr.appendChild(td);
        });
        tbody.appendChild(tr);
      });
      t.appendChild(tbody);
      wrapT.appendChild(t);
      // a table wider than a phone scrolls: then it can be scrolled by keyboard too
      window.requestAnimationFrame(function () {
        if (wrapT.scrollWidth > wrapT.clientWidth + 1) {
          wrapT.tabIndex = 0;
          wrapT.setAttribute('role', 'region');
          wrapT.setAttribute('aria-label', say('scores_scroll'));
        }
      });
      return wrapT;
    }

    // the chart is drawn at the size it is shown, so its text stays readable
    function chartWidth() {
      var probe = (resultsBody && resultsBody.clientWidth) || (numbersBody && numbersBody.clientWidth) || 480;
      return window.matchMedia('(min-width: 56rem)').matches ? probe / 2 - 16 : probe;
    }
    var lastWidth = 0;
    window.addEventListener('resize', function () {
      var w = Math.round(chartWidth());
      if (Math.abs(w - lastWidth) <= 24) return;
      if (resultsBody && resultsBody.querySelector('.ws-chart')) renderResults();
      if (numbersBody && numbersBody.querySelector('.ws-chart')) renderNumbers();
    });

    function ticks(lo, hi) {
      var span = hi - lo;
      var step = span <= 10 ? 1 : Math.ceil(span / 5 / 5) * 5;
      var out = [];
      for (var v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(v);
      return out;
    }

    function marker(shape, x, y, cls) {
      var r = 5.5;
      if (shape === 0) return s('circle', { cx: x, cy: y, r: r, 'class': cls });
      if (shape === 1) return s('rect', { x: x - r, y: y - r, width: 2 * r, height: 2 * r, 'class': cls });
      if (shape === 2) return s('path', { d: 'M' + x + ' ' + (y - r - 1.5) + 'l' + (r + 1.5) + ' ' + (r + 1.5) + 'l-' + (r + 1.5) + ' ' + (r + 1.5) + 'l-' + (r + 1.5) + '-' + (r + 1.5) + 'z', 'class': cls });
      return s('path', { d: 'M' + x + ' ' + (y - r - 1) + 'l' + (r + 1) + ' ' + (2 * r + 1) + 'h-' + (2 * r + 2) + 'z', 'class': cls });
    }

    // `opts`: the bands to stripe ({min, max, label}) and the chart's label
    function chart(per, opts) {
      opts = opts || { bands: def.scoring.bands || [], aria: say('chart_label') };
      var groups = per[0].scores;
      var lo = Math.min.apply(null, groups.map(function (g) { return g.min; }));
      var hi = Math.max.apply(null, groups.map(function (g) { return g.max; }));
      if (!(hi > lo)) hi = lo + 1;
      // right to left: the rounds run from the right, the scale on the right
      var rtl = document.documentElement.dir === 'rtl';
      var W = Math.max(260, Math.min(560, Math.round(chartWidth()))), H = W < 400 ? 210 : 250, T = 12, B = 32;
      var L = rtl ? 10 : 34, R = rtl ? 34 : 10;
      var pw = W - L - R, ph = H - T - B;
      var n = per.length;
      var x = function (i) { return rtl ? W - R - pw * (i + 0.5) / n : L + pw * (i + 0.5) / n; };
      var y = function (v) { return T + ph * (1 - (v - lo) / (hi - lo)); };
      lastWidth = Math.round(chartWidth());
      var fig = h('figure', 'ws-chart');
      var svg = s('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', focusable: 'false', 'class': 'ws-chart-svg' });
      svg.setAttribute('aria-label', opts.aria);
      // bands as soft stripes, toned by which way is better when every
      // part goes the same way, each named on the chart and below it
      var all = opts.bands;
      var dirs = groups.map(function (g) { return g.better; });
      var oneWay = dirs.every(function (d) { return d === dirs[0]; }) ? dirs[0] : null;
      var bands = all.map(function (b, i) { return { b: b, i: i }; }).sort(function (a, b) { return a.b.min - b.b.min; });
      var named = [];
      bands.forEach(function (x, k) {
        var b = x.b;
        var top = y(Math.min(hi, b.max)), bottom = y(Math.max(lo, b.min));
        if (!(bottom - top > 0)) return;
        var tone = oneWay ? S.tone(all, x.i, oneWay) : null;
        svg.appendChild(s('rect', { x: L, y: top, width: pw, height: bottom - top, 'class': 'ws-stripe ws-stripe-' + (k % 2) + (tone ? ' ws-stripe-' + tone : '') }));
        if (bottom - top >= 15) {
          var t = s('text', { x: rtl ? L + pw - 6 : L + 6, y: top + 13, 'text-anchor': rtl ? 'end' : 'start', 'class': 'ws-band-label' });
          t.textContent = b.label;
          svg.appendChild(t);
        }
        named.push({ b: b, tone: tone, k: k });
      });
      ticks(lo, hi).forEach(function (v) {
        svg.appendChild(s('line', { x1: L, x2: L + pw, y1: y(v), y2: y(v), 'class': 'ws-grid' }));
        var t = s('text', { x: rtl ? W - R + 8 : L - 8, y: y(v) + 4, 'text-anchor': rtl ? 'start' : 'end', 'class': 'ws-axis' });
        t.textContent = S.fmt(v);
        svg.appendChild(t);
      });
      per.forEach(function (p, i) {
        var t = s('text', { x: x(i), y: H - 12, 'text-anchor': 'middle', 'class': 'ws-axis' });
        t.textContent = p.r.name;
        svg.appendChild(t);
      });
      var G = groups.length;
      groups.forEach(function (g, k) {
        var cls = 'ws-series ws-s' + (k % 5);
        var off = (k - (G - 1) / 2) * 5;
        var pts = [];
        per.forEach(function (p, i) {
          var sc = p.scores[k];
          if (sc.complete) pts.push([x(i) + off, y(sc.score), i]);
        });
        for (var j = 1; j < pts.length; j++) {
          svg.appendChild(s('line', { x1: pts[j - 1][0], y1: pts[j - 1][1], x2: pts[j][0], y2: pts[j][1], 'class': cls + ' ws-line ws-dash' + (k % 3) }));
        }
        pts.forEach(function (pt) { svg.appendChild(marker(k % 4, pt[0], pt[1], cls + ' ws-marker')); });
      });
      fig.appendChild(svg);
      // legend: the table carries the numbers for screen readers
      var legend = h('ul', 'ws-legend');
      legend.setAttribute('aria-hidden', 'true');
      groups.forEach(function (g, k) {
        var li = h('li');
        var sw = s('svg', { viewBox: '0 0 28 16', width: 28, height: 16, focusable: 'false' });
        sw.appendChild(s('line', { x1: 1, x2: 27, y1: 8, y2: 8, 'class': 'ws-series ws-s' + (k % 5) + ' ws-line ws-dash' + (k % 3) }));
        sw.appendChild(marker(k % 4, 14, 8, 'ws-series ws-s' + (k % 5) + ' ws-marker'));
        li.appendChild(sw);
        li.appendChild(document.createTextNode(' ' + (g.name || label(g.id))));
        legend.appendChild(li);
      });
      fig.appendChild(legend);
      // the bands, named in words (top band first, as on the chart)
      if (named.length) {
        var cap = h('figcaption', 'ws-bands-key');
        cap.appendChild(h('span', 'ws-bands-key-title', say('chart_bands')));
        var ul = h('ul');
        named.slice().reverse().forEach(function (x) {
          var li = h('li');
          var sw = h('span', 'ws-swatch ws-stripe-' + (x.k % 2) + (x.tone ? ' ws-stripe-' + x.tone : ''));
          sw.setAttribute('aria-hidden', 'true');
          li.appendChild(sw);
          li.appendChild(document.createTextNode(say('band_range', { label: x.b.label, min: S.fmt(x.b.min), max: S.fmt(x.b.max) })));
          ul.appendChild(li);
        });
        cap.appendChild(ul);
        fig.appendChild(cap);
      }
      return fig;
    }

    // ---- numbers across rounds -------------------------------------------------
    var numbersEl = document.getElementById(id + '-numbers');
    var numbersBody = document.getElementById(id + '-numbers-body');
    function numberAt(r, nb) {
      var c = r.el.querySelector('input[type="number"][name="' + r.prefix + nb.name + '"]');
      if (!c || c.value === '') return null;
      var v = Number(c.value);
      return isFinite(v) ? v : null;
    }
    function withUnit(v, nb) {
      return nb.unit ? S.fmt(v) + ' ' + nb.unit : S.fmt(v);
    }
    function renderNumbers() {
      if (!numbersEl || !numbersBody || !def.numbers || !def.numbers.length) return;
      numbersEl.hidden = false;
      numbersBody.textContent = '';
      var vals = def.numbers.map(function (nb) {
        return rounds.map(function (r) { return numberAt(r, nb); });
      });
      var given = [].concat.apply([], vals).filter(function (v) { return v !== null; });
      if (!given.length) {
        numbersBody.appendChild(h('p', 'ws-results-empty', say('numbers_empty')));
        return;
      }
      // the chart's range: the blocks' own, widened to every number given
      var lo = Math.min.apply(null, given.concat(def.numbers.map(function (nb) { return nb.min === null ? Infinity : nb.min; })));
      var hi = Math.max.apply(null, given.concat(def.numbers.map(function (nb) { return nb.max === null ? -Infinity : nb.max; })));
      var groups = def.numbers.map(function (nb) {
        return { id: nb.name, name: nb.unit ? nb.label + ' (' + nb.unit + ')' : nb.label, min: lo, max: hi, better: null };
      });
      var per = rounds.map(function (r, i) {
        return {
          r: r,
          scores: groups.map(function (g, k) {
            return { id: g.id, name: g.name, min: lo, max: hi, better: null, complete: vals[k][i] !== null, score: vals[k][i] };
          })
        };
      });
      var wrap = h('div', 'ws-progress');
      wrap.appendChild(h('h3', null, say('numbers_changed')));
      var figure = h('div', 'ws-progress-grid');
      figure.appendChild(chart(per, { bands: [], aria: say('numbers_chart_label') }));
      figure.appendChild(numbersTable(vals));
      wrap.appendChild(figure);
      var changes = h('ul', 'ws-changes');
      def.numbers.forEach(function (nb, k) {
        var prev = null;
        rounds.forEach(function (r, i) {
          var v = vals[k][i];
          if (v === null) return;
          if (prev) {
            var d = v - prev.v;
            var way = Math.abs(d) < 1e-9 ? 'same' : d > 0 ? 'up' : 'down';
            var li = h('li', 'ws-change ws-change-neutral', say('number_' + way, {
              part: nb.label, by: withUnit(Math.abs(d), nb), old: withUnit(prev.v, nb),
              value: withUnit(v, nb), from: prev.name, to: r.name
            }));
            li.setAttribute('data-change', way);
            changes.appendChild(li);
          }
          prev = { v: v, name: r.name };
        });
      });
      if (changes.firstChild) wrap.appendChild(changes);
      else wrap.appendChild(h('p', 'muted', say('numbers_another_round')));
      numbersBody.appendChild(wrap);
    }
    function numbersTable(vals) {
      var wrapT = h('div', 'table-wrap ws-progress-table');
      var t = h('table');
      t.appendChild(h('caption', null, say('numbers_by_round')));
      var hr = h('tr');
      var corner = h('th', null, say('numbers_part'));
      corner.scope = 'col';
      hr.appendChild(corner);
      rounds.forEach(function (r) {
        var th = h('th', null, r.name);
        th.scope = 'col';
        hr.appendChild(th);
      });
      var thead = h('thead');
      thead.appendChild(hr);
      t.appendChild(thead);
      var tbody = h('tbody');
      def.numbers.forEach(function (nb, k) {
        var tr = h('tr');
        tr.setAttribute('data-number', nb.name);
        var th = h('th', null, nb.label);
        th.scope = 'row';
        tr.appendChild(th);
        rounds.forEach(function (r, i) {
          var v = vals[k][i];
          var td = v === null ? h('td', 'muted', say('score_not_yet')) : h('td', 'ws-number-value', withUnit(v, nb));
          td.setAttribute('data-round', r.name);
          tr.appendChild(td);
        });
        tbody.appendChild(tr);
      });
      t.appendChild(tbody);
      wrapT.appendChild(t);
      return wrapT;
    }

    // ---- printing --------------------------------------------------------------
    function markEmpty() {
      var any = rounds.some(roundHasAnswers);
      rounds.forEach(function (r) {
        if (r.el !== form) r.el.classList.toggle('ws-round-empty', any && !roundHasAnswers(r));
      });
    }
    var hiddenForPrint = [];
    window.addEventListener('beforeprint', function () {
      hiddenForPrint = rounds.filter(function (r) { return r.el.classList.contains('ws-inactive'); });
      hiddenForPrint.forEach(function (r) { r.el.classList.remove('ws-inactive'); });
      autosizeAll();
    });
    window.addEventListener('afterprint', function () {
      hiddenForPrint.forEach(function (r) { r.el.classList.add('ws-inactive'); });
      hiddenForPrint = [];
    });

    function refresh() {
      rounds.forEach(updateAlerts);
      rowNames();
      updateTabs();
      markEmpty();
      renderResults();
      renderNumbers();
      autosizeAll();
      showSaved();
    }

    // ---- export, import, clear ---------------------------------------------------
    function exportAnswers() {
      var out = {
        format: FORMAT,
        version: VERSION,
        program: def.program,
        programTitle: def.programTitle,
        worksheet: def.worksheet,
        title: def.title,
        exported: new Date().toISOString(),
        rounds: rounds.map(function (r) {
          return { round: r.name, saved: r.saved, answers: read(r) };
        })
      };
      if (out.rounds.every(function (r) { return isEmpty(r.answers); })) {
        showStatus(say('export_empty'));
        return;
      }
      var name = def.program + '-' + def.worksheet + '-' + today() + '.json';
      var blob = new Blob([JSON.stringify(out, null, 2) + '\n'], { type: 'application/json' });
      var url = URL.createObjectURL(blob);
      var a = document.createElement('a');
      a.href = url;
      a.download = name;
      a.hidden = true;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
      showStatus(say('exported', { file: name }));
    }

    var NOTHING = say('import_nothing_changed');
    function check(text) {
      var o;
      try {
        o = JSON.parse(text);
      } catch (e) {
        return { error: say('import_unreadable') + NOTHING };
      }
      if (!o || typeof o !== 'object' || Array.isArray(o) || o.format !== FORMAT) {
        return { error: say('import_not_answers') + NOTHING };
      }
      if (o.version !== VERSION) {
        return { error: say('import_other_version') + NOTHING };
      }
      if (o.worksheet !== def.worksheet) {
        return { error: say('import_other_worksheet', { file_title: String(o.title || o.worksheet), title: def.title }) + NOTHING };
      }
      if (o.program !== def.program) {
        return { error: say('import_other_program', { program: String(o.programTitle || o.program) }) + NOTHING };
      }
      if (!Array.isArray(o.rounds) || o.rounds.length !== rounds.length) {
        return { error: say('import_rounds') + NOTHING };
      }
      var bad = false;
      var list = o.rounds.map(function (fr, i) {
        var r = rounds[i];
        if (!fr || typeof fr !== 'object' || fr.round !== r.name || !fr.answers || typeof fr.answers !== 'object' || Array.isArray(fr.answers)) {
          bad = true;
          return null;
        }
        if (fr.saved !== null && fr.saved !== undefined && (typeof fr.saved !== 'string' || isNaN(Date.parse(fr.saved)))) bad = true;
        var sc = schema(r);
        Object.keys(fr.answers).forEach(function (k) {
          var v = fr.answers[k];
          var f = has(sc, k) ? sc[k] : null;
          if (!f) bad = true;
          else if (f.type === 'radio' || f.type === 'select') { if (typeof v !== 'string' || f.values.indexOf(v) === -1) bad = true; }
          else if (f.type === 'checkbox') { if (v !== true) bad = true; }
          else if (f.type === 'date') { if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) bad = true; }
          else if (f.type === 'number') { if (typeof v !== 'string' || v.length > 40 || v.trim() === '' || !isFinite(Number(v))) bad = true; }
          else if (typeof v !== 'string' || v.length > MAX_TEXT) bad = true;
        });
        return { answers: fr.answers, saved: typeof fr.saved === 'string' ? fr.saved : null };
      });
      if (bad) {
        return { error: say('import_bad_answers') + NOTHING };
      }
      return { rounds: list };
    }
    function importText(text, fileName) {
      var res = check(text);
      if (res.error) {
        showError(res.error);
        return;
      }
      rounds.forEach(function (r, i) {
        write(r, res.rounds[i].answers);
        save(r);
        if (res.rounds[i].saved && r.saved) r.saved = res.rounds[i].saved;
      });
      refresh();
      showStatus(say('imported', { file: fileName }));
    }
    function importFile() {
      var f = fileInput.files && fileInput.files[0];
      if (!f) return;
      fileInput.value = '';
      if (f.size > MAX_FILE) {
        showError(say('import_too_large') + NOTHING);
        return;
      }
      var reader = new FileReader();
      reader.onload = function () { importText(String(reader.result), f.name); };
      reader.onerror = function () { showError(say('import_cannot_open') + NOTHING); };
      reader.readAsText(f);
    }

    var clearBtn = hasTools && panel.querySelector('[data-action="clear"]');
    function askClear(open) {
      confirmEl.hidden = !open;
      clearBtn.setAttribute('aria-expanded', open ? 'true' : 'false');
      if (open) confirmEl.querySelector('[data-action="clear-no"]').focus();
    }
    function clearAll() {
      rounds.forEach(function (r) {
        write(r, {});
        r.saved = null;
        if (store) {
          try { store.removeItem(r.key); } catch (e) { /* ignore */ }
        }
      });
      lastSaved = null;
      askClear(false);
      clearBtn.focus();
      refresh();
      showStatus(say('deleted'));
    }

    // ---- wiring ----------------------------------------------------------------------
    function roundOf(el) {
      for (var i = 0; i < rounds.length; i++) if (rounds[i].el !== form && rounds[i].el.contains(el)) return rounds[i];
      return rounds[0].el === form ? rounds[0] : null;
    }
    function onEdit(e) {
      var t = e.target;
      if (!t || !t.name) return;
      var r = roundOf(t);
      if (!r || t.name.indexOf(r.prefix) !== 0) return;
      var date = r.el.querySelector('input[type="date"][name="' + r.prefix + 'date"]');
      if (date && t !== date && !date.value) date.value = today();
      save(r);
      if (t.tagName === 'TEXTAREA') autosize(t);
      if (t.type === 'radio' || t.type === 'date' || t.type === 'checkbox' || e.type === 'change') {
        updateAlerts(r);
        renderResults();
        renderNumbers();
        updateTabs();
        markEmpty();
      }
      if (t.type === 'text') rowNames();
    }

    rounds.forEach(function (r) { write(r, load(r)); });
    // "Save my answers": they are saved as they are typed; this saves every
    // round once more and says so
    var submit = form.querySelector('.ws-submit button[type="submit"]');
    if (submit) submit.hidden = false;
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      rounds.forEach(save);
      if (store && !storageFailed) showStatus(say('saved_at', { time: niceTime(new Date()) }));
    });
    form.addEventListener('input', onEdit);
    form.addEventListener('change', onEdit);
    if (hasTools) {
      panel.addEventListener('click', function (e) {
        var b = e.target.closest('[data-action]');
        if (!b) return;
        var act = b.getAttribute('data-action');
        if (act === 'print') window.print();
        else if (act === 'export') exportAnswers();
        else if (act === 'import') fileInput.click();
        else if (act === 'clear') askClear(confirmEl.hidden);
        else if (act === 'clear-yes') clearAll();
        else if (act === 'clear-no') { askClear(false); clearBtn.focus(); }
      });
      confirmEl.addEventListener('keydown', function (e) {
        if (e.key === 'Escape') { askClear(false); clearBtn.focus(); }
      });
      fileInput.addEventListener('change', importFile);
    }
    window.addEventListener('storage', function (e) {
      if (e.key !== null && e.key.indexOf(base) !== 0) return;
      rounds.forEach(function (r) { write(r, load(r)); });
      refresh();
    });
    if (hasTools) panel.hidden = false;
    buildTabs();
    refresh();
  }

  $$('form.worksheet[data-worksheet]').forEach(setup);
})();
