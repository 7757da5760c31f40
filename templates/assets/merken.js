/* The visitor's Merkliste on this device: the slugs of the marked offers in localStorage, so one list follows the
   visitor from the list page to an offer page and to /merkliste/. Written only when the visitor marks or removes
   an offer, and removed with the last mark: storage the visitor asks for (§ 25 Abs. 2 Nr. 2 TDDDG), no cookie,
   nothing sent anywhere. list.js and merkliste.js use it; on offer pages it runs the "Merken" button. */
(function () {
  "use strict";

  var base = document.documentElement.getAttribute("data-base") || "/";
  var KEY = "offerdb-merkliste:" + base;  // two sites on one host keep two lists
  var SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

  // Browsers may refuse storage (blocked site data): then the list lives in the page and its link only.
  function storage() {
    try { return window.localStorage || null; } catch (e) { return null; }
  }

  function read() {
    var store = storage();
    var raw = "";
    if (store) {
      try { raw = store.getItem(KEY) || ""; } catch (e) { raw = ""; }
    }
    var seen = {};
    return raw.split(",").filter(function (slug) {
      var keep = SLUG.test(slug) && !seen[slug];
      seen[slug] = true;
      return keep;
    });
  }

  function write(slugs) {
    var store = storage();
    if (!store) { return false; }
    try {
      if (slugs.length) { store.setItem(KEY, slugs.join(",")); } else { store.removeItem(KEY); }
      return true;
    } catch (e) {
      return false;
    }
  }

  // Marks or unmarks one offer. Starts from what is stored (another tab may have changed it), or from
  // `current` where nothing can be stored; returns the list as it is now.
  function toggle(slug, current) {
    var slugs = storage() ? read() : (current || []).slice();
    var at = slugs.indexOf(slug);
    if (at === -1) { slugs.push(slug); } else { slugs.splice(at, 1); }
    write(slugs);
    return slugs;
  }

  // Calls `changed` when the list may have changed elsewhere: in another tab, or while this page waited in the
  // back-forward cache.
  function watch(changed) {
    window.addEventListener("storage", function (event) {
      if (event.key === KEY || event.key === null) { changed(); }
    });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) { changed(); }
    });
  }

  window.OfferdbMerkliste = { read: read, write: write, toggle: toggle, watch: watch, canStore: storage() !== null };

  // --- offer pages: the "Merken" button --------------------------------------------------------------------

  var box = document.querySelector("[data-offer-mark]");
  if (!box) { return; }
  var button = box.querySelector("[data-mark-offer]");
  var slug = button.getAttribute("data-mark-offer");
  var link = box.querySelector("a");
  var count = box.querySelector("[data-marked-count]");
  var slugs = read();

  function show() {
    button.setAttribute("aria-pressed", slugs.indexOf(slug) !== -1 ? "true" : "false");
    count.textContent = String(slugs.length);
    // Without storage the link carries the list, as a shared link does.
    link.href = base + "merkliste/" + (storage() ? "" : (slugs.length ? "#" + slugs.join(",") : ""));
  }

  button.addEventListener("click", function () {
    slugs = toggle(slug, slugs);
    show();
  });
  watch(function () {
    slugs = read();
    show();
  });
  show();
  box.hidden = false;
}());
