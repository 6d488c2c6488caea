// Project JS only; third-party libraries come from npm packages (package.json) through Django staticfiles.
document.addEventListener("htmx:responseError", function (evt) {
  var target = document.getElementById("messages") || document.querySelector("main");
  var div = document.createElement("div");
  div.className = "alert alert-danger";
  div.setAttribute("role", "alert");
  div.innerHTML = evt.detail.xhr.responseText;
  target.prepend(div);
});
