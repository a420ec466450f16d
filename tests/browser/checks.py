"""What every page must get right, checked in the browser on the page as it stands.

Each check returns a list of plain problems (empty: the page passes), so a
failing crawl can name every page and rule at once.
"""
from __future__ import annotations

import re
from pathlib import Path

AXE = Path(__file__).parent / "axe" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2, levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
NARROW = 320  # the narrowest screen WCAG's reflow rule asks for
ZOOMED = 640  # a 1280 px window at 200% zoom

# Markup that reached the screen as text: an HTML piece escaped instead of rendered.
ESCAPED_MARKUP = re.compile(
    r"</?(?:table|thead|tbody|tr|td|th|caption|p|div|span|section|ul|ol|li|dl|dt|dd|a|h[1-6]|strong|br)\b[^>]*>"
    r"|&(?:lt|gt|amp|quot|#\d+|#x[0-9a-f]+);", re.I)


def axe_violations(page) -> list[str]:
    """axe-core's WCAG A and AA violations on the page, one line each with where they are."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the browser's debugging protocol, which the page's Content-Security-Policy
        # does not govern (an injected <script> tag would be refused, as it should be).
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    violations = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                                     resultTypes: ["violations"]});
            return results.violations.map(v => ({
                id: v.id, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
                count: v.nodes.length}));
        }""", AXE_TAGS)
    return [f"axe {v['id']}: {v['help']} ({v['count']}x, e.g. {'; '.join(v['nodes'])})" for v in violations]


def visible_text(page) -> str:
    return page.evaluate("() => document.body.innerText")


def escaped_markup(page) -> list[str]:
    found = sorted({m.group(0) for m in ESCAPED_MARKUP.finditer(visible_text(page))})
    return [f"escaped markup shown as text: {', '.join(found[:5])}"] if found else []


def structure(page) -> list[str]:
    """A non-empty title, exactly one <h1>, and one main landmark."""
    facts = page.evaluate("""() => ({
        title: document.title.trim(),
        h1: document.querySelectorAll("h1").length,
        main: document.querySelectorAll("main, [role=main]").length})""")
    problems = []
    if not facts["title"]:
        problems.append("the page has no <title>")
    if facts["h1"] != 1:
        problems.append(f"the page has {facts['h1']} <h1> elements, not one")
    if facts["main"] != 1:
        problems.append(f"the page has {facts['main']} main landmarks, not one")
    return problems


def overflow(page, width: int) -> list[str]:
    """At ``width`` CSS pixels the page must not scroll sideways, and no text may be cut off."""
    page.set_viewport_size({"width": width, "height": 800})
    settled(page)
    facts = page.evaluate("""() => {
        const root = document.documentElement, limit = root.clientWidth;
        const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
            + (typeof el.className === "string" && el.className.trim()
               ? "." + el.className.trim().split(/\\s+/).slice(0, 2).join(".") : "");
        const visible = (el) => {
            const style = getComputedStyle(el);
            return style.visibility !== "hidden" && style.display !== "none" && el.getClientRects().length;
        };
        const wide = [], cut = [];
        for (const el of document.body.querySelectorAll("*")) {
            if (!visible(el)) continue;
            const box = el.getBoundingClientRect();
            if (box.right > limit + 1 && wide.length < 3
                && ![...el.children].some(c => c.getBoundingClientRect().right > limit + 1)) wide.push(name(el));
            if (box.width <= 1 || box.height <= 1) continue;  // visually hidden text
            const style = getComputedStyle(el);
            if (["hidden", "clip"].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1
                && el.innerText && el.innerText.trim() && cut.length < 3) cut.push(name(el));
        }
        return {scroll: root.scrollWidth, limit, wide, cut};
    }""")
    problems = []
    if facts["scroll"] > facts["limit"]:
        problems.append(f"at {width} px wide the page is {facts['scroll']} px wide and scrolls sideways "
                        f"(widest: {', '.join(facts['wide']) or 'unknown'})")
    if facts["cut"]:
        problems.append(f"at {width} px wide text is cut off in {', '.join(facts['cut'])}")
    return problems


def settled(page) -> None:
    """Wait two frames: the header moves its links into a menu in the frame after a resize."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def focus_visible(page) -> bool:
    """Whether the focused element looks different from when it is not focused.

    A radio or checkbox shows its focus on its label's drawn circle or box, so that counts too.
    """
    return page.evaluate("""() => {
        const el = document.activeElement;
        if (!el || el === document.body) return false;
        const parts = ["outlineStyle", "outlineWidth", "outlineColor", "boxShadow", "backgroundColor", "color",
                       "textDecorationLine", "borderColor", "clip", "clipPath"];
        const label = el.labels && el.labels[0];
        const look = () => [getComputedStyle(el), ...(label ? [getComputedStyle(label, "::before")] : [])]
            .map(style => parts.map(part => style[part]).join("|")).join("/");
        const focused = look();
        el.blur();
        const plain = look();
        el.focus({preventScroll: true});
        return focused !== plain;
    }""")
