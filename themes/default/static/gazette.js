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
  var search = document.querySelector("[data-search]");
  if (search && window.PagefindUI) {
    var ui = new window.PagefindUI({
      element: "#search",
      bundlePath: search.getAttribute("data-bundle"),
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
})();
