/* The Merkliste: the visitor's own list, kept in this browser by merken.js (marked on the list page or an offer
   page), to copy, mail or print. Its link (/merkliste/#slug-a,slug-b) restores a list anywhere: a link whose
   list differs from the visitor's own is shown as it is, and joins the own list only when the visitor asks.
   It loads the cards of the listed offers only (daten.js); the picker's list of every offer's title loads when the
   visitor first turns to the picker. */
(function () {
  "use strict";

  var box = document.querySelector("[data-merkliste]");
  var store = window.OfferdbMerkliste;
  if (!box || !window.fetch || !window.history.replaceState || !store || !window.OfferdbData) { return; }

  var base = document.documentElement.getAttribute("data-base") || "/";
  var listNode = document.getElementById("merk-liste");
  var status = document.getElementById("merk-status");
  var emptyNode = document.getElementById("merk-leer");
  var picker = document.getElementById("merk-auswahl");
  var linkField = document.getElementById("merk-link");
  var textField = document.getElementById("merk-text");
  var mail = document.getElementById("merk-mail");
  var copyButton = document.getElementById("merk-kopieren");
  var sharedNote = document.getElementById("merk-geteilt");
  var adopt = document.getElementById("merk-uebernehmen");
  var SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
  var bySlug = Object.create(null);  // the cards loaded so far; no prototype: "#constructor" in an address is no offer
  var asked = Object.create(null);  // slugs already looked up, found or not
  var ready = false;
  var pickerLoading = null;
  var slugs = [];
  var shared = false;  // showing a list from the link that differs from the visitor's own

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function absolute(path) { return new URL(base + path, window.location.href).href; }

  // Known offers only, each once: an offer may have left the site since it was marked.
  function known(list) {
    var seen = {};
    return list.filter(function (slug) {
      var keep = slug && (slug in bySlug) && !seen[slug];
      seen[slug] = true;
      return keep;
    });
  }

  function linked() {
    var raw = "";
    try { raw = decodeURIComponent(window.location.hash.replace(/^#/, "")); } catch (e) { raw = ""; }
    return raw.split(",");
  }

  function readHash() { return known(linked()); }

  // Loads the cards of those `list` names that were not looked up yet; only a slug can name an offer.
  function load(list) {
    var ask = list.filter(function (slug) { return SLUG.test(slug) && !asked[slug]; });
    return window.OfferdbData.cardsBySlug(base, ask).then(function (found) {
      ask.forEach(function (slug) {
        asked[slug] = true;
        if (found[slug]) { bySlug[slug] = found[slug].card; }
      });
    });
  }

  function own() { return known(store.read()); }

  // The own list, unless the address brings another one.
  function choose() {
    var linked = readHash();
    var mine = own();
    shared = linked.length > 0 && linked.join(",") !== mine.join(",");
    slugs = shared ? linked : mine;
  }

  function shareLink() { return absolute("merkliste/") + (slugs.length ? "#" + slugs.join(",") : ""); }

  function grades(offer) {
    if (offer.grades) {
      return "Klasse " + (offer.grades[0] === offer.grades[1] ? offer.grades[0] : offer.grades[0] + "–" + offer.grades[1]);
    }
    return offer.age ? offer.age[0] + "–" + offer.age[1] + " Jahre" : "";
  }

  function path(offer) { return "angebote/" + offer.slug + "/"; }

  function cost(offer) { return offer.free ? "kostenfrei" : (offer.cost || "kostenpflichtig"); }

  function contactLines(offer) {
    var lines = [];
    var c = offer.contact || {};
    if (c.email) { lines.push("E-Mail: " + c.email); }
    if (c.phone) { lines.push("Telefon: " + c.phone); }
    if (c.address) { lines.push("Anschrift: " + c.address); }
    return lines;
  }

  function asText() {
    var lines = ["Merkliste: Präventionsangebote für Schulen", ""];
    slugs.forEach(function (slug, i) {
      var offer = bySlug[slug];
      lines.push((i + 1) + ". " + offer.title);
      lines.push("   " + [offer.partner, grades(offer), cost(offer)].filter(Boolean).join(" · "));
      contactLines(offer).forEach(function (line) { lines.push("   " + line); });
      lines.push("   " + absolute(path(offer)));
      lines.push("");
    });
    lines.push("Diese Merkliste im Browser: " + shareLink());
    return lines.join("\n");
  }

  function item(offer, index) {
    var li = el("li", "merk-item");
    var heading = el("h2");
    var link = el("a", "", offer.title);
    link.href = base + path(offer);
    heading.appendChild(link);
    li.appendChild(heading);
    // "e. V." never wraps inside on the page (as the server-rendered names); the copied text keeps plain spaces.
    var partner = offer.partner.replace(/e\. V\./g, "e.\u00a0V.");
    li.appendChild(el("p", "", [partner, grades(offer), cost(offer)].filter(Boolean).join(" · ")));
    var c = offer.contact || {};
    if (c.email || c.phone) {
      var p = el("p", "merk-contact");
      if (c.email) {
        var m = el("a", "", c.email);
        m.href = "mailto:" + c.email;
        p.appendChild(document.createTextNode("E-Mail: "));
        p.appendChild(m);
      }
      if (c.phone) {
        if (c.email) { p.appendChild(document.createTextNode(" · ")); }
        p.appendChild(document.createTextNode("Telefon: " + c.phone));
      }
      li.appendChild(p);
    }
    if (c.address) { li.appendChild(el("p", "merk-address", "Anschrift: " + c.address)); }
    // On paper the title is no link: print the page's address too.
    li.appendChild(el("p", "print-only", "Angebotsseite: " + absolute(path(offer))));
    var remove = el("button", "no-print", "Entfernen");
    remove.type = "button";
    remove.setAttribute("data-remove", offer.slug);
    remove.appendChild(el("span", "visually-hidden", ": " + offer.title));
    li.appendChild(remove);
    li.setAttribute("data-index", String(index));
    return li;
  }

  function render() {
    listNode.textContent = "";
    slugs.forEach(function (slug, i) { listNode.appendChild(item(bySlug[slug], i)); });
    emptyNode.hidden = slugs.length > 0;
    sharedNote.hidden = !shared;
    adopt.hidden = !store.canStore || slugs.length === 0;
    if (slugs.length === 0) {
      status.textContent = shared ? "Die geteilte Merkliste ist leer." : "Ihre Merkliste ist leer.";
    } else {
      status.textContent = (slugs.length === 1 ? "1 Angebot" : slugs.length + " Angebote") + " auf " +
        (shared ? "der geteilten Merkliste." : "Ihrer Merkliste.");
    }
    Array.prototype.forEach.call(picker.options, function (option) {
      option.disabled = option.value !== "" && slugs.indexOf(option.value) !== -1;
    });
    linkField.value = shareLink();
    textField.value = asText();
    mail.href = "mailto:?subject=" + encodeURIComponent("Merkliste Präventionsangebote") +
      "&body=" + encodeURIComponent(asText());
    document.title = document.title.replace(/^Merkliste( \(\d+\))?/, "Merkliste" + (slugs.length ? " (" + slugs.length + ")" : ""));
  }

  // The own list is stored (merken.js) and its address stays plain /merkliste/, so an old address in the history
  // never hides later marks; a list from a link keeps its address (cleaned of unknown offers), as does the own
  // list where the browser stores nothing.
  function showAddress() {
    var keep = (shared || !store.canStore) && slugs.length;
    window.history.replaceState(null, "", window.location.pathname + (keep ? "#" + slugs.join(",") : ""));
  }

  function save() {
    if (!shared) { store.write(slugs); }
    showAddress();
  }

  listNode.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-remove]") : null;
    if (!button) { return; }
    var at = slugs.indexOf(button.getAttribute("data-remove"));
    slugs.splice(at, 1);
    save();
    render();
    // Focus stays in the list: on the next entry's remove button, or the picker when the list is empty.
    var buttons = listNode.querySelectorAll("[data-remove]");
    (buttons[Math.min(at, buttons.length - 1)] || picker).focus();
  });

  document.getElementById("merk-hinzufuegen").addEventListener("click", function () {
    var slug = picker.value;
    if (!slug || slugs.indexOf(slug) !== -1) { return; }
    load([slug]).then(function () {  // its card and contact
      if (!(slug in bySlug) || slugs.indexOf(slug) !== -1) { return; }
      slugs.push(slug);
      save();
      render();
      picker.value = "";
    }, failed);
  });

  copyButton.addEventListener("click", function () {
    var text = asText();
    function done() { status.textContent = "Die Liste wurde in die Zwischenablage kopiert."; }
    function fallback() {
      textField.focus();
      textField.select();
      try {
        if (document.execCommand("copy")) { done(); return; }
      } catch (e) { /* fall through to the manual hint */ }
      status.textContent = "Bitte kopieren Sie den markierten Text mit Strg+C.";
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  });

  document.getElementById("merk-drucken").addEventListener("click", function () { window.print(); });

  adopt.addEventListener("click", function () {
    var mine = own();
    var added = slugs.filter(function (slug) { return mine.indexOf(slug) === -1; });
    slugs = mine.concat(added);
    shared = false;
    save();
    render();
    status.textContent = (added.length === 1 ? "1 Angebot" : added.length + " Angebote") + " übernommen. " +
      status.textContent;
    // The button is gone: focus goes to the list it filled.
    var first = listNode.querySelector("a");
    (first || picker).focus();
  });

  function failed() {
    status.textContent = "Die Merkliste konnte nicht geladen werden. Bitte laden Sie die Seite neu.";
  }

  window.addEventListener("hashchange", function () {
    if (!ready) { return; }
    load(linked()).then(function () {
      choose();
      showAddress();
      render();
    }, failed);
  });

  // Marked or removed in another tab, or on an offer page before coming back here with the back button.
  store.watch(function () {
    if (!ready || shared) { return; }
    load(store.read()).then(function () {
      if (shared) { return; }
      slugs = own();
      render();
    }, failed);
  });

  // The picker offers every offer in title order (one file of titles), loaded when the visitor turns to it.
  function fillPicker() {
    if (pickerLoading) { return; }
    var first = picker.options[0];
    first.textContent = "Angebote werden geladen …";
    pickerLoading = window.OfferdbData.titles(base).then(function (list) {
      var fragment = document.createDocumentFragment();
      list.forEach(function (pair) {
        var option = el("option", "", pair[1]);
        option.value = pair[0];
        option.disabled = slugs.indexOf(pair[0]) !== -1;
        fragment.appendChild(option);
      });
      picker.appendChild(fragment);
      first.textContent = "Angebot auswählen …";
    });
    pickerLoading.catch(function () {
      first.textContent = "Die Angebote konnten nicht geladen werden.";
      pickerLoading = null;  // the next turn to the picker tries again
    });
  }
  // Not on hover: at 10,000 offers the titles are some 200 KB.
  ["focus", "mousedown", "touchstart"].forEach(function (type) {
    picker.addEventListener(type, fillPicker, { passive: true });
  });

  // The frame takes its place at once, invisible (data-loading) until the entries are in: this script blocks the
  // first paint, so the footer is painted below the frame and does not jump down when the entries arrive.
  box.setAttribute("data-loading", "");
  box.hidden = false;
  load(linked().concat(store.read())).then(function () {
    ready = true;
    choose();
    showAddress();  // only tidies the address; opening the page stores nothing
    box.removeAttribute("data-loading");  // shown before its status is written: the status is announced
    render();
  }, function () {
    box.removeAttribute("data-loading");
    failed();
  });
}());
