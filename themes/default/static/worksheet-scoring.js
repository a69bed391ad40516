/* cairn worksheet scoring: pure functions, no DOM. A classic script in the
 * browser (window.CairnScoring) and a CommonJS module in node (for tests).
 *
 * The rule is the one the printed scoring instructions describe
 * (worksheet_html.rs, scoring_sentence; the PDF's "Working out your score"):
 *  - items are grouped by subscale, in the order they first appear; items
 *    without a subscale form the group "overall";
 *  - a reverse item counts as (lowest + highest scale value - answer);
 *  - a group's score is the sum, or the mean rounded to two decimal places,
 *    of its items, and only once every item of the group is answered;
 *  - the band is the one with min <= score <= max (the nearest band when a
 *    score falls in a gap between bands);
 *  - an alert fires on the answer as given (before reversing) >= alert min;
 *  - which way is better: scoring.parts[subscale], else scoring.better,
 *    else "higher"; a change is "better" or "worse" by that direction, and a
 *    band's tone ("good", "mid", "hard") by its place among the bands.
 *
 * item: {id, subscale, reverse, lo, hi, alert}   (alert: a number or null)
 * answers: {itemId: number}                       (unanswered items absent)
 */
(function (root, factory) {
  'use strict';
  var api = factory();
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
  else root.CairnScoring = api;
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  var OVERALL = 'overall';

  function round2(x) {
    var s = x < 0 ? -1 : 1;
    return s * Math.round((Math.abs(x) + 1e-9) * 100) / 100;
  }

  function isNum(v) {
    return typeof v === 'number' && isFinite(v);
  }

  /** The value an answer counts for. */
  function itemScore(item, answer) {
    return item.reverse ? item.lo + item.hi - answer : answer;
  }

  /** Groups of items: [{id, items}], by subscale in order of appearance. */
  function groups(items) {
    var out = [];
    var byId = {};
    items.forEach(function (it) {
      var id = it.subscale ? String(it.subscale) : OVERALL;
      if (!byId[id]) {
        byId[id] = { id: id, items: [] };
        out.push(byId[id]);
      }
      byId[id].items.push(it);
    });
    return out;
  }

  /** The band for a score: the one holding it, else the nearest; null without bands. */
  function bandFor(bands, score) {
    if (!bands || !bands.length || !isNum(score)) return null;
    var best = null;
    var bestDist = Infinity;
    for (var i = 0; i < bands.length; i++) {
      var b = bands[i];
      if (score >= b.min && score <= b.max) return { index: i, band: b };
      var d = score < b.min ? b.min - score : score - b.max;
      if (d < bestDist) {
        bestDist = d;
        best = { index: i, band: b };
      }
    }
    return best;
  }

  /** The lowest and highest score a group can have. */
  function range(method, group) {
    var lo = 0;
    var hi = 0;
    group.items.forEach(function (it) {
      lo += it.lo;
      hi += it.hi;
    });
    if (method === 'mean' && group.items.length) {
      lo /= group.items.length;
      hi /= group.items.length;
    }
    return { min: lo, max: hi };
  }

  /** Which way is better for a group: 'higher' or 'lower'. */
  function betterFor(scoring, groupId) {
    var parts = (scoring && scoring.parts) || {};
    var b = groupId !== OVERALL && Object.prototype.hasOwnProperty.call(parts, groupId) ? parts[groupId] : scoring && scoring.better;
    return b === 'lower' ? 'lower' : 'higher';
  }

  /**
   * A band's tone, by its place among the bands (ordered by min) and which
   * way is better: the best band 'good', the hardest 'hard', others 'mid'.
   */
  function tone(bands, index, better) {
    if (!bands || bands.length < 2) return 'mid';
    var order = bands.map(function (b, i) { return { i: i, min: b.min }; })
      .sort(function (a, b) { return a.min - b.min; })
      .map(function (x) { return x.i; });
    var rank = order.indexOf(index);
    if (rank < 0) return 'mid';
    if (better === 'lower') rank = bands.length - 1 - rank;
    if (rank === bands.length - 1) return 'good';
    if (rank === 0) return 'hard';
    return 'mid';
  }

  /**
   * Scores of one round: [{id, score, answered, total, complete, min, max,
   * better, band}].
   * score is null until every item of the group is answered.
   */
  function scoreRound(scoring, items, answers) {
    var method = scoring && scoring.method === 'sum' ? 'sum' : 'mean';
    var bands = (scoring && scoring.bands) || [];
    return groups(items).map(function (g) {
      var sum = 0;
      var answered = 0;
      g.items.forEach(function (it) {
        var a = answers[it.id];
        if (isNum(a)) {
          sum += itemScore(it, a);
          answered++;
        }
      });
      var total = g.items.length;
      var complete = total > 0 && answered === total;
      var score = null;
      if (complete) score = method === 'sum' ? round2(sum) : round2(sum / total);
      var r = range(method, g);
      return {
        id: g.id,
        score: score,
        answered: answered,
        total: total,
        complete: complete,
        min: r.min,
        max: r.max,
        better: betterFor(scoring, g.id),
        band: complete ? bandFor(bands, score) : null
      };
    });
  }

  /** Items whose answer, as given, is at or above their alert min. */
  function alerts(items, answers) {
    return items.filter(function (it) {
      var a = answers[it.id];
      return isNum(it.alert) && isNum(a) && a >= it.alert;
    }).map(function (it) { return it.id; });
  }

  /**
   * The change from one score to the next: {delta, direction: 'up'|'down'|
   * 'same', verdict: 'better'|'worse'|'same'} (better: 'higher' by default).
   */
  function change(from, to, better) {
    var d = round2(to - from);
    var direction = d > 0 ? 'up' : d < 0 ? 'down' : 'same';
    var verdict = direction === 'same' ? 'same'
      : (direction === 'up') === (better !== 'lower') ? 'better' : 'worse';
    return { delta: d, direction: direction, verdict: verdict };
  }

  /** A number as people write it: 3, 2.5, 3.25 (2,5 where the page's
   * language writes a decimal comma: strings.js's CairnNumber). */
  function fmt(x) {
    if (!isNum(x)) return '';
    var r = round2(x);
    var local = typeof window !== 'undefined' && window.CairnNumber;
    return local ? local(r) : String(r);
  }

  return {
    OVERALL: OVERALL,
    round2: round2,
    itemScore: itemScore,
    groups: groups,
    bandFor: bandFor,
    betterFor: betterFor,
    tone: tone,
    range: range,
    scoreRound: scoreRound,
    alerts: alerts,
    change: change,
    fmt: fmt
  };
});
