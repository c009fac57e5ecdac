// On a phone, a table's rows stack as cards (app.css), each cell labelled with its column's
// header: the labels are copied from the table's head here, so templates need no extra markup.
// A calendar grid is not a list of rows: its cells span rows (bookings), so stacked they lose
// their column and time; it stays a grid and scrolls inside its own box.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("main table:not(.calendar-grid)").forEach(function (table) {
    var labels = [];
    table.querySelectorAll("thead th").forEach(function (th) {
      // A header hidden from the eye (e.g. "Actions") labels nothing on screen either.
      var text = th.querySelector(".visually-hidden") ? "" : th.textContent.trim();
      for (var i = 0; i < (th.colSpan || 1); i += 1) {
        labels.push(text);
      }
    });
    if (!labels.length) {
      return;
    }
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        if (labels[column] && (cell.colSpan || 1) === 1 && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", labels[column]);
        }
        column += cell.colSpan || 1;
      });
    });
    table.classList.add("stackable");
  });
});
