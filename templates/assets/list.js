/* The offer list with JavaScript: instant facets with counts, full-text search (search.js), sorting and
   marks for the Merkliste. All state lives in the URL query, so links, reloads and the back button keep it.
   Without JavaScript (or before daten/katalog.json has arrived) the server-rendered, paginated list stays. */
(function () {
  "use strict";

  var form = document.getElementById("filter");
  var list = document.getElementById("liste");
  if (!form || !list || !window.fetch || !window.URLSearchParams || !window.history.replaceState ||
      !window.OfferdbMerkliste) {
    return;
  }

  var base = document.documentElement.getAttribute("data-base") || "/";
  var STEP = 24;
  // URL parameter -> key in daten/katalog.json, as the page's facets name them (the build's one facet table).
  var FACETS = {};
  Array.prototype.forEach.call(form.querySelectorAll("[data-facet][data-key]"), function (facet) {
    FACETS[facet.getAttribute("data-facet")] = facet.getAttribute("data-key");
  });
  var status = document.getElementById("ergebnis");
  var empty = document.getElementById("leer");
  var more = document.getElementById("mehr");
  var panel = form.querySelector("[data-facets]");
  var sortBox = document.querySelector("[data-sort]");
  var sortSelect = document.getElementById("f-sortierung");
  var pager = document.querySelector("[data-pager]");
  var markedBox = document.querySelector("[data-marked]");
  var query = document.getElementById("suche");
  var gradeSelect = document.getElementById("f-klasse");
  var freeBox = document.getElementById("f-kostenfrei");
  var helpBox = empty.querySelector("[data-help]");
  var helpList = empty.querySelector("[data-help-list]");
  var chipBox = document.querySelector("[data-chips]");
  var chipList = document.querySelector("[data-chip-list]");
  var dropBox = empty.querySelector("[data-drop]");
  var dropList = empty.querySelector("[data-drop-list]");
  var showButton = form.querySelector("[data-show-results]");

  var catalog = null;
  var bySlug = {};
  var shown = STEP;
  var search = null;  // null: no query; otherwise {query, rank: {slug: position}, terms: {slug: [...]}, failed}
  var searchRun = 0;
  var searchLoaded = false;
  var marked = [];
  var statusTimer = 0;
  var helpData = null;  // promise of daten/hilfe.json, fetched on the first empty result

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  // --- state <-> URL ------------------------------------------------------------------------------------

  function readState() {
    var params = new URLSearchParams(window.location.search);
    var state = { q: (params.get("q") || "").trim(), grade: params.get("klasse") || "",
                  free: params.get("kostenfrei") === "1", sort: params.get("sortierung") || "", facets: {} };
    Object.keys(FACETS).forEach(function (param) { state.facets[param] = params.getAll(param); });
    return state;
  }

  function applyState(state) {
    query.value = state.q;
    gradeSelect.value = /^([1-9]|1[0-3])$/.test(state.grade) ? state.grade : "";
    freeBox.checked = state.free;
    Object.keys(FACETS).forEach(function (param) {
      var boxes = form.querySelectorAll('input[name="' + param + '"]');
      Array.prototype.forEach.call(boxes, function (box) {
        box.checked = state.facets[param].indexOf(box.value) !== -1;
      });
    });
    updateSortOptions(state.q);
    sortSelect.value = state.sort;
    if (sortSelect.value !== state.sort) { sortSelect.value = ""; }
  }

  function currentState() {
    var state = { q: query.value.trim(), grade: gradeSelect.value, free: freeBox.checked,
                  sort: sortSelect.value, facets: {} };
    Object.keys(FACETS).forEach(function (param) {
      var boxes = form.querySelectorAll('input[name="' + param + '"]:checked');
      state.facets[param] = Array.prototype.map.call(boxes, function (box) { return box.value; });
    });
    return state;
  }

  function stateUrl(state) {
    var params = new URLSearchParams();
    if (state.q) { params.set("q", state.q); }
    if (state.grade) { params.set("klasse", state.grade); }
    if (state.free) { params.set("kostenfrei", "1"); }
    Object.keys(FACETS).forEach(function (param) {
      state.facets[param].forEach(function (value) { params.append(param, value); });
    });
    if (state.sort) { params.set("sortierung", state.sort); }
    var text = params.toString();
    return window.location.pathname + (text ? "?" + text : "");
  }

  function saveState(push) {
    var url = stateUrl(currentState());
    if (url === window.location.pathname + window.location.search) { return; }
    window.history[push ? "pushState" : "replaceState"](null, "", url);
  }

  // --- filtering and counts --------------------------------------------------------------------------------

  // `except`: a filter to leave out ("q" the search), for the counts and for what removing it would give.
  function matches(offer, state, except) {
    if (search && !search.failed && except !== "q" && !(offer.slug in search.rank)) { return false; }
    if (state.free && except !== "kostenfrei" && !offer.free) { return false; }
    if (state.grade && except !== "klasse") {
      var g = Number(state.grade);
      if (!offer.grades || offer.grades[0] > g || offer.grades[1] < g) { return false; }
    }
    for (var param in FACETS) {
      var wanted = state.facets[param];
      if (param === except || !wanted.length) { continue; }
      var values = offer[FACETS[param]];
      var hit = false;
      for (var i = 0; i < wanted.length && !hit; i++) { hit = values.indexOf(wanted[i]) !== -1; }
      if (!hit) { return false; }
    }
    return true;
  }

  // Each facet's counts apply every other choice but not its own (values of one facet are alternatives).
  function updateCounts(state) {
    var offers = catalog.offers;
    Object.keys(FACETS).forEach(function (param) {
      var counts = {};
      offers.forEach(function (offer) {
        if (!matches(offer, state, param)) { return; }
        offer[FACETS[param]].forEach(function (value) { counts[value] = (counts[value] || 0) + 1; });
      });
      var spans = form.querySelectorAll('[data-count^="' + param + '="]');
      Array.prototype.forEach.call(spans, function (span) {
        var value = span.getAttribute("data-count").slice(param.length + 1);
        setCount(span, counts[value] || 0);
      });
    });
    var free = 0;
    var grades = {};
    offers.forEach(function (offer) {
      if (offer.free && matches(offer, state, "kostenfrei")) { free++; }
      if (offer.grades && matches(offer, state, "klasse")) {
        for (var g = offer.grades[0]; g <= offer.grades[1]; g++) { grades[g] = (grades[g] || 0) + 1; }
      }
    });
    setCount(form.querySelector('[data-count="kostenfrei"]'), free);
    Array.prototype.forEach.call(gradeSelect.options, function (option) {
      if (option.value) { option.textContent = "Klasse " + option.value + " (" + (grades[option.value] || 0) + ")"; }
    });
  }

  function activeFilters(state) {
    var n = (state.grade ? 1 : 0) + (state.free ? 1 : 0);
    Object.keys(FACETS).forEach(function (param) { n += state.facets[param].length; });
    return n;
  }

  function setCount(span, n) {
    span.textContent = "(" + n + ")";
    span.parentNode.classList.toggle("zero", n === 0);
  }

  function sorted(offers, state) {
    var copy = offers.slice();
    var sort = state.sort || (search && !search.failed ? "relevanz" : "titel");
    if (sort === "neu") {
      copy.sort(function (a, b) { return a.updated < b.updated ? 1 : a.updated > b.updated ? -1 : 0; });
    } else if (sort === "relevanz" && search && !search.failed) {
      copy.sort(function (a, b) { return search.rank[a.slug] - search.rank[b.slug]; });
    }  // "titel": the catalog is already in title order
    return copy;
  }

  function updateSortOptions(q) {
    var value = sortSelect.value;
    var options = q ? [["", "beste Treffer zuerst"], ["titel", "Titel A–Z"], ["neu", "neueste zuerst"]]
                    : [["", "Titel A–Z"], ["neu", "neueste zuerst"]];
    sortSelect.textContent = "";
    options.forEach(function (pair) {
      var option = el("option", "", pair[1]);
      option.value = pair[0];
      sortSelect.appendChild(option);
    });
    sortSelect.value = value;
    if (sortSelect.value !== value) { sortSelect.value = ""; }
  }

  // --- words of the search that name a filter ---------------------------------------------------------------
  // "Mobbing Klasse 7 kostenlos" is the search "Mobbing" for grade 7 and free offers only. The page names the
  // words (templates/offers.html): in a fieldset marked data-in-query each checkbox is named by its label (from
  // daten/katalog.json), the label's parts joined by "und", its value (the vocabulary key) and its data-aliases
  // (content/vocabularies.yaml); the grade select and the cost box carry theirs in data-words. The last word may
  // carry an ending ("Grundschulen", "Workshops", "kostenlose"). Understood when a search is sent or opened
  // from a link, never while typing, so the field does not change under the visitor's fingers.

  var ENDINGS = ["", "e", "n", "en", "s", "es", "er"];
  var LETTERS = "A-Za-z\u00c4\u00d6\u00dc\u00e4\u00f6\u00fc\u00df";
  // A word or a number; a gender form is one word ("Lehrer*innen"), and so is a word joined by hyphens ("Online-Sucht" is a topic, not the venue), numbers are not ("5-6").
  var TOKEN = new RegExp("[0-9" + LETTERS + "]+(?:-[" + LETTERS + "]+)*(?:[*:_\u00b7/]-?(?:innen|in)(?![" + LETTERS +
                         "]))?", "g");
  var namers = null;  // [{words: [...], box: checkbox}], longest first

  function tokens(text) {
    var found = [];
    var match;
    TOKEN.lastIndex = 0;
    while ((match = TOKEN.exec(text)) !== null) {
      found.push({ word: fold(match[0].replace(/[*:_\u00b7\/-]/g, "")), start: match.index, end: TOKEN.lastIndex });
    }
    return found;
  }

  function phraseWords(text) { return tokens(text).map(function (t) { return t.word; }); }

  function listed(node) { return (node.getAttribute("data-words") || node.getAttribute("data-aliases") || "").split("|"); }

  function getNamers() {
    if (namers) { return namers; }
    namers = [];
    function add(text, box) {
      var words = phraseWords(text);
      if (words.length) { namers.push({ words: words, box: box }); }
    }
    Array.prototype.forEach.call(form.querySelectorAll("[data-in-query]"), function (fieldset) {
      var key = fieldset.getAttribute("data-key");
      Array.prototype.forEach.call(fieldset.querySelectorAll("input[type=checkbox]"), function (box) {
        var name = label(key, box.value);
        var names = [name, box.value.replace(/-/g, " ")].concat(listed(box));
        if (/\sund\s/.test(name)) { names = names.concat(name.split(/\s+und\s+/)); }
        names.forEach(function (text) { add(text, box); });
      });
    });
    listed(freeBox).forEach(function (text) { add(text, freeBox); });
    namers.sort(function (a, b) { return b.words.length - a.words.length; });
    return namers;
  }

  function sameWord(typed, known) {
    if (typed.indexOf(known) !== 0) { return false; }
    var ending = typed.slice(known.length);
    return ending === "" || (known.length >= 4 && ENDINGS.indexOf(ending) !== -1);
  }

  function nameAt(list, i) {
    var all = getNamers();
    for (var n = 0; n < all.length; n++) {
      var words = all[n].words;
      var hit = i + words.length <= list.length;
      for (var j = 0; hit && j < words.length; j++) {
        hit = j < words.length - 1 ? list[i + j].word === words[j] : sameWord(list[i + j].word, words[j]);
      }
      if (hit) { return { box: all[n].box, length: words.length }; }
    }
    return null;
  }

  function gradeOption(number) {
    var value = String(Number(number));
    for (var i = 0; i < gradeSelect.options.length; i++) {
      if (gradeSelect.options[i].value === value) { return value; }
    }
    return "";
  }

  // "Klasse 7", "Klassenstufe 7", "Kl. 7", "Klasse7", "7. Klasse"; a range ("Klasse 5–6", "5./6. Klasse") is
  // left to the text search: the grade filter takes one grade.
  function gradeAt(text, list, i) {
    var words = listed(gradeSelect);
    var t = list[i];
    var next = list[i + 1];
    var glued = /^([a-z]+)(\d{1,2})$/.exec(t.word);
    var number = null;
    var length = 2;
    if (glued && words.indexOf(glued[1]) !== -1) {
      number = { word: glued[2], start: t.start + glued[1].length, end: t.end };
      length = 1;
    } else if (next && words.indexOf(t.word) !== -1 && /^\d{1,2}$/.test(next.word)) {
      number = next;
    } else if (next && /^\d{1,2}$/.test(t.word) && words.indexOf(next.word) !== -1) {
      number = t;
    }
    if (!number || !gradeOption(number.word)) { return null; }
    var range = /\d\.?\s*(?:[-\u2013\/]|bis)\s*$/.test(text.slice(0, number.start)) ||
                /^\.?\s*(?:[-\u2013\/]|bis)\s*\d/.test(text.slice(number.end));
    return range ? null : { grade: gradeOption(number.word), length: length };
  }

  // {rest, grade, free, boxes}: the filters the words of `text` name, and the words left to search for.
  function understand(text) {
    var list = tokens(text);
    var found = { rest: "", grade: "", free: false, boxes: [] };
    var rest = "";
    var at = 0;
    for (var i = 0; i < list.length;) {
      var hit = gradeAt(text, list, i);
      if (hit) {
        found.grade = hit.grade;
      } else {
        hit = nameAt(list, i);
        if (hit && hit.box === freeBox) { found.free = true; } else if (hit) { found.boxes.push(hit.box); }
      }
      if (!hit) { i++; continue; }
      rest += text.slice(at, list[i].start) + " ";
      at = list[i + hit.length - 1].end;
      i += hit.length;
    }
    if (!at) { return null; }
    found.rest = (rest + text.slice(at)).replace(/\s+/g, " ").replace(/\s+([,;.:])/g, "$1")
      .replace(/([,;])[,;]+/g, "$1").replace(/^[\s,;:.\-\u2013]+|[\s,;:.\-\u2013]+$/g, "");
    return found;
  }

  // Sets the filters the search field names and leaves the other words in it; true if it found any.
  function understandQuery() {
    var found = understand(query.value);
    if (!found) { return false; }
    query.value = found.rest;
    if (found.grade) { gradeSelect.value = found.grade; }
    if (found.free) { freeBox.checked = true; }
    found.boxes.forEach(function (box) { box.checked = true; });
    return true;
  }

  // --- active filters: chips above the results, the summary, what removing one gives -------------------------

  function legend(node) {
    var fieldset = node.closest("fieldset");
    return fieldset ? fieldset.querySelector("legend").textContent.trim() : "";
  }

  // Each chosen filter in page order as {param, value, name, label}: the filter's name ("Thema", "" for the
  // cost box, whose data-chip says it all) and the value's label.
  function activeList(state) {
    var items = [];
    if (state.grade) { items.push({ param: "klasse", value: state.grade, name: legend(gradeSelect), label: state.grade }); }
    if (state.free) { items.push({ param: "kostenfrei", value: "1", name: "", label: freeBox.getAttribute("data-chip") }); }
    Object.keys(FACETS).forEach(function (param) {
      var name = legend(form.querySelector('[data-facet="' + param + '"] legend'));
      state.facets[param].forEach(function (value) {
        items.push({ param: param, value: value, name: name, label: label(FACETS[param], value) });
      });
    });
    return items;
  }

  function named(name, labels) { return (name ? name + " " : "") + labels.join(" oder "); }

  // One entry per filter, {param, text}: the values of one facet are alternatives ("Format Workshop oder Theater").
  function grouped(items) {
    var groups = [];
    items.forEach(function (item) {
      var last = groups[groups.length - 1];
      if (last && last.param === item.param) {
        last.labels.push(item.label);
      } else {
        groups.push({ param: item.param, name: item.name, labels: [item.label] });
      }
    });
    return groups.map(function (group) { return { param: group.param, text: named(group.name, group.labels) }; });
  }

  function removeFilter(param, value) {
    if (param === "q") {
      query.value = "";
    } else if (param === "klasse") {
      gradeSelect.value = "";
    } else if (param === "kostenfrei") {
      freeBox.checked = false;
    } else {
      Array.prototype.forEach.call(form.querySelectorAll('input[name="' + param + '"]'), function (box) {
        if (value === null || box.value === value) { box.checked = false; }
      });
    }
    shown = STEP;
    saveState(true);
    if (param === "q") { runSearch(true); } else { render(true); }  // at once, so focus can move to the new chips
  }

  function updateChips(items) {
    chipList.textContent = "";
    items.forEach(function (item, i) {
      var button = el("button", "chip");
      button.type = "button";
      button.appendChild(el("span", "visually-hidden", "Filter entfernen: "));
      button.appendChild(document.createTextNode(named(item.name, [item.label])));
      var cross = el("span", "chip-x", "\u00d7");
      cross.setAttribute("aria-hidden", "true");
      button.appendChild(cross);
      button.addEventListener("click", function () {
        removeFilter(item.param, item.value);
        // Keep the keyboard in the row of chips: the next one, else the result count.
        var left = chipList.querySelectorAll("button");
        (left[Math.min(i, left.length - 1)] || status).focus();
      });
      var entry = el("li");
      entry.appendChild(button);
      chipList.appendChild(entry);
    });
    chipBox.hidden = items.length === 0;
  }

  // An empty result: a button per filter and for the search term, saying what removing it alone would give.
  function updateDrop(state, items, noResults) {
    dropList.textContent = "";
    var groups = noResults ? grouped(items).map(function (group) {
      return { param: group.param, text: "Filter „" + group.text + "“" };
    }) : [];
    if (noResults && search && !search.failed) { groups.unshift({ param: "q", text: "Suchbegriff „" + search.query + "“" }); }
    groups.forEach(function (group) {
      var n = catalog.offers.filter(function (offer) { return matches(offer, state, group.param); }).length;
      var button = el("button", "", group.text + " entfernen (" +
                      (n ? "dann " + plural(n, "Angebot", "Angebote") : "auch dann keine Angebote") + ")");
      button.type = "button";
      button.addEventListener("click", function () {
        removeFilter(group.param, null);
        status.focus();
      });
      var entry = el("li");
      entry.appendChild(button);
      dropList.appendChild(entry);
    });
    dropBox.hidden = groups.length === 0;
  }

  function narrow() { return Boolean(window.matchMedia && window.matchMedia("(max-width: 52rem)").matches); }

  // --- cards (same structure as templates/_card.html) ----------------------------------------------------

  function label(facet, key) { return catalog.facets[facet].values[key] || key; }

  function fill(node, text, terms) {
    if (terms && terms.length && window.OfferdbSearch) {
      node.appendChild(window.OfferdbSearch.highlight(text, terms));
    } else {
      node.textContent = text;
    }
  }

  function card(offer) {
    var terms = search && !search.failed ? search.terms[offer.slug] : null;
    var item = el("li", "card");
    item.setAttribute("data-slug", offer.slug);
    var heading = el("h3");
    var link = el("a");
    link.href = base + offer.url;
    fill(link, offer.title, terms);
    heading.appendChild(link);
    item.appendChild(heading);
    var summary = el("p", "card-summary");
    fill(summary, offer.summary, terms);
    item.appendChild(summary);
    var facts = el("ul", "facts");
    facts.appendChild(el("li", "", offer.grades ? "Klasse " + range(offer.grades) : range(offer.age) + " Jahre"));
    facts.appendChild(el("li", "", offer.format.map(function (k) { return label("format", k); }).join(", ")));
    var cost = el("li");
    if (offer.free) {
      cost.appendChild(el("strong", "badge badge-free", "kostenfrei"));
    } else {
      cost.textContent = offer.cost || "kostenpflichtig";
    }
    facts.appendChild(cost);
    if (offer.paused) {
      var paused = el("li");
      paused.appendChild(el("strong", "badge badge-paused", "zurzeit nicht buchbar"));
      facts.appendChild(paused);
    }
    item.appendChild(facts);
    item.appendChild(el("p", "card-partner", offer.partner.replace(/e\. V\./g, "e.\u00a0V.")));  // as _card.html
    var mark = el("button", "mark");
    mark.type = "button";
    mark.setAttribute("data-mark", offer.slug);
    mark.setAttribute("aria-pressed", marked.indexOf(offer.slug) !== -1 ? "true" : "false");
    mark.appendChild(document.createTextNode("Merken"));
    mark.appendChild(el("span", "visually-hidden", ": " + offer.title));
    item.appendChild(mark);
    return item;
  }

  function range(pair) { return pair[0] === pair[1] ? String(pair[0]) : pair[0] + "–" + pair[1]; }

  // --- help contacts on an empty result (same structure as templates/_help_contact.html) ----------------------

  // Lower case with umlauts spelt out, so "Glücksspiel", "Gluecksspiel" and "glücksspiel" meet.
  function fold(text) {
    return text.toLowerCase().replace(/ä/g, "ae").replace(/ö/g, "oe").replace(/ü/g, "ue").replace(/ß/g, "ss");
  }

  function words(text, min) {
    return fold(text).split(/[^a-z0-9]+/).filter(function (word) { return word.length >= min; });
  }

  // The prevention areas a search touches: chosen in the area facet, or named by a query word that is part of an
  // area's label or contains one of its words ("Sucht" – "Suchtprävention", "Gewalt" – "… sexualisierter Gewalt",
  // "Cybermobbing" – "Mobbing"); "-praevention" counts as an ending, so "Gewalttat" touches "Gewaltprävention".
  function touchedAreas(state, areaLabels) {
    var touched = {};
    state.facets.bereich.forEach(function (key) { touched[key] = true; });
    var queryWords = words(state.q, 4);
    Object.keys(areaLabels).forEach(function (key) {
      var labelWords = [];
      words(areaLabels[key], 4).forEach(function (word) {
        labelWords.push(word);
        var stem = word.replace(/praevention$/, "");
        if (stem !== word && stem.length >= 4) { labelWords.push(stem); }
      });
      queryWords.forEach(function (q) {
        labelWords.forEach(function (w) {
          if (w.indexOf(q) !== -1 || q.indexOf(w) !== -1) { touched[key] = true; }
        });
      });
    });
    return touched;
  }

  // A contact's own keywords ("Ritzen", "Alkohol") match a query word exactly, as its beginning while typing,
  // or inside a compound ("Alkoholprobleme").
  function keywordMatch(contact, queryWords) {
    return contact.keywords.some(function (keyword) {
      var k = fold(keyword);
      return queryWords.some(function (q) {
        return k === q || (q.length >= 4 && k.indexOf(q) === 0) || (k.length >= 4 && q.indexOf(k) !== -1);
      });
    });
  }

  function helpContact(contact) {
    var item = el("li", "help-contact");
    var name = el("p", "help-name");
    var link = el("a", "", contact.name);
    link.href = base + "hilfe/#kontakt-" + contact.key;
    name.appendChild(link);
    item.appendChild(name);
    var phones = el("p", "help-phones", "Telefon: ");
    contact.phones.forEach(function (phone, i) {
      if (i) { phones.appendChild(document.createTextNode(", ")); }
      if (phone.label) { phones.appendChild(document.createTextNode(phone.label + ": ")); }
      // No-break spaces as on the server-rendered pages, so a number never wraps inside itself.
      var text = phone.tel ? phone.number.replace(/ /g, "\u00a0").replace(/-/g, "\u2011") : phone.number;
      if (phone.tel) {
        var tel = el("a", "tel", text);
        tel.href = phone.tel;
        phones.appendChild(tel);
      } else {
        phones.appendChild(document.createTextNode(text));
      }
    });
    item.appendChild(phones);
    var meta = [contact.audiences.map(function (a) { return a.label; }).join(", "), contact.hours];
    if (contact.anonymous) { meta.push("anonym"); }
    if (contact.free) { meta.push("kostenfrei"); }
    item.appendChild(el("p", "help-meta", meta.join(" · ")));
    return item;
  }

  function showHelp(state, data) {
    var touched = touchedAreas(state, data.prevention_areas);
    var queryWords = words(state.q, 3);
    var contacts = data.contacts.filter(function (contact) {
      return !contact.emergency && (contact.prevention_areas.some(function (area) { return touched[area.key]; }) ||
                                    keywordMatch(contact, queryWords));
    });
    helpList.textContent = "";
    contacts.forEach(function (contact) { helpList.appendChild(helpContact(contact)); });
    helpBox.hidden = contacts.length === 0;
  }

  function updateHelp(state, noResults) {
    if (!helpBox || !noResults) {
      if (helpBox) { helpBox.hidden = true; }
      return;
    }
    if (!helpData) {
      helpData = fetch(base + "daten/hilfe.json").then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      });
    }
    helpData.then(function (data) {
      // The answer may come after the visitor changed the search: show what fits the page as it is now.
      if (!empty.hidden) { showHelp(currentState(), data); }
    }, function () {
      helpBox.hidden = true;  // without the file the page still offers the way back and the theme links
    });
  }

  // --- rendering -------------------------------------------------------------------------------------------

  function render(announce) {
    var state = currentState();
    updateCounts(state);
    var active = activeFilters(state);
    panel.querySelector("[data-active-count]").textContent = active ? "(" + active + " aktiv)" : "";
    var results = sorted(catalog.offers.filter(function (offer) { return matches(offer, state, null); }), state);
    list.textContent = "";
    var fragment = document.createDocumentFragment();
    results.slice(0, shown).forEach(function (offer) { fragment.appendChild(card(offer)); });
    list.appendChild(fragment);
    more.hidden = results.length <= shown;
    var next = Math.min(STEP, results.length - shown);
    more.textContent = next === 1 ? "1 weiteres Angebot anzeigen" : next + " weitere Angebote anzeigen";
    empty.hidden = results.length > 0;
    updateHelp(state, results.length === 0);
    var chosen = activeList(state);
    updateChips(chosen);
    updateDrop(state, chosen, results.length === 0);
    showButton.textContent = plural(results.length, "Angebot", "Angebote") + " anzeigen";
    var text;
    if (search && search.failed) {
      text = "Die Suche konnte nicht geladen werden. Es werden alle Angebote gezeigt, die zu den Filtern passen: " +
             plural(results.length, "Angebot", "Angebote") + ".";
    } else {
      var about = search ? " zu „" + search.query + "“" : "";
      text = (results.length === 0 ? "Keine Angebote" : plural(results.length, "Angebot", "Angebote")) +
        about + " gefunden.";
      if (chosen.length) {
        text += " Filter: " + grouped(chosen).map(function (group) { return group.text; }).join(", ") + ".";
      }
      if (results.length > shown) { text += " Angezeigt werden " + shown + " von " + results.length + " Angeboten."; }
    }
    // Typing updates the list at once but the screen reader hears the count only after a pause.
    window.clearTimeout(statusTimer);
    if (announce) {
      status.textContent = text;
    } else {
      statusTimer = window.setTimeout(function () { status.textContent = text; }, 500);
    }
    updateMarked();
  }

  // `understood`: the query is what understandQuery() left; if that is only stop words ("für" of "Workshop für
  // Eltern"), it is dropped instead of finding nothing.
  function runSearch(announce, understood) {
    var q = query.value.trim();
    updateSortOptions(q);
    if (!q) {
      search = null;
      render(announce);
      return;
    }
    var run = ++searchRun;
    if (!window.OfferdbSearch) {
      search = { query: q, failed: true };
      render(announce);
      return;
    }
    if (!searchLoaded) { status.textContent = "Die Suche wird geladen …"; }
    window.OfferdbSearch.load(base).then(function () {
      searchLoaded = true;
      if (run !== searchRun) { return; }  // a newer query has started meanwhile
      if (understood && !window.OfferdbSearch.hasTerms(q)) {
        query.value = "";
        saveState(false);
        runSearch(announce);
        return;
      }
      var rank = {};
      var terms = {};
      window.OfferdbSearch.search(q).forEach(function (hit, i) {
        if (hit.ref in bySlug) { rank[hit.ref] = i; terms[hit.ref] = hit.terms; }
      });
      search = { query: q, rank: rank, terms: terms };
      render(announce);
    }, function () {
      if (run !== searchRun) { return; }
      search = { query: q, failed: true };
      render(true);
    });
  }

  // --- Merkliste marks -------------------------------------------------------------------------------------

  function updateMarked() {
    markedBox.hidden = marked.length === 0;
    markedBox.querySelector("[data-marked-count]").textContent = String(marked.length);
    markedBox.querySelector("a").href = base + "merkliste/#" + marked.join(",");
  }

  // The marks are the visitor's Merkliste on this device (merken.js), shared with offer pages and /merkliste/.
  list.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-mark]") : null;
    if (!button) { return; }
    var slug = button.getAttribute("data-mark");
    marked = window.OfferdbMerkliste.toggle(slug, marked).filter(function (s) { return s in bySlug; });
    button.setAttribute("aria-pressed", marked.indexOf(slug) !== -1 ? "true" : "false");
    updateMarked();
  });

  window.OfferdbMerkliste.watch(function () {
    if (!catalog) { return; }
    marked = window.OfferdbMerkliste.read().filter(function (slug) { return slug in bySlug; });
    Array.prototype.forEach.call(list.querySelectorAll("[data-mark]"), function (button) {
      var on = marked.indexOf(button.getAttribute("data-mark")) !== -1;
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
    updateMarked();
  });

  // --- events ----------------------------------------------------------------------------------------------

  var typingTimer = 0;
  query.addEventListener("input", function () {
    window.clearTimeout(typingTimer);
    typingTimer = window.setTimeout(function () {
      shown = STEP;
      saveState(false);
      runSearch(false);
    }, 150);
  });

  form.addEventListener("change", function (event) {
    if (event.target === query) { return; }
    shown = STEP;
    saveState(true);
    render(true);
  });

  sortSelect.addEventListener("change", function () {
    saveState(true);
    render(true);
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(typingTimer);
    shown = STEP;
    // Typing has already recorded this query in the history: its understood form replaces it, so the back
    // button does not return to a search for "Mobbing kostenlos" that finds nothing.
    var recorded = (new URLSearchParams(window.location.search).get("q") || "") === query.value.trim();
    var understood = understandQuery();
    saveState(!(understood && recorded));
    runSearch(true, understood);
  });

  showButton.addEventListener("click", function () {
    if (narrow()) { panel.open = false; }  // on a phone the panel stands above the results
    status.focus();
    status.scrollIntoView(true);
  });

  Array.prototype.forEach.call(document.querySelectorAll("[data-reset]"), function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var keep = marked;
      applyState({ q: "", grade: "", free: false, sort: "", facets: emptyFacets() });
      marked = keep;
      shown = STEP;
      saveState(true);
      runSearch(true);
      query.focus();
    });
  });

  more.addEventListener("click", function () {
    var first = shown;
    shown += STEP;
    render(true);
    // Keyboard users continue at the first new card instead of the top of the list.
    var next = list.children[first];
    if (next) { next.querySelector("a").focus(); }
  });

  window.addEventListener("popstate", function () {
    // Back and forward step through searches and filters; the marks are the teacher's work and stay.
    var keep = marked;
    applyState(readState());
    marked = keep.filter(function (slug) { return slug in bySlug; });
    saveState(false);
    shown = STEP;
    runSearch(true);
  });

  function emptyFacets() {
    var facets = {};
    Object.keys(FACETS).forEach(function (param) { facets[param] = []; });
    return facets;
  }

  // --- start -----------------------------------------------------------------------------------------------

  var initial = readState();
  marked = window.OfferdbMerkliste.read();
  query.value = initial.q;
  fetch(base + "daten/katalog.json").then(function (response) {
    if (!response.ok) { throw new Error(String(response.status)); }
    return response.json();
  }).then(function (data) {
    catalog = data;
    catalog.offers.forEach(function (offer) { bySlug[offer.slug] = offer; });
    marked = marked.filter(function (slug) { return slug in bySlug; });
    applyState(initial);
    // A search sent from another page ("Klasse 7" on the start page) arrives here as words.
    var understood = understandQuery();
    if (understood) { saveState(false); }
    // On a phone the filters would push the results below the fold: start them folded.
    if (narrow()) { panel.open = false; }
    panel.hidden = false;
    sortBox.hidden = false;
    if (pager) { pager.hidden = true; }
    runSearch(Boolean(initial.q), understood);
  }).catch(function () {
    status.textContent = "Filter und Suche sind gerade nicht verfügbar. Alle Angebote stehen in der Liste.";
  });
}());
