/* KKR-arkivet: the page viewer. pdf.js (vendored from the npm package pdfjs-dist by `make
   vendor`) renders the cited page, zoomable; the server's boxes (PDF points from the page's
   top left, from the archive's stored line boxes) mark the item, the cited sentence and the
   lines with query words, and the query words are marked in pdf.js's text layer. Without
   JavaScript or pdf.js the page image (rendered by the server with the same boxes) stays. */
import * as pdfjsLib from "./vendor/pdfjs/pdf.min.mjs";

const ZOOM_STEP = 1.25;
const MIN_SCALE = 0.25;
const MAX_SCALE = 5;
const READABLE = 1;

function box(kind, b, scale) {
  const el = document.createElement("div");
  el.className = "hl hl-" + kind;
  el.style.left = (b[0] * scale - 2) + "px";
  el.style.top = (b[1] * scale - 2) + "px";
  el.style.width = ((b[2] - b[0]) * scale + 4) + "px";
  el.style.height = ((b[3] - b[1]) * scale + 4) + "px";
  return el;
}

// The server sends the query's stems folded (æ as "ae" ...) and the letters each folded form
// stands for (`unfold`, from archive.text.danish): any of those spellings matches.
function wordPattern(words, unfold) {
  const forms = Object.keys(unfold || {}).sort((a, b) => b.length - a.length);
  const folded = forms.length ? new RegExp(forms.join("|"), "g") : null;
  const escaped = (words || [])
    .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .map((w) => (folded ? w.replace(folded, (form) => "(?:" + [form].concat(unfold[form]).join("|") + ")") : w))
    .filter(Boolean);
  return escaped.length ? new RegExp("[\\p{L}\\p{N}]*(?:" + escaped.join("|") + ")[\\p{L}\\p{N}]*", "giu") : null;
}

function markWords(container, pattern) {
  if (!pattern) return 0;
  let marked = 0;
  const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
  const nodes = [];
  while (walker.nextNode()) nodes.push(walker.currentNode);
  nodes.forEach((node) => {
    const text = node.nodeValue;
    pattern.lastIndex = 0;
    if (!pattern.test(text)) return;
    pattern.lastIndex = 0;
    const frag = document.createDocumentFragment();
    let last = 0;
    for (const match of text.matchAll(pattern)) {
      frag.appendChild(document.createTextNode(text.slice(last, match.index)));
      const mark = document.createElement("mark");
      mark.className = "hl-word";
      mark.textContent = match[0];
      frag.appendChild(mark);
      last = match.index + match[0].length;
      marked += 1;
    }
    frag.appendChild(document.createTextNode(text.slice(last)));
    node.parentNode.replaceChild(frag, node);
  });
  return marked;
}

async function start(root) {
  const config = JSON.parse(root.getAttribute("data-viewer"));
  const stage = root.querySelector("[data-viewer-stage]");
  const toolbar = root.querySelector("[data-viewer-toolbar]");
  const fallback = root.querySelector("[data-viewer-fallback]");
  const level = root.querySelector("[data-zoom-level]");
  pdfjsLib.GlobalWorkerOptions.workerSrc = config.worker;
  let page;
  try {
    const pdf = await pdfjsLib.getDocument({ url: config.pdf, isEvalSupported: false }).promise;
    page = await pdf.getPage(config.page);
  } catch (error) {
    root.setAttribute("data-viewer-state", "fallback");
    return;  // the page image stays
  }
  const natural = page.getViewport({ scale: 1 });
  const pattern = wordPattern(config.words, config.unfold);
  const fit = () => Math.min(MAX_SCALE, Math.max(MIN_SCALE, (root.clientWidth - 4) / natural.width));
  // a phone starts at 100 % (readable), scrolled to the mark; a wide screen at its width
  const initial = () => (fit() >= READABLE ? fit() : READABLE);
  let scale = initial();
  let rendering = null;

  async function render() {
    const viewport = page.getViewport({ scale });
    const ratio = window.devicePixelRatio || 1;
    const sheet = document.createElement("div");
    sheet.className = "viewer-page";
    sheet.style.width = viewport.width + "px";
    sheet.style.height = viewport.height + "px";
    sheet.style.setProperty("--scale-factor", String(scale));
    const canvas = document.createElement("canvas");
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    canvas.style.width = viewport.width + "px";
    canvas.style.height = viewport.height + "px";
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", fallback.querySelector("img").getAttribute("alt"));
    sheet.appendChild(canvas);
    const marks = document.createElement("div");
    marks.className = "viewer-marks";
    marks.setAttribute("aria-hidden", "true");
    const boxes = config.boxes || {};
    const strong = (boxes.quote || []).length ? "quote" : "words";
    (boxes.item || []).forEach((b) => marks.appendChild(box("item", b, scale)));
    (boxes[strong] || []).forEach((b) => marks.appendChild(box(strong, b, scale)));
    sheet.appendChild(marks);
    const text = document.createElement("div");
    text.className = "textLayer";
    text.setAttribute("aria-hidden", "true");
    sheet.appendChild(text);
    await page.render({
      canvasContext: canvas.getContext("2d"), viewport,
      transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : null,
    }).promise;
    const layer = new pdfjsLib.TextLayer({ textContentSource: page.streamTextContent(), container: text, viewport });
    await layer.render();
    const words = markWords(text, pattern);
    stage.replaceChildren(sheet);
    level.textContent = Math.round(scale * 100) + " %";
    root.setAttribute("data-viewer-state", "ready");
    root.setAttribute("data-viewer-marks", String(marks.querySelectorAll(".hl-quote").length));
    root.setAttribute("data-viewer-words", String(words));
  }

  function rerender() {
    rendering = (rendering || Promise.resolve()).then(render);
    return rendering;
  }

  function goToMark() {
    const target = stage.querySelector(".hl-quote") || stage.querySelector(".hl-words") || stage.querySelector(".hl-item");
    if (!target) return;
    target.scrollIntoView({ block: "center", inline: "nearest" });
    stage.scrollLeft = Math.max(0, target.offsetLeft - 12);  // the start of the sentence in view
  }

  function zoom(action) {
    if (action === "quote") { goToMark(); return; }
    if (action === "in") scale = Math.min(MAX_SCALE, scale * ZOOM_STEP);
    else if (action === "out") scale = Math.max(MIN_SCALE, scale / ZOOM_STEP);
    else scale = fit();
    rerender();
  }

  toolbar.addEventListener("click", (event) => {
    const button = event.target.closest("[data-zoom]");
    if (button) zoom(button.getAttribute("data-zoom"));
  });
  stage.addEventListener("keydown", (event) => {  // + and - zoom the focused page
    const action = { "+": "in", "=": "in", "-": "out", "0": "fit" }[event.key];
    if (action && !event.ctrlKey && !event.metaKey) { event.preventDefault(); zoom(action); }
  });

  stage.hidden = false;
  toolbar.hidden = false;
  await rerender();
  fallback.hidden = true;
  goToMark();
}

const root = document.querySelector("[data-viewer]");
if (root) start(root);
