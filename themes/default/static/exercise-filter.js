/* cairn: the exercise library's filters (tag, time, group size), in the
 * browser and from disk. The form is in the page, hidden; this script shows
 * it and hides the exercises that do not fit. Without JavaScript the form
 * stays hidden and every exercise is listed. Each exercise card carries its
 * data: data-tags (a JSON list), data-minutes, data-group-min/-max. The
 * choices are kept in the address (?tag=…&minutes=…&group=…) where the
 * browser allows it, so a filtered list can be bookmarked or linked. */
(function () {
  'use strict';
  var form = document.getElementById('exercise-filters');
  var list = document.getElementById('exercise-list');
  var status = document.getElementById('filter-status');
  if (!form || !list || !status) return;
  var say = window.CairnWords || function (key) { return key; };
  var num = window.CairnNumber || String;
  var int = function (s) { var n = parseInt(s, 10); return isNaN(n) ? null : n; };
  var cards = Array.prototype.slice.call(list.children).map(function (li) {
    var tags = [];
    try { tags = JSON.parse(li.getAttribute('data-tags') || '[]'); } catch (e) { tags = []; }
    return {
      li: li, tags: Array.isArray(tags) ? tags.map(String) : [],
      minutes: int(li.getAttribute('data-minutes')),
      lo: int(li.getAttribute('data-group-min')), hi: int(li.getAttribute('data-group-max'))
    };
  });
  var field = function (name) { return form.elements.namedItem(name); };
  var tag = field('tag'), minutes = field('minutes'), group = field('group');

  function fits(c, t, m, n) {
    if (t && c.tags.indexOf(t) === -1) return false;
    if (m !== null && (c.minutes === null || c.minutes > m)) return false;
    if (n !== null && c.lo !== null && c.hi !== null && (n < c.lo || n > c.hi)) return false;
    return true;
  }

  function apply() {
    var t = tag ? tag.value : '', m = minutes ? int(minutes.value) : null, n = group ? int(group.value) : null;
    var shown = 0;
    cards.forEach(function (c) {
      var ok = fits(c, t, m, n);
      c.li.hidden = !ok;
      if (ok) shown++;
    });
    status.textContent = shown ? say('filter_shown', { n: num(shown), total: num(cards.length) }) : say('filter_none');
    try { // keep the choices in the address; file:// may refuse
      var u = new URL(window.location.href);
      [['tag', t], ['minutes', m], ['group', n]].forEach(function (kv) {
        if (kv[1] === '' || kv[1] === null) u.searchParams.delete(kv[0]);
        else u.searchParams.set(kv[0], String(kv[1]));
      });
      window.history.replaceState(null, '', u.href);
    } catch (e) { /* the list is filtered anyway */ }
  }

  // Choices from the address, when they are ones the form offers.
  var params = new URLSearchParams(window.location.search);
  var choose = function (select, value) {
    if (!select || value === null) return;
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === value) { select.value = value; return; }
    }
  };
  choose(tag, params.get('tag'));
  choose(minutes, params.get('minutes'));
  if (group && int(params.get('group')) !== null) group.value = String(int(params.get('group')));

  form.addEventListener('change', apply);
  form.addEventListener('input', apply);
  form.addEventListener('submit', function (ev) { ev.preventDefault(); apply(); });
  form.addEventListener('reset', function () { window.setTimeout(apply, 0); });
  form.hidden = false;
  apply();
})();
