// The CMS's file format (templates/admin/format.js, the file /admin/ registers with Decap CMS) with the YAML
// library decap-cms-core uses (node_modules/yaml, its browser build as /admin/ serves it), run in node for
// the Python tests.
// usage: node cms_format.mjs < {"files": [{"text", "fields", "change"?}], "order"?} > {"files": [{"data", "text"}]}
// Each file is read as the CMS reads it ("data"), `change` (field -> value) is applied as the form would,
// and the result written as the CMS writes it ("text"), with the form's field order `fields` and the nested
// fields' order `order` (offerdb.cms.nested_order, as admin/init.js passes it).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const { YAML } = await import(root + "node_modules/yaml/browser/dist/index.js");
const { frontMatterFormat } = await import(root + "templates/admin/format.js");

const input = JSON.parse(readFileSync(0, "utf8"));
const format = frontMatterFormat(YAML, input.order || {});
const files = input.files.map(({ text, fields, change }) => {
  const data = format.fromFile(text);
  return { data, text: format.toFile({ ...data, ...(change || {}) }, fields) };
});
process.stdout.write(JSON.stringify({ files }));
