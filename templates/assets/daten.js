/* The search data under daten/suche/ (offerdb/search/shards.py) for the list page and the Merkliste: the manifest,
   card buckets and their contacts, the filter file, the two orders and the titles. Each file is fetched once, when a caller first asks for it;
   a failed fetch is forgotten, so the next call tries again. Every function returns a promise. */
(function () {
  "use strict";

  var FOLDER = "daten/suche/";
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";  // shards.column: 6 bits a char
  // A card's fields by position (offerdb/exports.py CARD_FIELDS).
  var CARD_FIELDS = ["slug", "title", "summary", "partner", "free", "grades", "age", "format", "paused", "cost"];
  // URL -> promise of its JSON, shared with search.js (on the list page it runs first and asks for the manifest),
  // so a file is fetched once.
  var files = window.OfferdbFetched || (window.OfferdbFetched = Object.create(null));
  var layouts = Object.create(null);  // base -> promise of {manifest, starts}
  var decoded = Object.create(null);  // base -> promise of the decoded filter file

  // A promise made by make(), kept in cache[key] until it fails.
  function remember(cache, key, make) {
    if (!cache[key]) {
      var promise = make();
      cache[key] = promise;
      promise.catch(function () { if (cache[key] === promise) { delete cache[key]; } });
    }
    return cache[key];
  }

  function json(url) {
    return remember(files, url, function () {
      return window.fetch(url).then(function (response) {
        if (!response.ok) { throw new Error(url + ": " + response.status); }
        return response.json();
      });
    });
  }

  function manifest(base) { return json(base + FOLDER + "manifest.json"); }

  // Offer numbers by card bucket: starts[b] is the number of the first offer in bucket b, starts[buckets] the count.
  function layout(base) {
    return remember(layouts, base, function () {
      return manifest(base).then(function (m) {
        var sizes = m.cards.sizes;
        var width = m.cards.width;
        var starts = [0];
        for (var b = 0; b * width < sizes.length; b++) {
          var size = 0;
          for (var k = width - 1; k >= 0; k--) { size = size * 64 + ALPHABET.indexOf(sizes.charAt(b * width + k)); }
          starts.push(starts[b] + size);
        }
        return { manifest: m, starts: starts, buckets: starts.length - 1 };
      });
    });
  }

  // A card (a list in shards.py's CARD_FIELDS order) as an object with the fields' names.
  function named(values) {
    var card = {};
    CARD_FIELDS.forEach(function (field, i) { card[field] = values[i]; });
    return card;
  }

  function bucketCards(base, at, b) {
    return json(base + FOLDER + "k" + b + "." + at.manifest.cards.version + ".json").then(function (data) {
      return data.cards.map(named);
    });
  }

  // The contacts of bucket b's offers, as {email, phone, address} without empty fields.
  function bucketContacts(base, at, b) {
    var per = at.manifest.cards.contact_buckets;
    var group = Math.floor(b / per);
    return json(base + FOLDER + "c" + group + "." + at.manifest.cards.version + ".json").then(function (data) {
      var first = at.starts[group * per];
      return data.contacts.slice(at.starts[b] - first, at.starts[b + 1] - first).map(function (values) {
        var contact = {};
        ["email", "phone", "address"].forEach(function (field, i) { if (values[i]) { contact[field] = values[i]; } });
        return contact;
      });
    });
  }

  // The bucket holding offer `number`: the last whose start is not after it.
  function bucketOf(starts, number) {
    var low = 0;
    var high = starts.length - 2;
    while (low < high) {
      var middle = (low + high + 1) >> 1;
      if (starts[middle] <= number) { low = middle; } else { high = middle - 1; }
    }
    return low;
  }

  // {number: card} for the offer numbers (numbers or numeric strings); unknown numbers are left out.
  function cards(base, numbers) {
    return layout(base).then(function (at) {
      var wanted = {};
      numbers.forEach(function (value) {
        var n = Number(value);
        if (n >= 0 && n < at.manifest.count && n % 1 === 0) { wanted[n] = bucketOf(at.starts, n); }
      });
      var buckets = {};
      Object.keys(wanted).forEach(function (n) { buckets[wanted[n]] = true; });
      var loading = Object.keys(buckets).map(function (b) {
        return bucketCards(base, at, Number(b)).then(function (list) { buckets[b] = list; });
      });
      return Promise.all(loading).then(function () {
        var found = {};
        Object.keys(wanted).forEach(function (n) {
          var card = buckets[wanted[n]][n - at.starts[wanted[n]]];
          if (card) { found[n] = card; }
        });
        return found;
      });
    });
  }

  // 32-bit FNV-1a of the UTF-8 bytes (twin of shards.fnv1a): an offer's card bucket from its slug alone.
  function fnv1a(text) {
    var bytes = unescape(encodeURIComponent(text));
    var h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) {
      h = Math.imul(h ^ bytes.charCodeAt(i), 0x01000193);
    }
    return h >>> 0;
  }

  // {slug: {number, card}} for the slugs of published offers, each card with its `contact` (the Merkliste shows
  // and prints it); other slugs are simply absent.
  function cardsBySlug(base, slugs) {
    if (!slugs.length) { return Promise.resolve({}); }  // an empty Merkliste loads nothing
    return layout(base).then(function (at) {
      var buckets = {};
      slugs.forEach(function (slug) {
        try {
          buckets[fnv1a(slug) % at.buckets] = null;
        } catch (e) { /* not text a slug is made of (a lone surrogate): no offer */ }
      });
      var loading = Object.keys(buckets).map(function (b) {
        return Promise.all([bucketCards(base, at, Number(b)), bucketContacts(base, at, Number(b))])
          .then(function (both) {
            both[0].forEach(function (card, i) { card.contact = both[1][i]; });
            buckets[b] = both[0];
          });
      });
      return Promise.all(loading).then(function () {
        var wanted = Object.create(null);
        slugs.forEach(function (slug) { wanted[slug] = true; });
        var found = {};
        Object.keys(buckets).forEach(function (b) {
          buckets[b].forEach(function (card, i) {
            if (wanted[card.slug]) { found[card.slug] = { number: at.starts[b] + i, card: card }; }
          });
        });
        return found;
      });
    });
  }

  // Every offer as [slug, title] in title order (the Merkliste's picker).
  function titles(base) {
    return manifest(base).then(function (m) { return json(base + FOLDER + m.titles); }).then(function (data) {
      return data.titles;
    });
  }

  // --- the filter file as bitsets: bit n of word n >> 5 stands for offer n ---------------------------------------

  function decode(data) {
    var count = data.count;
    var words = (count + 31) >>> 5;
    var digit = {};
    for (var c = 0; c < ALPHABET.length; c++) { digit[ALPHABET.charAt(c)] = c; }
    function set() { return new Uint32Array(words); }
    function add(bits, n) { bits[n >>> 5] |= 1 << (n & 31); }
    // value(column, width, n): offer n's number in a column of `width` characters per offer, low bits first.
    function value(text, width, n) {
      var v = 0;
      for (var k = width - 1; k >= 0; k--) { v = v * 64 + digit[text.charAt(n * width + k)]; }
      return v;
    }
    var all = set();
    var free = set();
    var grades = Object.create(null);  // grade -> offers whose range includes it
    for (var n = 0; n < count; n++) {
      add(all, n);
      if (value(data.free, 1, n)) { add(free, n); }
      var low = value(data.grades[0], 1, n);
      var high = value(data.grades[1], 1, n);
      if (!low) { continue; }  // 0: the offer names an age instead of grades
      for (var g = low; g <= high; g++) {
        if (!grades[g]) { grades[g] = set(); }
        add(grades[g], n);
      }
    }
    var facets = Object.create(null);  // no prototype: a value from the address ("constructor") is no value
    Object.keys(data.facets).forEach(function (key) {
      var facet = data.facets[key];
      var width = Math.ceil(facet.values.length / 6);
      var sets = Object.create(null);
      facet.values.forEach(function (v) { sets[v] = set(); });
      for (var n = 0; n < count; n++) {
        // Character by character: a mask may be wider than JavaScript's 32-bit operators.
        for (var k = 0; k < width; k++) {
          var bits = digit[facet.masks.charAt(n * width + k)];
          for (var j = 0; bits; j++, bits >>= 1) {
            if (bits & 1) { add(sets[facet.values[6 * k + j]], n); }
          }
        }
      }
      facets[key] = { values: facet.values, sets: sets };
    });
    return { count: count, words: words, all: all, free: free, grades: grades, facets: facets };
  }

  // {count, words, all, free, grades: {grade: bits}, facets: {key: {values, sets: {value: bits}}}}
  function filters(base) {
    return remember(decoded, base, function () {
      return manifest(base).then(function (m) { return json(base + FOLDER + m.filters); }).then(decode);
    });
  }

  // Offer numbers in title order ("title") or newest first ("newest").
  function order(base, which) {
    return manifest(base).then(function (m) {
      return json(base + FOLDER + (which === "newest" ? m.newest_order : m.title_order));
    }).then(function (data) { return data.order; });
  }

  window.OfferdbData = { manifest: manifest, cards: cards, cardsBySlug: cardsBySlug, titles: titles, filters: filters,
                         order: order, fnv1a: fnv1a };
}());
