/* The form runner: Enter in the UCRN lookup box presses "Find customer". Enter in any other box presses the
   form's default button, Submit (the first submit button of the form). Without this script the lookup
   box's Enter submits too, and the form's own checks say what is missing. */
document.addEventListener("keydown", function (event) {
  var input = event.target;
  if (event.key !== "Enter" || !input.matches || !input.matches("input[data-lookup]") || !input.form) return;
  var button = input.form.querySelector("button[value=lookup]");
  if (!button) return;
  event.preventDefault();
  input.form.requestSubmit(button);
});
