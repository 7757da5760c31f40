// Runs real lunr.js, lunr-languages and templates/assets/search.js in node for the Python tests.
// usage: node harness.js MODE [SITE_DIR] < input.json > output.json
//   stem   {"words": [...]}                     -> {"stems": [...], "stop": [...], "wordCharacters": "..."}
//   words  {"texts": [...]}                     -> {"words": [[...], ...]}   (search.js tokenization)
//   build  {"fields": [[name, boost]], "documents": [[ref, {field: text}]]}  -> lunr.js-built index
//   expand {compact index}                      -> the lunr index search.js hands to lunr.Index.load
//   search {"queries": [...], "index": {...}?, "lunrIndex": {...}?}  -> {"results": {query: [{ref, score, terms}]}}
//          lunrIndex: a plain lunr index (built by lunr.js) used instead of the one expanded from `index`
//          with SITE_DIR: search.js loads SITE_DIR/daten/suche/index.json through its own load()
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const root = path.resolve(__dirname, "..", "..");
const lunr = require(path.join(root, "node_modules", "lunr"));
require(path.join(root, "node_modules", "lunr-languages", "lunr.stemmer.support.js"))(lunr);
require(path.join(root, "node_modules", "lunr-languages", "lunr.de.js"))(lunr);

const mode = process.argv[2];
const siteDir = process.argv[3];
const input = JSON.parse(fs.readFileSync(0, "utf8"));

function defineApi(indexData) {
  // search.js is browser code: give it a window whose lunr is already there and a fetch that reads files.
  global.window = {
    lunr: lunr,
    fetch: function (url) {
      const body = indexData ? JSON.stringify(indexData)
        : fs.readFileSync(path.join(siteDir, url.slice(1)), "utf8");
      const json = function () { return Promise.resolve(JSON.parse(body)); };
      return Promise.resolve({ ok: true, status: 200, json: json });
    },
  };
  const source = fs.readFileSync(path.join(root, "templates", "assets", "search.js"), "utf8");
  vm.runInThisContext(source, { filename: "search.js" });
  return window.OfferdbSearch;
}

function searchApi(indexData) {
  const api = defineApi(indexData);
  return api.load("/").then(function () { return api; });
}

function print(value) {
  process.stdout.write(JSON.stringify(value));
}

if (mode === "stem") {
  print({
    stems: input.words.map(function (w) { return lunr.de.stemmer(lunr.de.trimmer(new lunr.Token(w, {}))).toString(); }),
    stop: input.words.filter(function (w) { return !lunr.de.stopWordFilter(new lunr.Token(w, {})); }),
    wordCharacters: lunr.de.wordCharacters,
  });
} else if (mode === "build") {
  const idx = lunr(function () {
    this.use(lunr.de);
    this.ref("ref");
    input.fields.forEach((f) => this.field(f[0], { boost: f[1] }));
    input.documents.forEach((d) => this.add(Object.assign({ ref: d[0] }, d[1])));
  });
  print(idx.toJSON());
} else if (mode === "expand") {
  print(defineApi(null).expand(input));
} else if (mode === "words" || mode === "search") {
  if (input.lunrIndex) {
    // an index that lunr.js built itself replaces the one search.js expanded from `index`
    const load = lunr.Index.load;
    lunr.Index.load = function () { return load(input.lunrIndex); };
  }
  searchApi(input.index).then(function (api) {
    if (mode === "words") {
      print({ words: input.texts.map(api.words) });
    } else {
      const results = {};
      input.queries.forEach(function (q) { results[q] = api.search(q); });
      print({ results: results });
    }
  }).catch(function (error) { console.error(error); process.exit(1); });
} else {
  console.error("unknown mode " + mode);
  process.exit(2);
}
