/* KKR-arkivet: copy buttons, the reference list (localStorage) and query highlighting.
   Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";

  var STORAGE_KEY = "kkr-arkiv:referencer";
  document.documentElement.classList.add("js");

  // ---------------------------------------------------------------- helpers

  function toast(message) {
    var el = document.querySelector("[data-toast]");
    if (!el) return;
    el.textContent = message;
    el.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { el.hidden = true; }, 2500);
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.top = "-1000px";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(
        function () { return true; },
        function () { return fallbackCopy(text); }
      );
    }
    return Promise.resolve(fallbackCopy(text));
  }

  function announceCopy(ok) {
    toast(ok ? "Kopieret til udklipsholderen" : "Kunne ikke kopiere. Markér teksten, og kopiér den selv.");
  }

  // ---------------------------------------------------------------- reference list

  function loadRefs() {
    try {
      var data = JSON.parse(window.localStorage.getItem(STORAGE_KEY) || "[]");
      return Array.isArray(data) ? data.filter(function (r) { return r && typeof r.citation === "string"; }) : [];
    } catch (e) {
      return [];
    }
  }

  function saveRefs(refs) {
    try {
      window.localStorage.setItem(STORAGE_KEY, JSON.stringify(refs));
      return true;
    } catch (e) {
      toast("Referencelisten kunne ikke gemmes i denne browser.");
      return false;
    }
  }

  // One reference as text to paste: the citation and its permalink ("…, s. 16. https://…/punkt/…").
  function withLink(citation, url) {
    if (!url) return citation;
    return citation + (/[.!?]$/.test(citation) ? " " : ". ") + url;
  }

  function absolute(url) {
    return url ? new URL(url, window.location.href).href : "";  // the page's own origin
  }

  function refsAsText(refs) {
    return refs.map(function (r) { return withLink(r.citation, r.url); }).join("\n");
  }

  function updateCount() {
    var n = loadRefs().length;
    document.querySelectorAll("[data-ref-count]").forEach(function (el) {
      el.textContent = String(n);
      el.hidden = n === 0;
      el.setAttribute("aria-label", n + (n === 1 ? " reference" : " referencer"));
    });
  }

  function markAdded(button) {
    button.textContent = "På referencelisten ✓";
    button.classList.add("done");
    button.setAttribute("aria-pressed", "true");
  }

  function setupAddButtons() {
    var refs = loadRefs();
    document.querySelectorAll("[data-ref-add]").forEach(function (button) {
      var id = button.getAttribute("data-ref-id");
      if (refs.some(function (r) { return r.id === id; })) markAdded(button);
      button.addEventListener("click", function () {
        var current = loadRefs();
        if (!current.some(function (r) { return r.id === id; })) {
          current.push({
            id: id,
            citation: button.getAttribute("data-ref-citation"),
            url: absolute(button.getAttribute("data-ref-url")),
            view: absolute(button.getAttribute("data-ref-view"))  // the page viewer at the cited sentence
          });
          if (!saveRefs(current)) return;
        }
        markAdded(button);
        updateCount();
        toast("Tilføjet til referencelisten");
      });
    });
  }

  function appendLink(li, href, text) {
    if (!href || !/^https?:\/\//.test(href)) return;  // only web addresses, never javascript: from storage
    var link = document.createElement("a");
    link.href = href;
    link.textContent = text;
    li.appendChild(link);
    li.appendChild(document.createTextNode(" · "));
  }

  function renderPanel() {
    var panel = document.querySelector("[data-ref-panel]");
    if (!panel) return;
    var list = panel.querySelector("[data-ref-list]");
    var empty = panel.querySelector("[data-ref-empty]");
    var actions = panel.querySelector("[data-ref-actions]");
    var text = panel.querySelector("[data-ref-text]");
    var refs = loadRefs();
    list.textContent = "";
    refs.forEach(function (ref, index) {
      var li = document.createElement("li");
      var cite = document.createElement("span");
      cite.className = "citation";
      cite.textContent = ref.citation;
      li.appendChild(cite);
      appendLink(li, ref.url, "Åbn punktet");
      appendLink(li, ref.view, "Vis citatet i PDF'en");
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "button-link";
      remove.textContent = "Fjern";
      remove.setAttribute("aria-label", "Fjern " + ref.citation);
      remove.addEventListener("click", function () {
        var current = loadRefs();
        current.splice(index, 1);
        saveRefs(current);
        renderPanel();
        updateCount();
      });
      li.appendChild(remove);
      list.appendChild(li);
    });
    empty.hidden = refs.length > 0;
    actions.hidden = refs.length === 0;
    text.hidden = refs.length === 0;
    text.value = refsAsText(refs);
  }

  function setupPanel() {
    var panel = document.querySelector("[data-ref-panel]");
    if (!panel) return;
    panel.querySelector("[data-ref-copy-all]").addEventListener("click", function () {
      copyText(refsAsText(loadRefs())).then(announceCopy);
    });
    panel.querySelector("[data-ref-clear]").addEventListener("click", function () {
      if (window.confirm("Vil du tømme referencelisten?")) {
        saveRefs([]);
        renderPanel();
        updateCount();
      }
    });
    renderPanel();
  }

  // ---------------------------------------------------------------- copy buttons

  function setupCopyButtons() {
    document.querySelectorAll("[data-copy-citation]").forEach(function (button) {
      button.addEventListener("click", function () {
        var text = withLink(button.getAttribute("data-copy-citation"), absolute(button.getAttribute("data-copy-url")));
        copyText(text).then(announceCopy);
      });
    });
    document.querySelectorAll("[data-copy-target]").forEach(function (button) {
      button.addEventListener("click", function () {
        var target = document.getElementById(button.getAttribute("data-copy-target"));
        if (!target) return;
        copyText(target.textContent.trim()).then(announceCopy);
      });
    });
  }

  // ---------------------------------------------------------------- query highlighting on item pages

  function stem(word) {
    return word.length > 5 ? word.slice(0, Math.max(4, word.length - 3)) : word;
  }

  function highlightQuery() {
    var root = document.querySelector("[data-highlight-query]");
    if (!root) return;
    var q = (root.getAttribute("data-highlight-query") || "").toLowerCase();
    var words = q.match(/[\p{L}\p{N}]{3,}/gu);
    if (!words) return;
    var stems = words.filter(function (w) { return ["og", "eller", "ikke", "and", "not"].indexOf(w) < 0; }).map(stem);
    if (!stems.length) return;
    var escaped = stems.map(function (s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); });
    var pattern = new RegExp("[\\p{L}\\p{N}]*(?:" + escaped.join("|") + ")[\\p{L}\\p{N}]*", "giu");
    root.querySelectorAll(".item-body .para, .item-body .subheading").forEach(function (el) {
      var walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      var nodes = [];
      while (walker.nextNode()) {
        if (!walker.currentNode.parentElement.closest("a")) nodes.push(walker.currentNode);
      }
      nodes.forEach(function (node) {
        var text = node.nodeValue;
        pattern.lastIndex = 0;
        if (!pattern.test(text)) return;
        pattern.lastIndex = 0;
        var frag = document.createDocumentFragment();
        var last = 0;
        text.replace(pattern, function (match, offset) {
          frag.appendChild(document.createTextNode(text.slice(last, offset)));
          var mark = document.createElement("mark");
          mark.textContent = match;
          frag.appendChild(mark);
          last = offset + match.length;
          return match;
        });
        frag.appendChild(document.createTextNode(text.slice(last)));
        node.parentNode.replaceChild(frag, node);
      });
    });
  }

  // ---------------------------------------------------------------- filters behind "Filtrér" on narrow screens

  function setupFilters() {
    var filters = document.querySelector("[data-filters]");
    if (filters && window.matchMedia("(max-width: 900px)").matches) filters.open = false;
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupFilters();
    setupCopyButtons();
    setupAddButtons();
    setupPanel();
    updateCount();
    highlightQuery();
  });
  window.addEventListener("storage", function () { updateCount(); renderPanel(); });
})();
