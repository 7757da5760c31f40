// Runs real lunr.js, lunr-languages and templates/assets/search.js in node for the Python tests.
// usage: node harness.js MODE [SITE_DIR] < input.json > output.json  (SITE_DIR for words, assemble, search)
//   stem   {"words": [...]}                     -> {"stems": [...], "stop": [...], "wordCharacters": "..."}
//   words  {"texts": [...]}                     -> {"words": [[...], ...]}   (search.js tokenization)
//   build  {"fields": [[name, boost]], "documents": [[ref, {field: text}]]}  -> lunr.js-built index
//   assemble {}                                 -> the index search.js assembles from every shard of SITE_DIR
//   search {"queries": [...], "full": bool?, "lunrIndex": {...}?}
//          -> {"results": {query: [{ref, score, terms}]}, "requests": {query: [paths fetched]}}
//          search.js loads SITE_DIR's search data through its own load(); full: searchFull (one index of all
//          terms) instead of the sharded path; lunrIndex: a plain lunr index (built by lunr.js) used as
//          that full index
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

const fetched = [];

function defineApi() {
  // search.js is browser code: give it a window whose lunr is already there and a fetch that reads the
  // files of SITE_DIR (and records what was asked for).
  global.window = {
    lunr: lunr,
    fetch: function (url) {
      fetched.push(url);
      let body;
      try {
        body = fs.readFileSync(path.join(siteDir, url.slice(1)), "utf8");
      } catch (e) {
        return Promise.resolve({ ok: false, status: 404, json: function () { return Promise.reject(e); } });
      }
      const json = function () { return Promise.resolve(JSON.parse(body)); };
      return Promise.resolve({ ok: true, status: 200, json: json });
    },
  };
  const source = fs.readFileSync(path.join(root, "templates", "assets", "search.js"), "utf8");
  vm.runInThisContext(source, { filename: "search.js" });
  return window.OfferdbSearch;
}

function print(value) {
  process.stdout.write(JSON.stringify(value));
}

async function run() {
  if (mode === "stem") {
    print({
      stems: input.words.map(function (w) { return lunr.de.stemmer(lunr.de.trimmer(new lunr.Token(w, {}))).toString(); }),
      stop: input.words.filter(function (w) { return !lunr.de.stopWordFilter(new lunr.Token(w, {})); }),
      wordCharacters: lunr.de.wordCharacters,
    });
    return;
  }
  if (mode === "build") {
    const idx = lunr(function () {
      this.use(lunr.de);
      this.ref("ref");
      input.fields.forEach((f) => this.field(f[0], { boost: f[1] }));
      input.documents.forEach((d) => this.add(Object.assign({ ref: d[0] }, d[1])));
    });
    print(idx.toJSON());
    return;
  }
  const api = defineApi();
  await api.load("/");
  if (mode === "words") {
    print({ words: input.texts.map(api.words) });
  } else if (mode === "assemble") {
    print(api.assemble(await api.everything(), true));
  } else if (mode === "search") {
    if (input.lunrIndex) {
      // an index that lunr.js built itself replaces the full index search.js assembled
      const load = lunr.Index.load;
      lunr.Index.load = function () { return load(input.lunrIndex); };
    }
    const results = {};
    const requests = {};
    for (const q of input.queries) {
      fetched.length = 0;
      results[q] = await (input.full ? api.searchFull(q) : api.search(q));
      requests[q] = fetched.slice();
    }
    print({ results: results, requests: requests });
  } else {
    console.error("unknown mode " + mode);
    process.exit(2);
  }
}

run().catch(function (error) { console.error(error); process.exit(1); });
