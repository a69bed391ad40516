/* cairn: the look's words for the site's scripts. The page carries them as
 * <script type="application/json" id="cairn-strings"> (the [script] table of
 * the look's strings catalogue). CairnWords(key, args) gives the string with
 * its {name} placeholders filled from args, or the key if there is none.
 * CairnLocale is the page's language for the browser's Intl, always with
 * Western digits (0-9, as in the program's own text and the PDFs);
 * CairnNumber(x) writes a number the language's way (2,5 in Spanish) and
 * CairnPlural(n) gives the CLDR plural category of n (one, few, other …).
 */
(function () {
  'use strict';
  var own = function (o, k) { return Object.prototype.hasOwnProperty.call(o, k); };
  var words = (function () {
    try {
      var el = document.getElementById('cairn-strings');
      return el ? JSON.parse(el.textContent) : {};
    } catch (e) {
      return {};
    }
  })();
  var lang = document.documentElement.lang || 'en';
  var rtl = document.documentElement.dir === 'rtl';
  var locale = /-u-/.test(lang) ? lang : lang + '-u-nu-latn';
  try {
    new Intl.NumberFormat(locale);
  } catch (e) {
    locale = 'en';
  }
  window.CairnLocale = locale;
  window.CairnNumber = function (x) {
    try {
      return new Intl.NumberFormat(locale, { maximumFractionDigits: 2, useGrouping: false }).format(x);
    } catch (e) {
      return String(x);
    }
  };
  window.CairnPlural = function (n) {
    try {
      return new Intl.PluralRules(locale).select(n);
    } catch (e) {
      return n === 1 ? 'one' : 'other';
    }
  };
  window.CairnWords = function (key, args) {
    var text = own(words, key) ? String(words[key]) : key;
    return text.replace(/\{([a-z_]+)\}/g, function (m, name) {
      if (!args || !own(args, name)) return m;
      var v = String(args[name]);
      // right to left: a file name or a Latin title keeps its own direction
      return rtl && v && !/^[0-9]+$/.test(v) ? '\u2068' + v + '\u2069' : v;
    });
  };
})();
