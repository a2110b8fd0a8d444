"""Reflow and zoom checks in Chromium (RGAA 10.4, 10.11; WCAG 1.4.4,
1.4.10): the windows a layout test opens pages in, and what it measures on
each page — no sideways scrolling, no form controls on top of one another,
no control text cut or broken inside a word.

The five windows:

- ``320`` and ``375``: phones (CSS pixels at 100 %).
- ``1280``: a laptop at 100 %; the back office's list must fit without a
  column cut off.
- ``zoom-200``: the same 1280 px window at 200 % browser zoom. Zooming
  divides the CSS viewport by the zoom factor and multiplies the device
  pixel ratio by it, so this is a 640 CSS px viewport at device scale 2 —
  the equivalence WCAG 1.4.10 rests on (1280 px at 400 % = 320 CSS px).
- ``text-200``: the 1280 px window at 100 % with the browser's text size
  doubled (« Taille de la police » in Chromium's settings: the default font
  size goes from 16 to 32 px), set through the DevTools protocol
  (``Page.setFontSizes``), which is exactly that preference. It is real
  text-only zoom, not a style injected into the page: GOV.UK Frontend 6
  sets its text sizes in ``rem`` and its breakpoints in ``em``, so text,
  field heights and breakpoints follow the preference (at 200 % text the
  1280 px window gets the layout meant for 640 px), while borders and
  spacing in ``px`` do not — what a person who enlarges only the text
  sees.
"""

from dataclasses import dataclass

from playwright.sync_api import Browser, BrowserContext, Page


@dataclass(frozen=True)
class Window:
    name: str
    width: int
    height: int
    zoom: int = 1  # browser zoom: the CSS viewport is width / zoom at device scale zoom
    text_scale: int = 1  # browser text size: default font size 16 px × text_scale

    def new_context(self, browser: Browser, storage_state=None) -> BrowserContext:
        context = browser.new_context(
            viewport={"width": self.width // self.zoom, "height": self.height // self.zoom},
            device_scale_factor=self.zoom,
            locale="fr-FR",
            storage_state=storage_state,
        )
        context.set_default_timeout(15_000)
        return context

    def new_page(self, context: BrowserContext) -> Page:
        page = context.new_page()
        if self.text_scale != 1:
            session = context.new_cdp_session(page)
            session.send("Page.enable")
            session.send("Page.setFontSizes", {"fontSizes": {"standard": 16 * self.text_scale, "fixed": 13 * self.text_scale}})
        return page


WINDOWS = [
    Window("320", 320, 640),
    Window("375", 375, 812),
    Window("1280", 1280, 800),
    Window("zoom-200", 1280, 800, zoom=2),
    Window("text-200", 1280, 800, text_scale=2),
]

# Run in the page: a list of problems, each a readable sentence.
_CHECKS = r"""() => {
  const problems = [];
  const root = document.documentElement;
  const viewport = root.clientWidth;  // without the vertical scroll bar: stricter than innerWidth
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += "#" + el.id;
    if (typeof el.className === "string" && el.className.trim()) name += "." + el.className.trim().split(/\s+/).join(".");
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").replace(/\s+/g, " ").trim().slice(0, 60);
    return text ? `${name} « ${text} »` : name;
  };
  const clips = (el) => {
    const style = getComputedStyle(el);
    return style.overflowX !== "visible" || style.overflowY !== "visible";
  };
  // The part of an element not clipped by an ancestor that scrolls or hides its overflow.
  const visibleBox = (el) => {
    const r = el.getBoundingClientRect();
    const box = {left: r.left, top: r.top, right: r.right, bottom: r.bottom};
    for (let a = el.parentElement; a && a !== document.body && a !== root; a = a.parentElement) {
      if (!clips(a)) continue;
      const c = a.getBoundingClientRect();
      const style = getComputedStyle(a);
      if (style.overflowX !== "visible") { box.left = Math.max(box.left, c.left); box.right = Math.min(box.right, c.right); }
      if (style.overflowY !== "visible") { box.top = Math.max(box.top, c.top); box.bottom = Math.min(box.bottom, c.bottom); }
    }
    return box;
  };
  const inScroller = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) if (clips(a)) return true;
    return false;
  };
  const shown = (el) => el.checkVisibility({visibilityProperty: true}) && el.getClientRects().length > 0;

  // 1. No sideways scrolling of the page; name the deepest elements that stick out.
  if (root.scrollWidth > viewport) {
    const out = [...document.body.querySelectorAll("*")].filter((el) => {
      if (!shown(el) || inScroller(el)) return false;
      const r = el.getBoundingClientRect();
      return r.right > viewport + 0.5 && r.width > 0;
    });
    const deepest = out.filter((el) => !out.some((other) => other !== el && el.contains(other))).slice(0, 5);
    problems.push(`the page scrolls sideways: scrollWidth ${root.scrollWidth} > ${viewport}, sticking out: ${deepest.map(describe).join(" | ")}`);
  }

  // 2. No two visible form controls on top of one another.
  const controls = [...document.querySelectorAll("input:not([type=hidden]), select, textarea, button, a.govuk-button")]
    .filter(shown)
    .map((el) => ({el, box: visibleBox(el)}))
    .filter(({box}) => box.right - box.left > 1 && box.bottom - box.top > 1);  // visually hidden ones are 1 px
  for (let i = 0; i < controls.length; i++) {
    for (let j = i + 1; j < controls.length; j++) {
      const a = controls[i], b = controls[j];
      if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
      const width = Math.min(a.box.right, b.box.right) - Math.max(a.box.left, b.box.left);
      const height = Math.min(a.box.bottom, b.box.bottom) - Math.max(a.box.top, b.box.top);
      if (width > 1 && height > 1) problems.push(`controls overlap: ${describe(a.el)} and ${describe(b.el)}`);
    }
  }

  // 3. A control, tag or step label is not cut: its content fits its box, no word
  //    of its text is broken across two lines (a break after a hyphen is a line break, not a cut),
  //    and a select shows the whole of its chosen option.
  const texts = document.querySelectorAll(
    "#main-content button, #main-content .govuk-button, .govuk-tag, [class*=app-stepper__], label, legend, th, .govuk-service-navigation__link");
  for (const el of texts) {
    if (!shown(el)) continue;
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;
    const style = getComputedStyle(el);
    // Its text must lie within its padding box (not ``scrollWidth``: GOV.UK buttons
    // widen their click area with a ``::before`` 2 px beyond their border, which
    // counts as overflow though nothing is cut).
    const inner = {left: box.left + el.clientLeft, right: box.left + el.clientLeft + el.clientWidth};
    let wider = false;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.parentElement || !shown(node.parentElement)) continue;
      if (node.parentElement.closest(".govuk-visually-hidden")) continue;
      if (style.display !== "inline" && el.clientWidth > 0 && !wider) {
        const range = document.createRange();
        range.selectNodeContents(node);
        const out = [...range.getClientRects()].find((r) => r.width > 0 && (r.left < inner.left - 1 || r.right > inner.right + 1));
        if (out) {
          wider = true;
          problems.push(`content wider than its box (text to ${Math.round(out.right)} > ${Math.round(inner.right)}): ${describe(el)}`);
        }
      }
      for (const match of node.data.matchAll(/[^\s\-‐–—]+[\-‐–—]?/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.bottom)));
        if (lines.size > 1) {
          problems.push(`word broken across lines: « ${match[0]} » in ${describe(el)}`);
          break;
        }
      }
    }
  }
  const canvas = document.createElement("canvas").getContext("2d");
  for (const select of document.querySelectorAll("select")) {
    if (!shown(select) || select.selectedIndex < 0) continue;
    const style = getComputedStyle(select);
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const needed = canvas.measureText(select.options[select.selectedIndex].text).width
      + parseFloat(style.paddingLeft) + parseFloat(style.paddingRight) + 16;  // 16: the drop-down arrow
    if (needed > select.clientWidth + 1) problems.push(`select too narrow for its option (${Math.ceil(needed)} > ${select.clientWidth}): ${describe(select)}`);
  }
  for (const {el, box} of controls) {
    if (!inScroller(el) && (box.left < -0.5 || box.right > viewport + 0.5)) problems.push(`control outside the window: ${describe(el)}`);
  }
  return problems;
}"""


def layout_problems(page: Page) -> list[str]:
    """What is wrong with the layout of the page as shown now (empty: nothing)."""
    return page.evaluate(_CHECKS)
