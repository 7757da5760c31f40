// The CMS's sign-in window without an OAuth server: Decap opens this page (backend.base_url and auth_endpoint
// in admin/config.yml) as it would open an OAuth provider, and this page answers with the protocol that
// provider's page would use ("authorizing:github", then "authorization:github:success:{token}"), but with a
// token the editor pasted. Messages go only to and come only from this site's own origin.
(function () {
  "use strict";
  var form = document.getElementById("anmelden");
  var input = document.getElementById("token");
  var opener = window.opener;
  var origin = window.location.origin;
  if (!opener) {
    document.getElementById("fehler").hidden = false;
    form.hidden = true;
    return;
  }
  var ready = false;
  window.addEventListener("message", function (event) {
    if (event.origin === origin && event.source === opener && event.data === "authorizing:github") ready = true;
  });
  opener.postMessage("authorizing:github", origin);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var token = input.value.trim();
    if (!input.checkValidity() || !ready) {
      document.getElementById("hinweis").hidden = false;
      return;
    }
    opener.postMessage("authorization:github:success:" + JSON.stringify({ token: token, provider: "github" }), origin);
  });
})();
