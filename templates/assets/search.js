/* German full-text search over the index that the build writes (offerdb/search/). Nothing is loaded until a
   page calls OfferdbSearch.load(base): then lunr and lunr-languages (served by this site) and the index.
   The German rules below have twins in offerdb/search/german.py; tests run both over the content.
   Content goes in as text nodes only and no code is built from strings: the CSP (default-src 'self') holds. */
(function () {
  "use strict";

  // Published by offerdb.search.build_search; the versions are in the names because assets/ is cached long.
  var SCRIPTS = ["assets/suche/lunr-2.3.9.min.js", "assets/suche/lunr-languages-1.22.0.stemmer.support.js",
                 "assets/suche/lunr-languages-1.22.0.de.js"];
  var INDEX = "daten/suche/index.json";
  var LETTER = "A-Za-zÄÖÜäöüß";
  var GENDER_MARK = new RegExp("([" + LETTER + "]{2,})(?:[*:_·]|/-?|\\()(in|innen)\\)?(?![" + LETTER + "])", "g");
  var BINNEN_I = new RegExp("([a-zäöüß])(In|Innen)(?![" + LETTER + "])", "g");
  var FEMININE = /^(.{2,}(?:er|ist|og|eg|ent|ant|eur|ert))(?:in|innen)$/;
  var MIN_PART = 4;
  var EXACT = 10;  // boosts: a word as typed outranks a completion or a typo
  var OTHER = 1;

  var loading = null;
  var index = null;
  var lunr = null;
  var wordPattern = null;
  var stems = Object.create(null);  // no prototype: a query word like "constructor" is just a word

  function injectScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.async = false;  // keep the order: lunr, stemmer support, German
      script.onload = function () { resolve(); };
      script.onerror = function () { reject(new Error("Skript nicht geladen: " + src)); };
      document.head.appendChild(script);
    });
  }

  function load(base) {
    if (loading) { return loading; }
    base = base || "/";
    var scripts = window.lunr && window.lunr.de ? Promise.resolve() :
      Promise.all(SCRIPTS.map(function (path) { return injectScript(base + path); }));
    var data = window.fetch(base + INDEX).then(function (response) {
      if (!response.ok) { throw new Error("Suchindex nicht geladen: " + response.status); }
      return response.json();
    });
    loading = Promise.all([scripts, data]).then(function (results) {
      lunr = window.lunr;
      wordPattern = "[" + lunr.de.wordCharacters + "]+";
      index = lunr.Index.load(expand(results[1]));
    });
    loading.catch(function () { loading = null; });  // a later call may try again
    return loading;
  }

  // The compact index (offerdb/search/lunr_index.py `compact`) -> lunr's serialized index, with the scores
  // computed exactly as lunr.Builder#createFieldVectors does (BM25, lunr.idf, three decimals).
  function expand(data) {
    var fields = data.fields.map(function (f) { return f[0]; });
    var nf = fields.length;
    var count = data.refs.length;
    var average = fields.map(function (name, f) {
      var sum = 0;
      for (var d = 0; d < count; d++) { sum += data.lengths[d][f]; }
      return sum / count;
    });
    var vectors = data.refs.map(function () { return fields.map(function () { return []; }); });
    var inverted = [];
    data.terms.forEach(function (term, number) {
      var posting = { _index: number };
      var withTerm = 0;
      var row = data.postings[number];
      row.forEach(function (pair) { withTerm += pair[0].length; });
      var x = (count - withTerm + 0.5) / (withTerm + 0.5);
      var idf = Math.log(1 + Math.abs(x));
      row.forEach(function (pair, f) {
        var docs = {};
        var doc = 0;
        for (var i = 0; i < pair[0].length; i++) {
          doc += pair[0][i];
          var tf = pair[1][i];
          var length = data.lengths[doc][f];
          var score = idf * ((data.k1 + 1) * tf) / (data.k1 * (1 - data.b + data.b * (length / average[f])) + tf);
          score *= data.fields[f][1];
          score *= 1;
          docs[data.refs[doc]] = {};
          vectors[doc][f].push(number, Math.round(score * 1000) / 1000);  // terms come in ascending order
        }
        posting[fields[f]] = docs;
      });
      inverted.push([term, posting]);
    });
    inverted.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
    var fieldVectors = [];
    data.refs.forEach(function (ref, d) {
      fields.forEach(function (name, f) { fieldVectors.push([name + "/" + ref, vectors[d][f]]); });
    });
    return { version: data.version, fields: fields, fieldVectors: fieldVectors, invertedIndex: inverted,
             pipeline: data.pipeline };
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
    return Object.prototype.hasOwnProperty.call(index.invertedIndex, term);
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

  // One group per query word; every group must match (AND), variants within a group are alternatives.
  function groups(query) {
    var all = rawWords(query).filter(function (w) { return !isStopWord(w); });
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

  function runGroup(group) {
    return index.query(function (q) {
      var seen = {};
      function add(term, options) {
        var key = term + "|" + options.wildcard + "|" + (options.editDistance || 0);
        if (seen[key]) { return; }
        seen[key] = true;
        options.usePipeline = false;
        q.term(term, options);  // no editDistance key unless > 0: its mere presence turns off wildcards
      }
      group.forms.forEach(function (v) {
        var s = stem(v.form);
        add(s, { boost: EXACT, wildcard: lunr.Query.wildcard.NONE });
        if (v.typed && v.form.length >= 3) {  // completion while typing: "demokr" -> "demokratiebild"
          add(s, { boost: OTHER, wildcard: lunr.Query.wildcard.TRAILING });
          add(fold(v.form), { boost: OTHER, wildcard: lunr.Query.wildcard.TRAILING });
        }
      });
      if (!group.parts && group.word.length >= 5) {  // one typo in words of five or more letters
        add(stem(group.word), { boost: OTHER, wildcard: lunr.Query.wildcard.NONE, editDistance: 1 });
      }
    });
  }

  // [{ref, score, terms}] best first; terms are the index terms (stems) that matched, for highlight().
  function search(query) {
    if (!index) { throw new Error("OfferdbSearch.load() zuerst aufrufen"); }
    var list = groups(String(query || ""));
    if (!list.length) { return []; }
    var hits = null;
    list.forEach(function (group) {
      var found = {};
      runGroup(group).forEach(function (result) {
        if (hits && !(result.ref in hits)) { return; }
        var previous = hits ? hits[result.ref] : { score: 0, terms: [] };
        found[result.ref] = { score: previous.score + result.score,
                              terms: previous.terms.concat(Object.keys(result.matchData.metadata)) };
      });
      hits = found;
    });
    return Object.keys(hits).map(function (ref) {
      var terms = hits[ref].terms.filter(function (t, i, all) { return all.indexOf(t) === i; }).sort();
      return { ref: ref, score: hits[ref].score, terms: terms };
    }).sort(function (a, b) { return b.score - a.score || (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0); });
  }

  // Whether `query` has a word to search for (not only stop words such as "für").
  function hasTerms(query) {
    if (!index) { throw new Error("OfferdbSearch.load() zuerst aufrufen"); }
    return groups(String(query || "")).length > 0;
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

  window.OfferdbSearch = { load: load, search: search, hasTerms: hasTerms, highlight: highlight, words: words, stem: stem, expand: expand };
}());
