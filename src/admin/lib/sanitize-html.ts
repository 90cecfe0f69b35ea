// Rich text from records is written by users, so the admin never puts it into its own page as
// it is: the HTML is parsed in an inert document (nothing in it loads or runs), and only
// formatting elements survive, without attributes, except a link's http(s), mailto or relative
// address. Anything else is dropped, keeping its text. (The page's Content-Security-Policy would
// also refuse inline scripts; this keeps the markup itself harmless.)
const KEEP = new Set(["P", "BR", "B", "STRONG", "I", "EM", "U", "S", "A", "UL", "OL", "LI", "H1", "H2", "H3", "H4", "BLOCKQUOTE", "CODE", "PRE", "SPAN", "DIV"]);
const DROP_WITH_CONTENT = new Set(["SCRIPT", "STYLE", "TEMPLATE", "IFRAME", "OBJECT", "EMBED", "SVG", "MATH", "NOSCRIPT", "TEXTAREA", "SELECT"]);
const SAFE_HREF = /^(https?:|mailto:|\/|#|[^:]*$)/i;

function clean(node: Node, into: Node, doc: Document): void {
  for (const child of Array.from(node.childNodes)) {
    if (child.nodeType === Node.TEXT_NODE) {
      into.appendChild(doc.createTextNode(child.textContent ?? ""));
    } else if (child.nodeType === Node.ELEMENT_NODE) {
      const el = child as Element;
      if (DROP_WITH_CONTENT.has(el.tagName)) continue;
      if (!KEEP.has(el.tagName)) {
        clean(el, into, doc);
        continue;
      }
      const copy = doc.createElement(el.tagName.toLowerCase());
      const href = el.tagName === "A" ? el.getAttribute("href")?.trim() : undefined;
      if (href && SAFE_HREF.test(href)) copy.setAttribute("href", href);
      clean(el, copy, doc);
      into.appendChild(copy);
    }
  }
}

/** The formatting of `html` without anything that could load or run. */
export function sanitizeHtml(html: string): string {
  const parsed = new DOMParser().parseFromString(html, "text/html");
  const out = document.implementation.createHTMLDocument("");
  const root = out.createElement("div");
  clean(parsed.body, root, out);
  return root.innerHTML;
}
