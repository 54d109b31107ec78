// Expo's only script: how htmx treats error responses. Pages work without it.
// 422 carries a form with inline messages: swap it in like a success.
// Other errors (403, 404, 409 …) would be swapped nowhere by htmx: show their message instead.
document.addEventListener("htmx:responseError", function (event) {
  var box = document.getElementById("flash");
  if (!box) return;
  var doc = new DOMParser().parseFromString(event.detail.xhr.responseText, "text/html");
  var message = doc.querySelector("[role=alert]");
  box.textContent = message ? message.textContent : event.detail.xhr.status + " " + event.detail.xhr.statusText;
  box.hidden = false;
});

// The header's drop-downs (<details class="more">) work without this; with it a click elsewhere closes them.
document.addEventListener("click", function (event) {
  document.querySelectorAll("header details.more[open]").forEach(function (menu) {
    if (!menu.contains(event.target)) menu.removeAttribute("open");
  });
});
