// The SPARQL page: example queries load into the editor, and the editor's text is
// highlighted in a layer behind it. Without this script the page works as a plain form.
"use strict";

const KEYWORDS = new RegExp(
  "^(?:SELECT|CONSTRUCT|DESCRIBE|ASK|WHERE|FILTER|OPTIONAL|UNION|MINUS|GRAPH|BIND|VALUES|" +
    "PREFIX|BASE|DISTINCT|REDUCED|ORDER|GROUP|BY|HAVING|LIMIT|OFFSET|ASC|DESC|AS|IN|NOT|" +
    "EXISTS|COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT|SEPARATOR|STR|LANG|REGEX|CONTAINS|" +
    "STRSTARTS|LCASE|UCASE|IF|COALESCE|BOUND|a|true|false)$",
  "i",
);
// One token at a time: comment, string, IRI, variable, prefixed name, word, number, other.
const TOKEN =
  /(#[^\n]*)|("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|(<[^<>"{}|^`\\\s]*>)|([?$][A-Za-z_]\w*)|([A-Za-z][\w.-]*:[\w.-]*|:[\w.-]+)|([A-Za-z_]\w*)|(\d+(?:\.\d+)?)|([\s\S])/g;
const CLASSES = [null, "comment", "string", "iri", "variable", "name", "word", "number", null];

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function highlight(text) {
  let html = "";
  for (const match of text.matchAll(TOKEN)) {
    const group = match.slice(1).findIndex((g) => g !== undefined) + 1;
    let kind = CLASSES[group];
    if (kind === "word") kind = KEYWORDS.test(match[0]) ? "keyword" : null;
    const piece = escapeHtml(match[0]);
    html += kind ? `<span class="tok-${kind}">${piece}</span>` : piece;
  }
  return html + "\n"; // a final newline keeps the layers the same height
}

function setUp() {
  const editor = document.getElementById("query");
  const layer = document.querySelector(".editor .highlight code");
  const examples = JSON.parse(document.getElementById("examples").textContent);
  const choice = document.getElementById("example");
  if (!editor || !layer) return;
  const paint = () => {
    layer.innerHTML = highlight(editor.value);
    layer.parentElement.scrollTop = editor.scrollTop;
    layer.parentElement.scrollLeft = editor.scrollLeft;
  };
  document.querySelector(".editor").classList.add("highlighting");
  editor.addEventListener("input", paint);
  editor.addEventListener("scroll", paint);
  choice.addEventListener("change", () => {
    if (choice.value !== "") {
      editor.value = examples[Number(choice.value)];
      paint();
    }
  });
  paint();
}

document.addEventListener("DOMContentLoaded", setUp);
