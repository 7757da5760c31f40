// Registers our front-matter format (format.js) with Decap CMS, then starts it with admin/config.yml.
// The yaml library's path carries its version, like the CMS bundle's (offerdb/plan.py writes both).
import { YAML } from "./{{ yaml }}";
import { frontMatterFormat } from "./format.js";

// The nested fields' order, from the schema (offerdb/cms.py, nested_order).
const nestedOrder = {{ order | tojson }};
window.CMS.registerCustomFormat("offerdb-frontmatter", "md", frontMatterFormat(YAML, nestedOrder));
window.CMS.init();
