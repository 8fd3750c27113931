// Progressive enhancements: the page reads fine without them.
(function () {
  "use strict";

  // The email is in the page only encoded (its UTF-8 bytes reversed, in base64); build the
  // mailto link on load.
  document.querySelectorAll("a.email[data-email]").forEach(function (link) {
    var bytes = Uint8Array.from(atob(link.getAttribute("data-email")), function (c) {
      return c.charCodeAt(0);
    });
    var address = new TextDecoder().decode(bytes.reverse());
    link.setAttribute("href", "mailto:" + address);
    link.textContent = address;
  });

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = document.execCommand("copy");
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var label = button.firstChild.nodeValue;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      copyText(source.textContent).then(function () {
        button.firstChild.nodeValue = button.getAttribute("data-copied");
      }, function () {
        button.firstChild.nodeValue = button.getAttribute("data-copy-failed");
      }).then(function () {
        setTimeout(function () { button.firstChild.nodeValue = label; }, 2000);
      });
    });
  });
})();
