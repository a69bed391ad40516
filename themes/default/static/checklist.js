// Checklists on the run sheet: each item gets a tick box whose state is kept
// on this device (localStorage). Without JavaScript the lists stay plain lists.
(function () {
  "use strict";
  var store = null;
  try { store = window.localStorage; store.getItem("cairn-test"); } catch (e) { store = null; }
  var lists = document.querySelectorAll("[data-checklist]");
  if (!lists.length) return;
  var hint = document.querySelector(".checklist-hint");
  if (hint && store) hint.hidden = false;
  lists.forEach(function (list) {
    var name = "cairn-check:" + list.getAttribute("data-checklist");
    var saved = {};
    if (store) {
      try { saved = JSON.parse(store.getItem(name) || "{}") || {}; } catch (e) { saved = {}; }
    }
    list.classList.add("checklist-live");
    list.querySelectorAll("li").forEach(function (li, i) {
      var key = String(i) + ":" + li.textContent.trim();
      var box = document.createElement("input");
      box.type = "checkbox";
      box.id = name.replace(/[^A-Za-z0-9_-]/g, "-") + "-" + i;
      box.checked = saved[key] === true;
      var label = document.createElement("label");
      label.htmlFor = box.id;
      while (li.firstChild) label.appendChild(li.firstChild);
      li.appendChild(box);
      li.appendChild(label);
      box.addEventListener("change", function () {
        if (box.checked) saved[key] = true; else delete saved[key];
        if (store) {
          try { store.setItem(name, JSON.stringify(saved)); } catch (e) { /* full or blocked: ticks last until the page closes */ }
        }
      });
    });
  });
})();
