/* cairn: the look's words for the site's scripts. The page carries them as
 * <script type="application/json" id="cairn-strings"> (the [script] table of
 * the look's strings catalogue). CairnWords(key, args) gives the string with
 * its {name} placeholders filled from args, or the key if there is none.
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
  window.CairnWords = function (key, args) {
    var text = own(words, key) ? String(words[key]) : key;
    return text.replace(/\{([a-z_]+)\}/g, function (m, name) {
      return args && own(args, name) ? String(args[name]) : m;
    });
  };
})();
