// gazette: progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // Timeline: filter in place instead of loading the filter page.
  var filters = document.querySelector("[data-timeline-filters]");
  var timeline = document.querySelector("[data-timeline]");
  if (filters && timeline) {
    filters.addEventListener("click", function (ev) {
      var link = ev.target.closest("a[data-filter-kind], a[data-filter-agency]");
      if (!link) return;
      ev.preventDefault();
      var kind = link.getAttribute("data-filter-kind");
      var agency = link.getAttribute("data-filter-agency");
      timeline.querySelectorAll("li.item").forEach(function (li) {
        var show = (kind === null || kind === "" || li.dataset.kind === kind) &&
          (agency === null || (" " + li.dataset.agencies + " ").indexOf(" " + agency + " ") >= 0);
        li.hidden = !show;
      });
      timeline.querySelectorAll("section.month").forEach(function (m) {
        m.hidden = !m.querySelector("li.item:not([hidden])");
      });
      filters.querySelectorAll("a").forEach(function (a) { a.removeAttribute("aria-current"); });
      link.setAttribute("aria-current", "page");
      history.replaceState(null, "", link.href);
    });
  }

  // Search page: Pagefind's UI, started with the query of the header's search box.
  // A large site's index comes in parts, merged into the first.
  var search = document.querySelector("[data-search]");
  if (search && window.PagefindUI) {
    var parts = (search.getAttribute("data-parts") || "").split(" ").filter(Boolean);
    var ui = new window.PagefindUI({
      element: "#search",
      bundlePath: search.getAttribute("data-bundle"),
      mergeIndex: parts.map(function (p) { return { bundlePath: p }; }),
      showImages: false,
      showSubResults: false,
      resetStyles: false,
      autofocus: true,
      processResult: function (result) {
        if (result.meta && result.meta.kind) {
          result.meta.title = result.meta.kind + ": " + result.meta.title;
        }
        return result;
      }
    });
    var q = new URLSearchParams(location.search).get("q");
    if (q) { ui.triggerSearch(q); }
  }

  // Tables marked data-sortable: sort by a column when its heading is chosen.
  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    var heads = table.querySelectorAll("thead th[aria-sort]");
    heads.forEach(function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var key = function (row) {
          var cell = row.cells[col];
          return (cell.getAttribute("data-sort") || cell.textContent).trim().toLowerCase();
        };
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });

  // Previews: hovering or focusing a citation or a link to another page of
  // the site shows that page's title and description (a source's publisher
  // and date, an entity's summary) in a tooltip. Escape or leaving the link
  // dismisses it. Without JavaScript the link works as it always does.
  var script = document.querySelector("script[data-base]");
  var base = new URL(script ? script.getAttribute("data-base") : "/", location.href).href;
  var main = document.querySelector("main");
  if (main && window.fetch && window.DOMParser) {
    var tip = document.createElement("div");
    tip.id = "gazette-preview";
    tip.setAttribute("role", "tooltip");
    tip.hidden = true;
    document.body.appendChild(tip);
    var cache = {};
    var current = null;
    var timer = null;
    var eligible = function (a) {
      if (!a || !main.contains(a) || a.closest("nav, .pager, #gazette-preview")) return false;
      var url = new URL(a.href, location.href);
      if (url.origin !== location.origin || url.href.indexOf(base) !== 0) return false;
      if (url.pathname === location.pathname) return false;
      // Entity pages only: /orders/ID/, /sources/ID/, ... not lists or files.
      var rest = url.pathname.slice(new URL(base).pathname.length).split("/");
      return rest.length === 3 && rest[2] === "" &&
        ["orders", "provisions", "agencies", "sources", "events"].indexOf(rest[0]) >= 0;
    };
    var load = function (href) {
      var key = href.split("#")[0];
      if (!cache[key]) {
        cache[key] = fetch(key).then(function (r) {
          if (!r.ok) throw new Error(r.status);
          return r.text();
        }).then(function (text) {
          var doc = new DOMParser().parseFromString(text, "text/html");
          var h1 = doc.querySelector("h1");
          var meta = doc.querySelector("meta[name=description]");
          return { title: h1 ? h1.textContent.trim() : "", text: meta ? meta.content : "" };
        });
        // A failed fetch (the dev server rebuilding, a page gone) is tried again next time.
        cache[key].catch(function () { delete cache[key]; });
      }
      return cache[key];
    };
    var hide = function () {
      clearTimeout(timer);
      if (current) {
        current.removeAttribute("aria-describedby");
        if (current.dataset.title) {
          current.title = current.dataset.title;
          delete current.dataset.title;
        }
      }
      current = null;
      tip.hidden = true;
    };
    var show = function (a, delay) {
      if (current === a) return;
      hide();
      current = a;
      // The native tooltip would cover this one.
      if (a.title) {
        a.dataset.title = a.title;
        a.removeAttribute("title");
      }
      timer = setTimeout(function () {
        load(a.href).then(function (p) {
          if (current !== a) return;
          tip.textContent = "";
          var t = document.createElement("strong");
          t.textContent = p.title;
          tip.appendChild(t);
          if (p.text) {
            var d = document.createElement("span");
            d.textContent = p.text;
            tip.appendChild(d);
          }
          var r = a.getBoundingClientRect();
          tip.style.left = Math.max(8, Math.min(r.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - 328)) + "px";
          tip.style.top = (r.bottom + window.scrollY + 6) + "px";
          tip.hidden = false;
          a.setAttribute("aria-describedby", tip.id);
        }).catch(function () { if (current === a) hide(); });
      }, delay);
    };
    main.addEventListener("mouseover", function (ev) {
      var a = ev.target.closest("a");
      if (eligible(a)) show(a, 300);
    });
    main.addEventListener("mouseout", function (ev) {
      var a = ev.target.closest("a");
      if (a && a === current && !a.contains(ev.relatedTarget)) hide();
    });
    main.addEventListener("focusin", function (ev) {
      var a = ev.target.closest("a");
      if (eligible(a)) show(a, 0);
    });
    main.addEventListener("focusout", function (ev) {
      if (ev.target === current) hide();
    });
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && !tip.hidden) hide();
    });
  }
})();
