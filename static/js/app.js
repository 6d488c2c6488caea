// Project JS only; third-party libraries come from npm packages (package.json) through Django staticfiles.
document.addEventListener("htmx:responseError", function (evt) {
  var target = document.getElementById("messages") || document.querySelector("main");
  var div = document.createElement("div");
  div.className = "alert alert-danger";
  div.setAttribute("role", "alert");
  div.innerHTML = evt.detail.xhr.responseText;
  target.prepend(div);
});

// The keyboard starts where the work is: after a refused submit on the first field with an error (else on the form's
// error message), on a fresh entry form (marked data-autofocus) on its first field. Not on pages a user reads.
function focusWhereTheWorkIs() {
  var visible = function (el) { return el && !el.disabled && el.type !== "hidden" && el.offsetParent !== null; };
  var marked = document.querySelector("form .is-invalid, form .invalid-feedback");
  if (marked && marked.classList.contains("invalid-feedback")) {  // a field rendered by hand: its input is beside it
    marked = Array.prototype.filter.call(marked.parentNode.querySelectorAll("input, select, textarea"), visible)[0];
  }
  if (visible(marked)) { marked.focus(); return; }
  var alert = document.querySelector('form [data-testid="form-errors"]');
  if (alert) {
    alert.setAttribute("tabindex", "-1");
    alert.focus();
    return;
  }
  var form = document.querySelector("form[data-autofocus]");
  if (!form) return;
  var first = Array.prototype.filter.call(form.querySelectorAll("input, select, textarea"), visible)[0];
  if (first) first.focus();
}
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", focusWhereTheWorkIs);
else focusWhereTheWorkIs();
