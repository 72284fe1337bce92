/* The error summary (GOV.UK pattern): focus it when the page loads, and make each link focus its field. */
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    field.scrollIntoView({ block: "center" });
    field.focus();
  });
});

/* An ordered checkbox list ("Contact me by, in this order"): "Move up" and "Move down" buttons beside each
   ticked item replace the order number boxes, which work without JavaScript. The buttons move the item
   itself, so the order of the ticked checkboxes on the page is the order sent; the number boxes are
   disabled so that they say nothing. Each move is announced in the list's status region, and the focus
   stays on the button pressed. */
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-ordered-choices]").forEach(function (list) {
    var status = list.querySelector("[data-order-status]");
    var hint = list.querySelector("[data-order-hint]");
    if (hint) hint.textContent = "To choose the order, use Move up and Move down beside a ticked one.";

    function items() { return Array.prototype.slice.call(list.querySelectorAll("[data-choice]")); }
    function box(item) { return item.querySelector("input[type=checkbox]"); }
    function name(item) { return item.querySelector(".ordered__tick label").textContent; }
    function ticked() { return items().filter(function (item) { return box(item).checked; }); }
    function say(text) {
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 50);
    }
    function refresh() {
      items().forEach(function (item) { item.querySelector(".ordered__moves").hidden = !box(item).checked; });
    }

    items().forEach(function (item) {
      var number = item.querySelector(".ordered__number");
      number.hidden = true;
      number.querySelector("input").disabled = true;
      var moves = document.createElement("div");
      moves.className = "ordered__moves";
      [["up", "Move up"], ["down", "Move down"]].forEach(function (way) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button button--secondary button--small";
        button.setAttribute("data-move", way[0]);
        button.setAttribute("data-value", item.getAttribute("data-value"));
        button.textContent = way[1];
        var hidden = document.createElement("span");
        hidden.className = "visually-hidden";
        hidden.textContent = " " + name(item);
        button.appendChild(hidden);
        moves.appendChild(button);
      });
      item.appendChild(moves);
      box(item).addEventListener("change", refresh);
    });
    refresh();

    list.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-move]");
      if (!button) return;
      var item = button.closest("[data-choice]");
      var order = ticked();
      var at = order.indexOf(item);
      if (button.getAttribute("data-move") === "up") {
        if (at <= 0) { say(name(item) + " is already first."); return; }
        item.parentNode.insertBefore(item, order[at - 1]);
      } else {
        if (at === order.length - 1) { say(name(item) + " is already last."); return; }
        item.parentNode.insertBefore(order[at + 1], item);
      }
      button.focus();  // moving an element drops its focus: put it back
      say(name(item) + " is now number " + (ticked().indexOf(item) + 1) + " of " + order.length + ".");
    });
  });
});
