// The file format the CMS reads and writes offers, partners and pages in: YAML front matter between two
// "---" lines, then the Markdown body. Registered with CMS.registerCustomFormat (admin/start.js) instead of
// Decap's own "frontmatter", which folds every text at 80 columns, turns `postal_code: 09126` into 9126 and
// writes empty fields as `null`/`''`. This one, with the same YAML library (yaml 1.10, as decap-cms-core):
// - reads as our loader does: only `true`/`false` and integers without a leading zero are not text;
// - writes a value the editor did not change exactly as it stood in the file, so a change is a small diff;
// - writes new values in the files' own style: plain where YAML allows, quoted where it must, long texts
//   as `>-` blocks wrapped at 100 columns, keys in the form's (the schema's) order, no empty fields.
// Plain ES module without a build step; tests/js/cms_format.mjs runs the same file in node.

const WIDTH = 100;

export function frontMatterFormat(YAML, nestedOrder = {}) {
  // nestedOrder: group or list field name -> its fields in the form's order (the CMS passes only the top
  // level's order to toFile; offerdb/cms.py writes this map into admin/init.js).
  YAML.scalarOptions.str.fold.lineWidth = 0; // our own module instance: one line per value, folded below
  const tags = [
    {
      identify: (value) => Number.isInteger(value), default: true, tag: "tag:yaml.org,2002:int",
      test: /^(?:0|-?[1-9][0-9]*)$/, resolve: (text) => parseInt(text, 10), stringify: (node) => String(node.value),
    },
    {
      identify: (value) => typeof value === "boolean", default: true, tag: "tag:yaml.org,2002:bool",
      test: /^(?:true|false)$/, resolve: (text) => text === "true", stringify: (node) => String(node.value),
    },
  ];
  const options = { schema: "failsafe", customTags: tags };
  // What each value looked like in the files read so far: "path\0value" -> its source text. The CMS reads
  // every entry of a collection for its list and writes one; the same path and value write the same text.
  const sources = new Map();

  function remember(node, path, text) {
    if (!node) return;
    if (node.items) {
      node.items.forEach((item, index) => {
        if (item && item.type === "PAIR") remember(item.value, path + "." + item.key.value, text);
        else remember(item, path + "." + index, text);
      });
      return;
    }
    if (node.range && node.value !== null && node.value !== undefined) {
      sources.set(path + "\0" + String(node.value), text.slice(node.range[0], node.range[1]).replace(/\n+$/, ""));
    }
  }

  function isEmpty(value) {
    if (value === null || value === undefined || value === "") return true;
    if (Array.isArray(value)) return value.every(isEmpty);
    if (typeof value === "object") return Object.values(value).every(isEmpty);
    return false;
  }

  function folded(text, indent) {
    // `>-` wrapped at WIDTH; only where a single space separates two words, so reading it back gives `text`.
    const words = text.split(" ");
    const lines = [];
    let line = "";
    for (const word of words) {
      if (line && indent + line.length + 1 + word.length > WIDTH) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    }
    lines.push(line);
    const pad = " ".repeat(indent);
    return ">-\n" + lines.map((l) => pad + l).join("\n");
  }

  function scalar(value, path, indent, column) {
    const known = sources.get(path + "\0" + String(value));
    if (known !== undefined) return known;
    if (typeof value !== "string") return String(value);
    const doc = new YAML.Document(options);
    doc.contents = value;
    const text = String(doc).replace(/\n$/, ""); // the library's choice: plain where YAML allows, else quoted
    if (!text.includes("\n") && column + text.length <= WIDTH) return text;
    if (!/^\s|\s$|\s\s|[\n\t]/.test(value)) return folded(value, indent);
    if (!/^\s|\s$|\n\s|\t/.test(value)) { // line breaks: a literal block keeps them
      return "|-\n" + value.split("\n").map((line) => (line ? " ".repeat(indent) + line : "")).join("\n");
    }
    return JSON.stringify(value); // anything else: a double-quoted YAML string reads as the same text
  }

  function ordered(keys, parent) {
    const order = nestedOrder[parent] || [];
    const rank = (key) => (order.includes(key) ? order.indexOf(key) : order.length);
    return keys.slice().sort((a, b) => rank(a) - rank(b));
  }

  function mapping(data, keys, path, indent, lines, first) {
    const pad = " ".repeat(indent);
    keys.forEach((key, index) => {
      const value = data[key];
      const lead = index === 0 && first !== undefined ? first : pad;
      const childPath = path + "." + key;
      if (Array.isArray(value)) {
        lines.push(lead + key + ":");
        value.forEach((item, i) => {
          if (isEmpty(item)) return;
          const itemPath = childPath + "." + i;
          if (item !== null && typeof item === "object") {
            const itemKeys = ordered(Object.keys(item).filter((k) => !isEmpty(item[k])), key);
            mapping(item, itemKeys, itemPath, indent + 4, lines, pad + "  - ");
          } else {
            lines.push(pad + "  - " + scalar(item, itemPath, indent + 4, indent + 4));
          }
        });
      } else if (value !== null && typeof value === "object") {
        lines.push(lead + key + ":");
        mapping(value, ordered(Object.keys(value).filter((k) => !isEmpty(value[k])), key), childPath, indent + 2, lines);
      } else {
        lines.push(lead + key + ": " + scalar(value, childPath, indent + 2, indent + key.length + 2));
      }
    });
  }

  return {
    fromFile(content) {
      const match = /^---\r?\n([\s\S]*?\r?\n)?---(?:\r?\n|$)/.exec(content);
      const front = match ? match[1] || "" : "";
      const body = match ? content.slice(match[0].length) : content;
      const doc = YAML.parseDocument(front, options);
      if (doc.errors.length) throw new Error(doc.errors.map((error) => error.message).join("\n"));
      remember(doc.contents, "", front);
      const data = doc.toJSON() || {};
      return body ? { ...data, body } : data;
    },

    toFile(data, sortedKeys = []) {
      const { body = "", ...fields } = data;
      const present = Object.keys(fields).filter((key) => !isEmpty(fields[key]));
      const order = (key) => (sortedKeys.includes(key) ? sortedKeys.indexOf(key) : sortedKeys.length);
      present.sort((a, b) => order(a) - order(b)); // keys the form does not know go last, in their order
      const lines = [];
      mapping(fields, present, "", 0, lines);
      const text = body && !body.endsWith("\n") ? body + "\n" : body;
      return "---\n" + lines.map((line) => line + "\n").join("") + "---\n" + text;
    },
  };
}
