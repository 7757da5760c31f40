/* The offer list with JavaScript: facets with counts, full-text search (search.js), sorting and marks for the
   Merkliste. All state lives in the URL query, so links, reloads and the back button keep it.
   The page arrives complete: the first cards, and the counts of every filter for the whole list, written by the
   build. Data comes from daten/suche/ (daten.js) only when needed: the filter file and the title order when a
   filter or a search is first used, the "newest" order when chosen, and the cards of the results shown. */
(function () {
  "use strict";

  var form = document.getElementById("filter");
  var list = document.getElementById("liste");
  if (!form || !list || !window.fetch || !window.URLSearchParams || !window.history.replaceState ||
      !window.OfferdbMerkliste || !window.OfferdbData || !window.Uint32Array) {
    return;
  }

  var base = document.documentElement.getAttribute("data-base") || "/";
  var data = window.OfferdbData;
  var STEP = 24;  // cards at a time, as the build's pages have them
  // A search shows half as many at first: each card of a result comes from a small file of its own, and a teacher
  // looks at the best hits first (at 10,000 offers 12 cards are some 13 KB, 24 would be 26 KB).
  var SEARCH_STEP = 12;
  var TOTAL = Number(list.getAttribute("data-total"));  // offers on the site, as the build counted them
  // URL parameter -> key in the filter file, as the page's facets name them (the build's one facet table);
  // per key the label of each value, from the page.
  var FACETS = {};
  var LABELS = {};
  Array.prototype.forEach.call(form.querySelectorAll("[data-facet][data-key]"), function (facet) {
    var key = facet.getAttribute("data-key");
    FACETS[facet.getAttribute("data-facet")] = key;
    LABELS[key] = Object.create(null);
    Array.prototype.forEach.call(facet.querySelectorAll("input[data-label]"), function (box) {
      LABELS[key][box.value] = box.getAttribute("data-label");
    });
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

  var shown = STEP;

  function step() { return query.value.trim() ? SEARCH_STEP : STEP; }
  // null: no query; otherwise {query, order: [offer numbers, best first], terms: {number: [...]}, bits, failed}
  var search = null;
  var searchRun = 0;
  var searchLoaded = false;
  var renderRun = 0;
  var filtersUsed = false;  // once the filter file is loaded, every render counts with it
  var filtersWanted = false;  // the visitor turned to the filters: load the file
  var onScreen = null;  // what #liste shows: {key, count, complete}, the first `count` results of the state `key`
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

  // --- filtering and counts: sets of offer numbers as bitsets (daten.js) ------------------------------------

  function ones(word) {
    word -= (word >>> 1) & 0x55555555;
    word = (word & 0x33333333) + ((word >>> 2) & 0x33333333);
    return Math.imul((word + (word >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
  }

  function size(bits) {
    var n = 0;
    for (var i = 0; i < bits.length; i++) { n += ones(bits[i]); }
    return n;
  }

  function overlap(a, b) {
    var n = 0;
    for (var i = 0; i < a.length; i++) { n += ones(a[i] & b[i]); }
    return n;
  }

  function has(bits, n) { return (bits[n >>> 5] & (1 << (n & 31))) !== 0; }

  // The search results as a set, made once per search.
  function searchBits(filters) {
    if (!search.bits) {
      search.bits = new Uint32Array(filters.words);
      search.order.forEach(function (n) {
        if (n < filters.count) { search.bits[n >>> 5] |= 1 << (n & 31); }
      });
    }
    return search.bits;
  }

  // {param: the offers it lets through} for each active filter; "q" the search. Values of one facet are
  // alternatives, so their sets are joined.
  function chosenSets(filters, state) {
    var sets = {};
    if (search && !search.failed) { sets.q = searchBits(filters); }
    if (state.free) { sets.kostenfrei = filters.free; }
    if (state.grade) { sets.klasse = filters.grades[state.grade] || new Uint32Array(filters.words); }
    Object.keys(FACETS).forEach(function (param) {
      if (!state.facets[param].length) { return; }
      var values = filters.facets[FACETS[param]].sets;
      var bits = new Uint32Array(filters.words);
      state.facets[param].forEach(function (value) {
        var set = values[value];
        for (var i = 0; set && i < bits.length; i++) { bits[i] |= set[i]; }
      });
      sets[param] = bits;
    });
    return sets;
  }

  // The offers every chosen filter lets through but `except` (a parameter, "q" the search): for the counts and
  // for what removing a filter would give.
  function passing(filters, sets, except) {
    var bits = new Uint32Array(filters.all);
    Object.keys(sets).forEach(function (param) {
      if (param === except) { return; }
      for (var i = 0; i < bits.length; i++) { bits[i] &= sets[param][i]; }
    });
    return bits;
  }

  // Each facet's counts apply every other choice but not its own (values of one facet are alternatives).
  function updateCounts(filters, sets) {
    Object.keys(FACETS).forEach(function (param) {
      var base = passing(filters, sets, param);
      var values = filters.facets[FACETS[param]].sets;
      var spans = form.querySelectorAll('[data-count^="' + param + '="]');
      Array.prototype.forEach.call(spans, function (span) {
        var set = values[span.getAttribute("data-count").slice(param.length + 1)];
        setCount(span, set ? overlap(base, set) : 0);
      });
    });
    var free = overlap(passing(filters, sets, "kostenfrei"), filters.free);
    setCount(form.querySelector('[data-count="kostenfrei"]'), free);
    var forGrades = passing(filters, sets, "klasse");
    Array.prototype.forEach.call(gradeSelect.options, function (option) {
      if (!option.value) { return; }
      var set = filters.grades[option.value];
      option.textContent = "Klasse " + option.value + " (" + (set ? overlap(forGrades, set) : 0) + ")";
    });
  }

  // Before the filter file is there: the build's counts (for every offer) while there is no search; during a search
  // none, as they would not be the search's. Turning to the filters brings the file and the search's counts.
  var builtCounts = null;

  function pageCounts(searching) {
    var spans = form.querySelectorAll("[data-count]");
    if (!builtCounts) {
      builtCounts = { spans: Array.prototype.map.call(spans, function (span) { return span.textContent; }),
                      grades: Array.prototype.map.call(gradeSelect.options, function (o) { return o.textContent; }) };
    }
    Array.prototype.forEach.call(spans, function (span, i) { span.textContent = searching ? "" : builtCounts.spans[i]; });
    Array.prototype.forEach.call(gradeSelect.options, function (option, i) {
      option.textContent = searching && option.value ? "Klasse " + option.value : builtCounts.grades[i];
    });
  }

  function useFilters() {
    if (filtersWanted) { return; }
    filtersWanted = true;  // every render from now on counts with the filter file
    var before = renderRun;
    data.filters(base).then(function () {
      if (renderRun === before) { render(false); }  // no render since: the counts of what the page shows
    }, function () { filtersWanted = false; });  // the next turn to the filters asks again
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

  function sortOf(state) { return state.sort || (search && !search.failed ? "relevanz" : "titel"); }

  // The results of `state` in their order, as compared to what the list shows.
  function keyOf(state) {
    return JSON.stringify([search && !search.failed ? search.query : null, state.grade, state.free, state.facets,
                           sortOf(state)]);
  }

  // The first `limit` offers of `order` that `bits` lets through (all when there is no filter).
  function firstOf(order, bits, limit) {
    var found = [];
    for (var i = 0; i < order.length && found.length < limit; i++) {
      if (!bits || has(bits, order[i])) { found.push(order[i]); }
    }
    return found;
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
  // words (templates/offers.html): in a fieldset marked data-in-query each checkbox is named by its data-label,
  // the label's parts joined by "und", its value (the vocabulary key) and its data-aliases
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
    shown = step();
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
  function updateDrop(filters, sets, items, noResults) {
    dropList.textContent = "";
    var groups = noResults ? grouped(items).map(function (group) {
      return { param: group.param, text: "Filter „" + group.text + "“" };
    }) : [];
    if (noResults && search && !search.failed) { groups.unshift({ param: "q", text: "Suchbegriff „" + search.query + "“" }); }
    groups.forEach(function (group) {
      // Without the filter file no filter is chosen: without the search every offer would be a result.
      var n = filters ? size(passing(filters, sets, group.param)) : TOTAL;
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

  function label(key, value) { return (LABELS[key] && LABELS[key][value]) || value; }

  function fill(node, text, terms) {
    if (terms && terms.length && window.OfferdbSearch) {
      node.appendChild(window.OfferdbSearch.highlight(text, terms));
    } else {
      node.textContent = text;
    }
  }

  function markButton(slug, title) {
    var mark = el("button", "mark");
    mark.type = "button";
    mark.setAttribute("data-mark", slug);
    mark.setAttribute("aria-pressed", marked.indexOf(slug) !== -1 ? "true" : "false");
    mark.appendChild(document.createTextNode("Merken"));
    mark.appendChild(el("span", "visually-hidden", ": " + title));
    return mark;
  }

  // `offer`: its card in the search data (exports.card); `number`: its offer number.
  function card(offer, number) {
    var terms = search && !search.failed ? search.terms[number] : null;
    var item = el("li", "card");
    item.setAttribute("data-slug", offer.slug);
    var heading = el("h3");
    var link = el("a");
    link.href = base + "angebote/" + offer.slug + "/";
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
    item.appendChild(markButton(offer.slug, offer.title));
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

  // Shows the results of the page's state. What depends on the state alone (chips, the active count) changes at
  // once; counts and the result count when the filter file, the order and the search are there; the cards when
  // theirs have arrived. Resolves to true when this render reached the screen, false when a newer one took over.
  function render(announce) {
    var state = currentState();
    var run = ++renderRun;
    var active = activeFilters(state);
    panel.querySelector("[data-active-count]").textContent = active ? "(" + active + " aktiv)" : "";
    var chosen = activeList(state);
    updateChips(chosen);
    list.setAttribute("aria-busy", "true");
    var searching = Boolean(search && !search.failed);
    var sort = sortOf(state);
    var key = keyOf(state);
    // Without a filter every offer (or every offer the search found) is a result. The filter file comes when the
    // visitor first turns to the filters (useFilters): a first search does without its 55 KB at 10,000 offers.
    var needFilters = active > 0 || filtersUsed || filtersWanted;
    var known = onScreen && onScreen.key === key && (onScreen.complete || onScreen.count >= shown);
    var needOrder = sort !== "relevanz" && !known;
    var order = needOrder ? data.order(base, sort === "neu" ? "newest" : "title") : null;
    // Only a chosen filter needs the file; for the counts alone a failure leaves them out.
    var filtering = needFilters ? data.filters(base).catch(function (error) {
      if (active > 0) { throw error; }
      return null;
    }) : null;
    return Promise.all([filtering, order]).then(function (loaded) {
      if (run !== renderRun) { return false; }
      var filters = loaded[0];
      var sets = filters ? chosenSets(filters, state) : {};
      var bits = filters ? passing(filters, sets, null) : null;
      var total = bits ? size(bits) : searching ? search.order.length : TOTAL;
      if (filters) {
        filtersUsed = true;
        updateCounts(filters, sets);
      } else {
        pageCounts(searching);
      }
      summarize(state, chosen, total, announce);
      updateDrop(filters, sets, chosen, total === 0);
      var ranked = sort === "relevanz" ? search.order : loaded[1];
      return showCards(key, ranked ? firstOf(ranked, bits, shown) : null, total, run);
    }, function () {
      if (run !== renderRun) { return false; }
      unavailable();
      return false;
    });
  }

  function unavailable() {
    list.removeAttribute("aria-busy");
    window.clearTimeout(statusTimer);
    status.textContent = "Filter und Suche sind gerade nicht verfügbar. Bitte versuchen Sie es gleich noch einmal.";
  }

  // The result count and what follows from it: the "more" button, the empty result, the phone's results button.
  function summarize(state, chosen, total, announce) {
    more.hidden = total <= shown;
    var next = Math.min(step(), total - shown);
    more.textContent = next === 1 ? "1 weiteres Angebot anzeigen" : next + " weitere Angebote anzeigen";
    empty.hidden = total > 0;
    updateHelp(state, total === 0);
    showButton.textContent = plural(total, "Angebot", "Angebote") + " anzeigen";
    var text;
    if (search && search.failed) {
      text = "Die Suche konnte nicht geladen werden. Es werden alle Angebote gezeigt, die zu den Filtern passen: " +
             plural(total, "Angebot", "Angebote") + ".";
    } else {
      var about = search ? " zu „" + search.query + "“" : "";
      text = (total === 0 ? "Keine Angebote" : plural(total, "Angebot", "Angebote")) + about + " gefunden.";
      if (chosen.length) {
        text += " Filter: " + grouped(chosen).map(function (group) { return group.text; }).join(", ") + ".";
      }
      if (total > shown) { text += " Angezeigt werden " + shown + " von " + total + " Angeboten."; }
    }
    // Typing updates the list at once but the screen reader hears the count only after a pause.
    window.clearTimeout(statusTimer);
    if (announce) {
      status.textContent = text;
    } else {
      statusTimer = window.setTimeout(function () { status.textContent = text; }, 500);
    }
  }

  // Puts the cards of `numbers` (the first results of `key`, in order) into the list, loading only those it does
  // not show yet; `numbers` null: the list already shows the first `shown` results of `key`.
  function showCards(key, numbers, total, run) {
    var same = onScreen && onScreen.key === key;
    var keep = same ? Math.min(onScreen.count, numbers ? numbers.length : shown) : 0;
    var missing = numbers ? numbers.slice(keep) : [];
    return (missing.length ? data.cards(base, missing) : Promise.resolve({})).then(function (found) {
      if (run !== renderRun) { return false; }
      while (list.children.length > keep) { list.removeChild(list.lastChild); }
      var fragment = document.createDocumentFragment();
      missing.forEach(function (n) {
        if (found[n]) { fragment.appendChild(card(found[n], n)); }
      });
      list.appendChild(fragment);
      var count = keep + missing.length;
      onScreen = { key: key, count: count, complete: count >= total };
      list.removeAttribute("aria-busy");
      updateMarked();
      return true;
    }, function () {
      if (run !== renderRun) { return false; }
      unavailable();
      return false;
    });
  }

  // Offer numbers from the search's refs (numbers or numeric strings), each once, best first.
  function hitsOf(hits) {
    var order = [];
    var terms = {};
    hits.forEach(function (hit) {
      var n = Number(hit.ref);
      if (n >= 0 && n % 1 === 0 && !(n in terms)) {
        order.push(n);
        terms[n] = hit.terms;
      }
    });
    return { order: order, terms: terms };
  }

  // `understood`: the query is what understandQuery() left; if that is only stop words ("für" of "Workshop für
  // Eltern"), it is dropped instead of finding nothing.
  function runSearch(announce, understood) {
    var q = query.value.trim();
    updateSortOptions(q);
    if (!q) {
      search = null;
      return render(announce);
    }
    var run = ++searchRun;
    if (!searchLoaded) { status.textContent = "Die Suche wird geladen …"; }
    list.setAttribute("aria-busy", "true");
    function failed() {
      if (run !== searchRun) { return; }
      search = { query: q, failed: true };
      render(true);
    }
    // search.js comes before this script in the page's one file (rendering.SCRIPT_BUNDLES); on a page without it
    // there is no OfferdbSearch, and the search says it could not be loaded.
    var api = window.OfferdbSearch;
    (api ? api.load(base) : Promise.reject(new Error("search.js"))).then(function () {
      searchLoaded = true;
      if (run !== searchRun) { return; }  // a newer query has started meanwhile
      if (understood && !window.OfferdbSearch.hasTerms(q)) {
        query.value = "";
        shown = step();
        saveState(false);
        runSearch(announce);
        return;
      }
      window.OfferdbSearch.search(q).then(function (hits) {
        if (run !== searchRun) { return; }
        var found = hitsOf(hits);
        search = { query: q, order: found.order, terms: found.terms };
        render(announce);
      }, failed);
    }, failed);
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
    marked = window.OfferdbMerkliste.toggle(slug, marked);
    button.setAttribute("aria-pressed", marked.indexOf(slug) !== -1 ? "true" : "false");
    updateMarked();
  });

  window.OfferdbMerkliste.watch(function () {
    marked = window.OfferdbMerkliste.read();
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
      shown = step();
      saveState(false);
      runSearch(false);
    }, 150);
  });

  form.addEventListener("change", function (event) {
    if (event.target === query) { return; }
    shown = step();
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
    // Typing has already recorded this query in the history: its understood form replaces it, so the back
    // button does not return to a search for "Mobbing kostenlos" that finds nothing.
    var recorded = (new URLSearchParams(window.location.search).get("q") || "") === query.value.trim();
    var understood = understandQuery();
    shown = step();
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
      shown = step();
      saveState(true);
      runSearch(true);
      query.focus();
    });
  });

  more.addEventListener("click", function () {
    var first = shown;
    shown += step();
    render(true).then(function (done) {
      // Keyboard users continue at the first new card instead of the top of the list.
      var next = done && list.children[first];
      if (next) { next.querySelector("a").focus(); }
    });
  });

  window.addEventListener("popstate", function () {
    // Back and forward step through searches and filters; the marks are the teacher's work and stay.
    var keep = marked;
    applyState(readState());
    marked = keep;
    saveState(false);
    shown = step();
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
  // The build's cards get their "Merken" buttons; on the first page they are the first results of the plain list.
  Array.prototype.forEach.call(list.querySelectorAll("li.card"), function (item) {
    var title = item.querySelector("h3").textContent.replace(/\u00ad/g, "").trim();  // without soft hyphens
    item.appendChild(markButton(item.getAttribute("data-slug"), title));
  });
  if (list.getAttribute("data-first") === "1") {
    var count = list.children.length;
    onScreen = { key: keyOf({ q: "", grade: "", free: false, sort: "", facets: emptyFacets() }), count: count,
               complete: count >= TOTAL };
  }
  applyState(initial);
  // A search sent from another page ("Klasse 7" on the start page) arrives here as words.
  var understood = understandQuery();
  if (understood) { saveState(false); }
  shown = step();
  // On a phone the filters would push the results below the fold: start them folded.
  if (narrow()) { panel.open = false; }
  // The counts beside the filters are the build's: the facets work before any data has arrived.
  panel.hidden = false;
  // Turning to the filters (hovering, focusing, or opening them on a phone) brings their file. Not on "toggle": the
  // browser fires it for the page's own folding too (narrow() above), and a phone would load the file every visit.
  ["pointerenter", "focusin", "click"].forEach(function (type) { panel.addEventListener(type, useFilters); });
  sortBox.removeAttribute("data-reserved");  // its place was kept: the cards stay where they are
  if (pager) { pager.hidden = true; }
  runSearch(Boolean(initial.q), understood);
}());
