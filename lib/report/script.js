// Sorting of the trials table by a click on a column's name; '#sort=NAME' or
// '#sort=-NAME' in the address sorts on load. Errors are shown on the page.
"use strict";
window.onerror = function (msg, src, line) {
  var p = document.getElementById("js-errors");
  if (!p) {
    p = document.createElement("pre");
    p.id = "js-errors";
    document.body.insertBefore(p, document.body.firstChild);
  }
  p.textContent += "script error: " + msg + " (line " + line + ")\n";
};
(function () {
  var table = document.getElementById("trials");
  if (!table) return;
  var heads = table.tHead.rows[0].cells;
  var body = table.tBodies[0];
  function key(row, col) {
    var c = row.cells[col];
    var v = c.getAttribute("data-v");
    return v === null ? c.textContent : parseFloat(v);
  }
  function sortBy(col, desc) {
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, col), y = key(b, col);
      var ex = x === "", ey = y === "";
      if (ex || ey) return ex === ey ? 0 : ex ? 1 : -1; // empty cells last
      var nx = typeof x === "number", ny = typeof y === "number";
      var o = nx && ny ? x - y : nx ? -1 : ny ? 1 : x < y ? -1 : x > y ? 1 : 0;
      return desc ? -o : o;
    });
    for (var i = 0; i < rows.length; i++) body.appendChild(rows[i]);
    for (var j = 0; j < heads.length; j++) heads[j].className = "";
    heads[col].className = desc ? "desc" : "asc";
  }
  for (var k = 0; k < heads.length; k++) {
    heads[k].addEventListener("click", (function (col) {
      return function () {
        sortBy(col, heads[col].className === "asc");
      };
    })(k));
  }
  var m = /^#sort=(-?)(.+)$/.exec(location.hash);
  if (m) {
    var name = decodeURIComponent(m[2]);
    for (var h = 0; h < heads.length; h++) {
      if (heads[h].getAttribute("data-k") === name) sortBy(h, m[1] === "-");
    }
  }
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  document.body.setAttribute("data-theme", dark ? "dark" : "light");
  document.body.setAttribute("data-ready", "1");
})();
