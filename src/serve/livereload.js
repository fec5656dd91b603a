// gazette serve: reload this page after each rebuild; show build errors over it.
// Injected by the dev server only; never part of `gazette build` output.
(function () {
  "use strict";
  var me = document.currentScript;
  var build = me.getAttribute("data-build");
  var base = me.getAttribute("data-base") || "/";
  var overlayId = "gazette-error-overlay";

  function showErrors(list) {
    var box = document.getElementById(overlayId);
    if (!box) {
      box = document.createElement("div");
      box.id = overlayId;
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,24,.94);color:#fff;" +
        "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;padding:2rem;";
      document.body.appendChild(box);
    }
    box.textContent = "";
    var h = document.createElement("h2");
    h.textContent = "gazette: the last rebuild failed (" + list.length + (list.length === 1 ? " error" : " errors") + "). The page shows the last good build.";
    h.style.cssText = "font:600 16px system-ui,sans-serif;color:#ff8f8f;margin:0 0 1rem";
    box.appendChild(h);
    list.forEach(function (e) {
      var pre = document.createElement("pre");
      pre.className = "gazette-error";
      pre.textContent = e.text;
      pre.style.cssText = "white-space:pre-wrap;margin:0 0 1rem;padding:.75rem;border-left:3px solid #ff8f8f;background:rgba(255,255,255,.05)";
      box.appendChild(pre);
    });
  }

  var initial = document.getElementById("gazette-errors");
  if (initial) {
    try { showErrors(JSON.parse(initial.textContent)); } catch (e) { /* ignore */ }
  }

  var source = new EventSource(base + "__gazette/events");
  source.addEventListener("build", function (e) {
    if (e.data !== build) { location.reload(); }
  });
  source.addEventListener("errors", function (e) {
    try { showErrors(JSON.parse(e.data)); } catch (err) { /* ignore */ }
  });
})();
