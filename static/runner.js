/* The form runner: Enter in the UCRN lookup box presses "Find customer", Enter in the address search box
   "Find address", and Enter on an address found "Use this address". Enter in any other box presses the
   form's default button, Submit (the first submit button of the form). Without this script those boxes'
   Enter submits too, and the form's own checks say what is missing; the buttons work the same. */
var ENTER_PRESSES = [
  ["input[data-lookup]", "button[value=lookup]"],
  ["input[data-address-search]", "button[value=find_address]"],
  ["[data-address-choices] input[type=radio]", "button[value=pick_address]"]
];
document.addEventListener("keydown", function (event) {
  var input = event.target;
  if (event.key !== "Enter" || !input.matches || !input.form) return;
  for (var i = 0; i < ENTER_PRESSES.length; i++) {
    if (!input.matches(ENTER_PRESSES[i][0])) continue;
    var button = input.form.querySelector(ENTER_PRESSES[i][1]);
    if (!button) return;
    event.preventDefault();
    input.form.requestSubmit(button);
    return;
  }
});
