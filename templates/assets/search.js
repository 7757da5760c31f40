/* German full-text search over the search data the build writes in small files (offerdb/search/shards.py).
   Nothing is loaded until a page calls OfferdbSearch.load(base): then lunr and lunr-languages (served by this
   site) and daten/suche/manifest.json. A query then loads only the dictionary blocks and posting shards of its
   own terms, assembles lunr's serialized index from them and hands it to lunr.Index.load: lunr scores a
   document by the query terms' entries of its field vectors alone, so it ranks exactly as the full index would.
   The German rules below have twins in offerdb/search/german.py; tests run both over the content.
   Content goes in as text nodes only and no code is built from strings: the CSP (default-src 'self') holds. */
(function () {
  "use strict";

  // lunr with lunr-languages' German, published by offerdb.search.build_search; the versions are in the name
  // because assets/ is cached long.
  var LUNR = "assets/suche/lunr-2.3.9-de-1.22.0.js";
  var FOLDER = "daten/suche/";
  var MANIFEST = FOLDER + "manifest.json";
  var LAST = "\uffff";  // after every letter: [p, p + LAST) holds every term that begins with p
  var LETTER = "A-Za-zÄÖÜäöüß";
  var GENDER_MARK = new RegExp("([" + LETTER + "]{2,})(?:[*:_·]|/-?|\\()(in|innen)\\)?(?![" + LETTER + "])", "g");
  var BINNEN_I = new RegExp("([a-zäöüß])(In|Innen)(?![" + LETTER + "])", "g");
  var FEMININE = /^(.{2,}(?:er|ist|og|eg|ent|ant|eur|ert))(?:in|innen)$/;
  var MIN_PART = 4;
  var EXACT = 10;  // boosts: a word as typed outranks a completion or a typo
  var OTHER = 1;

  var base = "/";
  var loading = null;
  var manifest = null;
  var lunr = null;
  var wordPattern = null;
  var stems = Object.create(null);  // no prototype: a query word like "constructor" is just a word
  var dictionary = Object.create(null);  // term -> true, for the dictionary blocks loaded so far
  var blockTerms = [];  // dictionary block number -> its terms, once loaded
  var rows = Object.create(null);  // term -> [term, number, docs, tfs, lengths per field …], once loaded

  function injectScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = function () { resolve(); };
      script.onerror = function () { reject(new Error("Skript nicht geladen: " + src)); };
      document.head.appendChild(script);
    });
  }

  // URL -> promise of its JSON, shared with daten.js (the list page's data script), so a file is fetched once
  // per page whichever script asks first; a failed one is asked for again.
  var fetched = window.OfferdbFetched || (window.OfferdbFetched = Object.create(null));

  function fetchJson(path) {
    var url = base + path;
    if (!fetched[url]) {
      var promise = window.fetch(url).then(function (response) {
        if (!response.ok) { throw new Error("Suchdaten nicht geladen: " + path + " " + response.status); }
        return response.json();
      });
      fetched[url] = promise;
      promise.catch(function () { if (fetched[url] === promise) { delete fetched[url]; } });
    }
    return fetched[url];
  }

  function file(name) { return fetchJson(FOLDER + name); }

  function load(root) {
    if (loading) { return loading; }
    base = root || "/";
    var scripts = window.lunr && window.lunr.de ? Promise.resolve() : injectScript(base + LUNR);
    loading = Promise.all([scripts, fetchJson(MANIFEST)]).then(function (results) {
      lunr = window.lunr;
      wordPattern = "[" + lunr.de.wordCharacters + "]+";
      manifest = results[1];
    });
    loading.catch(function () { loading = null; });  // a later call may try again
    return loading;
  }

  // --- which files hold which terms -------------------------------------------------------------------------

  // The last block whose first term is <= term (block 0 for a term before all).
  function blockOf(list, term) {
    var low = 0;
    var high = list.length - 1;
    var found = 0;
    while (low <= high) {
      var middle = (low + high) >> 1;
      if (list[middle][0] <= term) { found = middle; low = middle + 1; } else { high = middle - 1; }
    }
    return found;
  }

  // Blocks that may hold a term t with from <= t < to.
  function blocksIn(list, from, to) {
    var result = [];
    for (var i = blockOf(list, from); i < list.length; i++) {
      if (result.length && list[i][0] >= to) { break; }
      result.push(i);
    }
    return result;
  }

  // Ranges [from, to) of terms a query needs to know; a single term t is [t, t + "\0").
  function point(term) { return [term, term + "\u0000"]; }
  function prefix(term) { return [term, term + LAST]; }

  function needWords(ranges) {
    var wanted = {};
    ranges.forEach(function (range) {
      blocksIn(manifest.words, range[0], range[1]).forEach(function (i) { wanted[i] = true; });
    });
    return Promise.all(Object.keys(wanted).map(function (i) {
      if (blockTerms[i]) { return null; }
      return file(manifest.words[i][1]).then(function (data) {
        data.terms.forEach(function (term) { dictionary[term] = true; });
        blockTerms[i] = data.terms;
      });
    }));
  }

  // The known terms t with from <= t < to (their blocks are loaded).
  function termsIn(from, to) {
    var result = [];
    blocksIn(manifest.words, from, to).forEach(function (i) {
      blockTerms[i].forEach(function (term) { if (term >= from && term < to) { result.push(term); } });
    });
    return result;
  }

  // The posting shards named as keys of `wanted`, their rows in `rows`.
  function loadShards(wanted) {
    return Promise.all(Object.keys(wanted).map(function (name) {
      return file(name).then(function (data) {
        data.terms.forEach(function (row) { rows[row[0]] = row; });
      });
    }));
  }

  // The posting shards that may hold a term of `ranges`, before the dictionary says which terms there are.
  function needShards(ranges) {
    var wanted = {};
    ranges.forEach(function (range) {
      blocksIn(manifest.postings, range[0], range[1]).forEach(function (i) { wanted[manifest.postings[i][1]] = true; });
    });
    return loadShards(wanted);
  }

  function needPostings(terms) {
    var wanted = {};
    terms.forEach(function (term) {
      if (!(term in rows)) { wanted[manifest.postings[blockOf(manifest.postings, term)][1]] = true; }
    });
    return loadShards(wanted);
  }

  // lunr copies a posting's metadata and never writes to it: one empty object serves every posting.
  var NO_METADATA = {};

  // lunr's serialized index for `terms`: their postings, and the entries of each document's field vectors
  // for them, with the scores computed exactly as lunr.Builder#createFieldVectors does (BM25, lunr.idf,
  // three decimals). Documents are referred to by their number. A query looks up only the field vectors of
  // the fields its terms occur in, so only those are made; `whole` makes every field's, as lunr's full index
  // has them (for the tests that compare the two).
  function assemble(terms, whole) {
    var fields = manifest.fields.map(function (f) { return f[0]; });
    var count = manifest.count;
    var average = manifest.lengths.map(function (sum) { return sum / count; });
    var k1 = manifest.k1;
    var b = manifest.b;
    var vectors = Object.create(null);  // document -> per field the [term number, score, …] of its terms
    var list = terms.map(function (term) { return rows[term]; });
    // A field vector lists its terms by ascending number, as lunr.Vector#dot expects.
    list.sort(function (x, y) { return x[1] - y[1]; });
    var inverted = list.map(function (row) {
      var posting = { _index: row[1] };
      var withTerm = 0;
      for (var f = 0; f < fields.length; f++) { withTerm += row[2 + 3 * f].length; }
      var x = (count - withTerm + 0.5) / (withTerm + 0.5);
      var idf = Math.log(1 + Math.abs(x));
      for (f = 0; f < fields.length; f++) {
        var docs = row[2 + 3 * f];
        var tfs = row[3 + 3 * f];
        var lengths = row[4 + 3 * f];
        var boost = manifest.fields[f][1];
        var found = {};
        var doc = 0;
        for (var i = 0; i < docs.length; i++) {
          doc += docs[i];
          var tf = tfs[i];
          var score = idf * ((k1 + 1) * tf) / (k1 * (1 - b + b * (lengths[i] / average[f])) + tf);
          score *= boost;
          score *= 1;
          found[doc] = NO_METADATA;
          var vector = vectors[doc] || (vectors[doc] = new Array(fields.length));
          (vector[f] || (vector[f] = [])).push(row[1], Math.round(score * 1000) / 1000);
        }
        posting[fields[f]] = found;
      }
      return [row[0], posting];
    });
    inverted.sort(function (x, y) { return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0; });
    var fieldVectors = [];
    Object.keys(vectors).forEach(function (doc) {
      var vector = vectors[doc];
      for (var f = 0; f < fields.length; f++) {
        if (vector[f] || whole) { fieldVectors.push([fields[f] + "/" + doc, vector[f] || []]); }
      }
    });
    return { version: manifest.version, fields: fields, fieldVectors: fieldVectors, invertedIndex: inverted,
             pipeline: manifest.pipeline };
  }

  // --- German word handling (twin of german.py) -----------------------------------------------------------

  function unifyGender(text) {
    return text.replace(GENDER_MARK, "$1$2").replace(BINNEN_I, function (all, last, ending) {
      return last + ending.toLowerCase();
    });
  }

  function masculine(word) {
    var match = FEMININE.exec(word);
    return match ? match[1] : null;
  }

  function rawWords(text) {
    // Soft hyphens (a title copied from a page into the search box) join a word.
    return unifyGender(text.replace(/\u00ad/g, "")).toLowerCase().match(new RegExp(wordPattern, "g")) || [];
  }

  // The words the index sees for a text: a feminine noun is followed by its masculine base.
  function words(text) {
    var result = [];
    rawWords(text).forEach(function (word) {
      result.push(word);
      var base = masculine(word);
      if (base) { result.push(base); }
    });
    return result;
  }

  function isStopWord(word) {
    return !lunr.de.stopWordFilter(word);
  }

  function stem(word) {
    if (!(word in stems)) {
      var token = lunr.de.trimmer(new lunr.Token(word, {}));
      stems[word] = lunr.de.stemmer(token).toString();
    }
    return stems[word];
  }

  function fold(word) {
    return word.replace(/ß/g, "ss").replace(/ä/g, "a").replace(/ö/g, "o").replace(/ü/g, "u");
  }

  function inIndex(term) {
    return dictionary[term] === true;
  }

  // Keyboards without umlauts: "schueler" is also tried as "schüler" ("strasse" needs nothing: ß -> ss).
  function transliterated(word) {
    return word.replace(/ae/g, "ä").replace(/oe/g, "ö").replace(/ue/g, "ü");
  }

  // A compound the index does not know ("suchtpräventionsprojekt") as parts it knows ("sucht", ...).
  function splitCompound(word) {
    for (var i = MIN_PART; i <= word.length - MIN_PART; i++) {
      var head = word.slice(0, i);
      var tail = word.slice(i);
      if (!inIndex(stem(tail)) || isStopWord(tail)) { continue; }
      if (!inIndex(stem(head)) && head.slice(-1) === "s" && head.length > MIN_PART) { head = head.slice(0, -1); }
      if (inIndex(stem(head)) && !isStopWord(head)) { return [head, tail]; }
    }
    return null;
  }

  // Alternatives for one query word: as typed, transliterated, and the masculine base of a feminine noun
  // (which must match exactly: "lehrer*" would also find "Lehrkraft").
  function variants(word) {
    var list = [{ form: word, typed: true }];
    var spelled = transliterated(word);
    if (spelled !== word) { list.push({ form: spelled, typed: true }); }
    list.slice().forEach(function (v) {
      var base = masculine(v.form);
      if (base) { list.push({ form: base, typed: false }); }
    });
    return list;
  }

  // The query's words to search for: not stop words such as "für".
  function queryWords(query) {
    return rawWords(query).filter(function (w) { return !isStopWord(w); });
  }

  // One group per query word; every group must match (AND), variants within a group are alternatives.
  // Needs the dictionary blocks of wordRanges() and compoundRanges().
  function groups(all) {
    var result = [];
    all.forEach(function (word) {
      var forms = variants(word);
      var known = forms.some(function (v) { return inIndex(stem(v.form)); });
      var parts = !known && word.length >= 2 * MIN_PART ? splitCompound(word) : null;
      if (parts) {
        parts.forEach(function (part) {
          result.push({ word: part, forms: [{ form: part, typed: false }], parts: true });
        });
      } else {
        result.push({ word: word, forms: forms, parts: false });
      }
    });
    return result;
  }

  // Completion while typing ("demokr" -> "demokratiebild") from three typed letters.
  function completes(variant) {
    return variant.typed && variant.form.length >= 3;
  }

  // One typo in words of five or more letters.
  function typoTolerant(word) {
    return word.length >= 5;
  }

  // Ranges of terms whose posting shards the manifest names without the dictionary: each form's term and what a
  // typed form may complete to.
  function typedRanges(all) {
    var ranges = [];
    all.forEach(function (word) {
      variants(word).forEach(function (v) {
        var s = stem(v.form);
        ranges.push(point(s));
        if (completes(v)) { ranges.push(prefix(s), prefix(fold(v.form))); }
      });
    });
    return ranges;
  }

  // What the dictionary must hold to build the groups and their clauses: the typed ranges, and for the one-typo
  // rule every term with the word's first letter (a typo in the first letter is not corrected: it would need every
  // block of the dictionary).
  function wordRanges(all) {
    var ranges = typedRanges(all);
    all.forEach(function (word) {
      if (typoTolerant(word)) { ranges.push(prefix(stem(word).charAt(0))); }
    });
    return ranges;
  }

  // For a long word the dictionary does not know: every split splitCompound may try.
  function compoundRanges(all) {
    var ranges = [];
    all.forEach(function (word) {
      var known = variants(word).some(function (v) { return inIndex(stem(v.form)); });
      if (known || word.length < 2 * MIN_PART) { return; }
      for (var i = MIN_PART; i <= word.length - MIN_PART; i++) {
        var head = word.slice(0, i);
        ranges.push(point(stem(word.slice(i))), point(stem(head)), point(stem(head.slice(0, -1))));
      }
    });
    return ranges;
  }

  // The known terms within one typo (lunr's edit distance 1) of `term` that begin with its letter.
  function typos(term) {
    var candidates = termsIn(term.charAt(0), term.charAt(0) + LAST);
    if (!candidates.length) { return []; }
    return lunr.TokenSet.fromArray(candidates).intersect(lunr.TokenSet.fromFuzzyString(term, 1)).toArray();
  }

  // A group's clauses as today's lunr query had them; the typo rule as one exact clause per term it reaches.
  function clauses(group) {
    var list = [];
    var seen = {};
    function add(term, boost, wildcard, kind) {
      var key = term + "|" + wildcard + "|" + kind;
      if (seen[key]) { return; }
      seen[key] = true;
      list.push({ term: term, boost: boost, wildcard: wildcard });
    }
    group.forms.forEach(function (v) {
      var s = stem(v.form);
      add(s, EXACT, lunr.Query.wildcard.NONE, "");
      if (completes(v)) {
        add(s, OTHER, lunr.Query.wildcard.TRAILING, "");
        add(fold(v.form), OTHER, lunr.Query.wildcard.TRAILING, "");
      }
    });
    if (!group.parts && typoTolerant(group.word)) {
      typos(stem(group.word)).forEach(function (term) { add(term, OTHER, lunr.Query.wildcard.NONE, "typo"); });
    }
    return list;
  }

  // Every term the clauses reach.
  function reached(all) {
    var terms = {};
    all.forEach(function (list) {
      list.forEach(function (clause) {
        var found = clause.wildcard === lunr.Query.wildcard.TRAILING ? termsIn(clause.term, clause.term + LAST) :
          inIndex(clause.term) ? [clause.term] : [];
        found.forEach(function (term) { terms[term] = true; });
      });
    });
    return Object.keys(terms);
  }

  function runGroup(index, list) {
    return index.query(function (q) {
      list.forEach(function (clause) {
        q.term(clause.term, { boost: clause.boost, wildcard: clause.wildcard, usePipeline: false });
      });
    });
  }

  // Promise of [{ref, score, terms}] best first; ref is the offer's number (daten/suche/manifest.json), terms
  // are the index terms (stems) that matched, for highlight(). Equal scores: the lower number first.
  var last = { query: null, result: null };  // the page's early search and list.js's ask for the same query

  function search(query) {
    if (!manifest) { throw new Error("OfferdbSearch.load() zuerst aufrufen"); }
    query = String(query || "");
    if (last.query !== query) {
      last = { query: query, result: searchAnew(query) };
      last.result.catch(function () { last = { query: null, result: null }; });
    }
    return last.result;
  }

  function searchAnew(query) {
    var all = queryWords(query);
    if (!all.length) { return Promise.resolve([]); }
    // The shards of the typed words and their completions are known from the manifest: ask for them beside the
    // dictionary, one round trip instead of two on a slow school network. Typos and compound parts follow.
    needShards(typedRanges(all)).catch(function () { /* needPostings asks again */ });
    return needWords(wordRanges(all)).then(function () {
      return needWords(compoundRanges(all));
    }).then(function () {
      var list = groups(all).map(clauses);
      var terms = reached(list);
      return needPostings(terms).then(function () {
        return rank(lunr.Index.load(assemble(terms)), list);
      });
    });
  }

  function rank(index, list) {
    var hits = null;
    list.forEach(function (group) {
      var found = {};
      runGroup(index, group).forEach(function (result) {
        if (hits && !(result.ref in hits)) { return; }
        var previous = hits ? hits[result.ref] : { score: 0, terms: [] };
        found[result.ref] = { score: previous.score + result.score,
                              terms: previous.terms.concat(Object.keys(result.matchData.metadata)) };
      });
      hits = found;
    });
    return Object.keys(hits).map(function (ref) {
      var terms = hits[ref].terms.filter(function (t, i, all) { return all.indexOf(t) === i; }).sort();
      return { ref: Number(ref), score: hits[ref].score, terms: terms };
    }).sort(function (a, b) { return b.score - a.score || a.ref - b.ref; });
  }

  // For tests: every dictionary block and posting shard, and one index of all terms: the full index that the
  // sharded path must rank exactly like.
  var fullIndex = null;

  function everything() {
    return needWords([["", LAST]]).then(function () {
      var terms = termsIn("", LAST);
      return needPostings(terms).then(function () { return terms; });
    });
  }

  function searchFull(query) {
    var all = queryWords(String(query || ""));
    return everything().then(function (terms) {
      if (!fullIndex) { fullIndex = lunr.Index.load(assemble(terms, true)); }
      return all.length ? rank(fullIndex, groups(all).map(clauses)) : [];
    });
  }

  // Whether `query` has a word to search for (not only stop words such as "für").
  function hasTerms(query) {
    if (!manifest) { throw new Error("OfferdbSearch.load() zuerst aufrufen"); }
    return queryWords(String(query || "")).length > 0;
  }

  // --- highlighting -----------------------------------------------------------------------------------------

  function marks(word, terms) {
    var lower = word.toLowerCase();
    var forms = [lower];
    var base = masculine(lower);
    if (base) { forms.push(base); }
    var folded = fold(lower);
    for (var i = 0; i < forms.length; i++) {
      if (terms.indexOf(stem(forms[i])) !== -1) { return true; }
    }
    for (var j = 0; j < terms.length; j++) {
      // a completion ("demokr" typed) or a compound part ("prävention" in "Gewaltprävention")
      if (terms[j].length >= MIN_PART && folded.indexOf(terms[j]) !== -1) { return true; }
    }
    return false;
  }

  // Text nodes and <mark> elements for `text`, marking the words that match `terms` (from search()).
  function highlight(text, terms) {
    var fragment = document.createDocumentFragment();
    text = String(text);
    if (!lunr || !terms || !terms.length) {
      fragment.appendChild(document.createTextNode(text));
      return fragment;
    }
    var pattern = new RegExp(wordPattern, "g");
    var last = 0;
    var match;
    while ((match = pattern.exec(text)) !== null) {
      if (!marks(match[0], terms)) { continue; }
      if (match.index > last) { fragment.appendChild(document.createTextNode(text.slice(last, match.index))); }
      var mark = document.createElement("mark");
      mark.textContent = match[0];
      fragment.appendChild(mark);
      last = pattern.lastIndex;
    }
    if (last < text.length) { fragment.appendChild(document.createTextNode(text.slice(last))); }
    return fragment;
  }

  // Whether a word of `query` may name one of the page's filters (a number, or a word that begins with a word of
  // a filter's name, key, aliases or data-words): list.js takes such words as filters before it searches. Also
  // true while the page has not been read as far as the list.
  function mayNameFilters(query) {
    var form = document.getElementById("filter");
    if (!form || !document.getElementById("liste")) { return true; }
    var words = String(query).toLowerCase().split(/[^a-zäöüß0-9]+/).filter(Boolean);
    if (words.some(function (word) { return /[0-9]/.test(word); })) { return true; }
    var labels = Object.create(null);
    Array.prototype.forEach.call(form.querySelectorAll("label[for]"), function (label) {
      labels[label.htmlFor] = label.textContent;
    });
    return Array.prototype.some.call(form.querySelectorAll("[data-in-query] input, [data-words]"), function (node) {
      return [node.value, node.getAttribute("data-aliases"), node.getAttribute("data-words"), labels[node.id]]
        .some(function (text) {
          return String(text || "").toLowerCase().split(/[^a-zäöüß]+/).some(function (name) {
            return name.length >= 2 && words.some(function (word) { return word.indexOf(name) === 0; });
          });
        });
    });
  }

  // The list page runs this script first of its scripts (data-search): opened with a search (?q=…), it starts
  // loading lunr, the manifest and the query's files before list.js runs, and list.js finds them loaded or on
  // the way. Not the query's files if a word may name a filter: list.js takes such words as filters first.
  var own = typeof document !== "undefined" ? document.currentScript : null;
  var early = own && own.hasAttribute("data-search") && window.URLSearchParams ?
    new URLSearchParams(window.location.search).get("q") : null;
  if (early) {
    load(document.documentElement.getAttribute("data-base") || "/").then(function () {
      if (!mayNameFilters(early)) { return search(early); }
    }).catch(function () { /* list.js asks again */ });
  }

  window.OfferdbSearch = { load: load, search: search, hasTerms: hasTerms, highlight: highlight, words: words, stem: stem,
                          assemble: assemble, everything: everything, searchFull: searchFull };
}());
