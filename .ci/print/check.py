#!/usr/bin/env python3
"""Print-layout checks on cairn's PDFs, page by page, as a reader holds them.

    check.py [--support-title T]... [--box-title T]... PDF...

Fails (exit 1) on any of:
- overlapping glyphs: two glyphs whose cores (the box between baseline and
  x-height, less a margin at the sides) cross;
- glyphs off the page;
- a stranded heading: a bookmarked heading with fewer than two lines (or
  drawn rows, rules, boxes) of what follows under it on its page, when the
  document goes on;
- a split box: a support or alert box (found by its title, in capitals)
  that ends its page and goes on at the top of the next; on
  a one-sheet PDF (sessions/, worksheets/) the support box must be on
  page 1;
- a lone header or a lone row: a table that goes on to the next page
  (the next page opens with the same table, its header repeated) with
  its header alone, or one row under it, at the foot of a page;
- a framed box (the scoring box) split by the layout: each framed box
  starts with its title; one taller than a page goes on in a box titled
  "TITLE (CONTINUED)" at the top of the next page, and only so;
- a one-sheet PDF's page without the running head of page 1 (program and
  title) or without "N of M" at its foot.

Uses pdfminer.six (glyphs, rules, boxes) and pikepdf (bookmarks).
"""
import argparse
import re
import sys

import pikepdf
from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar, LTCurve, LTFigure, LTImage, LTLine, LTRect, LTTextContainer

MM = 72 / 25.4
# The edition's margins (themes/default/typst/base.typ): the page head and
# foot are in them; the body is between.
TOP_MARGIN = 26 * MM
BOTTOM_MARGIN = 24 * MM
EDGE = 1.0  # pt of slack at the page's edge
NEAR = 4.0  # pt: "reaches the foot / starts at the top"


def walk(obj):
    if isinstance(obj, (LTChar, LTRect, LTLine, LTCurve, LTImage)):
        yield obj
    if hasattr(obj, "__iter__") and not isinstance(obj, LTChar):
        for child in obj:
            yield from walk(child)


def core(c):
    """The part of a glyph that must not touch another: its advance, from
    the baseline to the x-height."""
    size = c.size or (c.y1 - c.y0)
    base = c.matrix[5] if c.matrix[1] == 0 and c.matrix[2] == 0 else c.y0
    return (c.x0, base + 0.02 * size, c.x1, base + 0.45 * size)


def clash(a, b):
    """Two glyphs print over each other: they share more than 60% of the
    narrower one's width (kerned pairs such as `.”` or `LT` share less) and
    more than a third of the lower one's height."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    narrow = min(a[2] - a[0], b[2] - b[0])
    low = min(a[3] - a[1], b[3] - b[1])
    return w > 0.6 * narrow and h > low / 3


class Page:
    def __init__(self, lt):
        self.width, self.height = lt.width, lt.height
        self.chars = []
        self.shapes = []
        for o in walk(lt):
            if isinstance(o, LTChar):
                if o.get_text().strip():
                    self.chars.append(o)
            else:
                self.shapes.append(o)
        self.body_top = self.height - TOP_MARGIN + NEAR
        self.body_bottom = BOTTOM_MARGIN - NEAR

    def lines(self, region=None):
        """Text lines (by baseline), top to bottom: (top, bottom, (size,
        font), text)."""
        rows = {}
        for c in self.chars:
            if region and not region(c):
                continue
            key = round(c.matrix[5] * 2) / 2
            rows.setdefault(key, []).append(c)
        out = []
        for key in sorted(rows, reverse=True):
            cs = sorted(rows[key], key=lambda c: c.x0)
            out.append((max(c.y1 for c in cs), min(c.y0 for c in cs), (round(max(c.size for c in cs), 1), cs[0].fontname), "".join(c.get_text() for c in cs)))
        return out

    def text_in(self, y_lo, y_hi):
        return " ".join(l[3] for l in self.lines(lambda c: y_lo <= c.matrix[5] <= y_hi))

    def head_text(self):
        return self.text_in(self.height - TOP_MARGIN + 2, self.height)

    def foot_text(self):
        return self.text_in(0, BOTTOM_MARGIN - 2)


def overlaps(page):
    boxes = sorted((core(c) + (c,) for c in page.chars), key=lambda b: b[0])
    found = []
    active = []
    for b in boxes:
        active = [a for a in active if a[2] > b[0]]
        for a in active:
            if clash(a, b):
                found.append((a[4], b[4]))
        active.append(b)
    return found


def fill_of(shape):
    col = getattr(shape, "non_stroking_color", None)
    if not getattr(shape, "fill", False) or col is None:
        return None
    if isinstance(col, (int, float)):
        col = (col,)
    return tuple(round(float(x), 3) for x in col)


def titled_boxes(page, titles):
    """Filled boxes whose first line is one of `titles`: (shape, title)."""
    out = []
    for s in page.shapes:
        if fill_of(s) is None or (s.x1 - s.x0) < page.width * 0.3:
            continue
        inside = page.lines(lambda c: s.x0 <= c.x0 and c.x1 <= s.x1 + 1 and s.y0 <= c.y0 and c.y1 <= s.y1 + 1)
        if not inside:
            continue
        # (Typst writes no space glyphs: compare without spaces.)
        first = re.sub(r"\s+", "", inside[0][3])
        for t in titles:
            if first.startswith(re.sub(r"\s+", "", t)):
                out.append((s, t))
    return out


def framed_boxes(page):
    """Boxes drawn with a stroke and no fill, at least 60% of the page
    wide, top to bottom: (shape, first line inside or None)."""
    out = []
    for s in page.shapes:
        if isinstance(s, LTLine) or fill_of(s) is not None or not getattr(s, "stroke", False):
            continue
        if s.x1 - s.x0 < page.width * 0.6 or s.y1 - s.y0 < 20:
            continue
        inside = page.lines(lambda c: s.x0 <= c.x0 and c.x1 <= s.x1 + 1 and s.y0 <= c.y0 and c.y1 <= s.y1 + 1)
        out.append((s, inside[0] if inside else None))
    return sorted(out, key=lambda b: -b[0].y1)


def edge_rules(page, box):
    """Thin filled rules down the left edge of a box (a callout's stroke)."""
    return [
        r for r in page.shapes
        if r is not box and fill_of(r) is not None and fill_of(r) != fill_of(box)
        and abs(r.x0 - box.x0) < 2 and (r.x1 - r.x0) <= 4 and r.y0 < box.y1 and box.y0 < r.y1
    ]


def table_parts(page):
    """The tables (or parts of a table) drawn on a page, top to bottom: a
    table is a run of horizontal rules of one width joined by a rule down
    its left side. Each: (x0, x1, top, bottom, rows, header), rows being
    the (top, bottom) of each row, header whether its first row is filled
    across the table (a header row)."""
    horiz = [s for s in page.shapes if isinstance(s, LTLine) and abs(s.y1 - s.y0) < 0.5 and s.x1 - s.x0 > 20]
    vert = [s for s in page.shapes if isinstance(s, LTLine) and abs(s.x1 - s.x0) < 0.5 and s.y1 - s.y0 > 2]
    by_span = {}
    for h in horiz:
        by_span.setdefault((round(h.x0), round(h.x1)), set()).add(round(h.y0, 1))
    out = []
    for (x0, x1), ys in by_span.items():
        ys = sorted(ys, reverse=True)
        run = [ys[0]]

        def close(run):
            if len(run) >= 2:
                rows = list(zip(run, run[1:]))
                top, bottom = rows[0]
                fills = [s for s in page.shapes if fill_of(s) is not None and not isinstance(s, LTLine)
                         and s.y0 >= bottom - 1 and s.y1 <= top + 1 and s.y1 - s.y0 > 0.5 * (top - bottom)]
                covered = sum(s.x1 - s.x0 for s in fills if x0 - 2 <= s.x0 and s.x1 <= x1 + 2)
                out.append((x0, x1, run[0], run[-1], rows, covered >= 0.9 * (x1 - x0)))

        for y in ys[1:]:
            joined = any(abs(v.x0 - x0) < 2 and v.y0 <= y + 1 and v.y1 >= run[-1] - 1 for v in vert)
            if joined:
                run.append(y)
            else:
                close(run)
                run = [y]
        close(run)
    return sorted(out, key=lambda t: -t[2])


def bookmarks(path):
    """(title, page index, top y) of every bookmark."""
    out = []
    with pikepdf.open(path) as pdf:
        pages = {p.objgen: i for i, p in enumerate(pdf.pages)}
        names = {}
        try:
            if "/Names" in pdf.Root and "/Dests" in pdf.Root.Names:
                for k, v in pikepdf.NameTree(pdf.Root.Names.Dests).items():
                    names[str(k)] = v
        except Exception:
            pass
        with pdf.open_outline() as outline:
            stack = list(outline.root)
            while stack:
                item = stack.pop(0)
                dest = item.destination
                if isinstance(dest, (pikepdf.String, str)) or (hasattr(dest, "_type_name") and dest._type_name == "name"):
                    dest = names.get(str(dest))
                if isinstance(dest, pikepdf.Dictionary) and "/D" in dest:
                    dest = dest.D
                if dest is None and item.action is not None and "/D" in item.action:
                    dest = item.action.D
                    if not isinstance(dest, pikepdf.Array):
                        dest = names.get(str(dest))
                if isinstance(dest, pikepdf.Array) and len(dest) >= 4:
                    pi = pages.get(dest[0].objgen)
                    top = float(dest[3]) if dest[1] == pikepdf.Name.XYZ and dest[3] is not None else None
                    if pi is not None and top is not None:
                        out.append((str(item.title), pi, top))
                stack.extend(item.children)
    return out


def check(path, support_titles, box_titles):
    problems = []
    pages = [Page(p) for p in extract_pages(path, laparams=LAParams())]
    n = len(pages)
    parts = path.replace("\\", "/").split("/")
    one_sheet = "sessions" in parts[:-1] or "worksheets" in parts[:-1]

    for i, pg in enumerate(pages):
        where = f"{path}: page {i + 1}"
        for a, b in overlaps(pg)[:3]:
            problems.append(f"{where}: glyphs overlap: {a.get_text()!r} at ({a.x0:.0f}, {a.y0:.0f}) and {b.get_text()!r} at ({b.x0:.0f}, {b.y0:.0f})")
        for c in pg.chars:
            x0, y0, x1, y1 = core(c)
            if x0 < -EDGE or y0 < -EDGE or x1 > pg.width + EDGE or y1 > pg.height + EDGE:
                problems.append(f"{where}: glyph {c.get_text()!r} off the page at ({c.x0:.0f}, {c.y0:.0f})")
                break

    # Stranded headings.
    for title, pi, top in bookmarks(path):
        if pi >= n - 1 or pi == 0:
            continue
        pg = pages[pi]
        lines = [l for l in pg.lines(lambda c: pg.body_bottom <= c.y0 and c.y1 <= pg.body_top) if l[1] <= top + 2]
        if not lines:
            continue
        face = lines[0][2]
        k = 1
        while k < len(lines) and lines[k][2] == face:
            k += 1
        heading_bottom = lines[k - 1][1]
        after = len(lines) - k
        drawn = [s for s in pg.shapes if s.y1 <= heading_bottom + 1 and s.y0 >= pg.body_bottom]
        if after + min(len(drawn), 2) < 2:
            problems.append(f"{path}: page {pi + 1}: heading {title!r} is stranded at the foot of the page ({after} line(s) of what follows)")

    # A table that goes on to the next page leaves at least two rows under
    # its header at the foot of this one: not its header alone, nor one row.
    parts = [table_parts(pg) for pg in pages]
    for i, pg in enumerate(pages[:-1]):
        if not parts[i] or not parts[i + 1]:
            continue
        foot = parts[i][-1]
        nxt = pages[i + 1]
        top = parts[i + 1][0]
        x0, x1, _, bottom, rows, header = foot
        ends_page = not any(pg.body_bottom <= c.y0 and c.y1 <= bottom + 1 for c in pg.chars)
        opens_page = not any(top[2] - 1 <= c.y0 and c.y1 <= nxt.body_top for c in nxt.chars)
        if not (ends_page and opens_page and abs(top[0] - x0) < 2 and abs(top[1] - x1) < 2):
            continue
        # The same table goes on: its header row is repeated (or neither part
        # has one).
        def first_row(page, part):
            t, b = part[4][0]
            return page.text_in(b, t)
        if header != top[5] or (header and first_row(pg, foot) != first_row(nxt, top)):
            continue
        body = len(rows) - (1 if header else 0)
        if body == 0:
            problems.append(f"{path}: page {i + 1}: a table's header is alone at the foot of the page (its rows start on page {i + 2})")
        elif body == 1:
            problems.append(f"{path}: page {i + 1}: a table leaves one row at the foot of the page (it goes on on page {i + 2})")

    # Split boxes, and the support box on page 1 of a one-sheet PDF.
    titles = support_titles + box_titles
    for i, pg in enumerate(pages):
        for s, t in titled_boxes(pg, titles):
            if one_sheet and t in support_titles and i > 0:
                problems.append(f"{path}: page {i + 1}: the support box is not on page 1")
            # Split: nothing under it on its page, and the next page opens
            # with a box of the same colour in the same place.
            last = not any(pg.body_bottom <= c.y0 and c.y1 <= s.y0 + 1 for c in pg.chars)
            if last and i + 1 < n:
                nxt = pages[i + 1]
                # Its look: the fill, and the rule down its left side.
                look = [fill_of(s)] + [fill_of(r) for r in edge_rules(pg, s)][:1]
                top = [o for o in nxt.shapes if o.y1 >= nxt.body_top - 2 * NEAR and abs(o.x0 - s.x0) < 2]
                if all(any(fill_of(o) == f for o in top) for f in look):
                    problems.append(f"{path}: page {i + 1}: the box {t!r} is split across pages {i + 1} and {i + 2}")

    # Framed boxes (a stroke, no fill: the scoring box) are never split by
    # the layout: each starts with its title (bold capitals). One taller
    # than a page is set as whole boxes, the later ones titled "TITLE
    # (CONTINUED)" (in the PDF's language), each the first thing on its page
    # with the box it goes on from ending the page before.
    last_frame = None  # (page index, title) of the box that ends the page before
    for i, pg in enumerate(pages):
        frames = framed_boxes(pg)
        for k, (s, first) in enumerate(frames):
            text = re.sub(r"\s+", "", first[3]) if first else ""
            if not first or "Bold" not in first[2][1] or text != text.upper():
                problems.append(f"{path}: page {i + 1}: a framed box starts without its title ({text[:30]!r}): it is split across pages")
                continue
            m = re.fullmatch(r"(.+)\((.+)\)", text)
            if m:
                base = m.group(1)
                above = any(s.y1 + 1 < c.y0 and c.y1 <= pg.body_top for c in pg.chars)
                if k > 0 or above or last_frame is None or last_frame != (i - 1, base):
                    problems.append(f"{path}: page {i + 1}: the box {text!r} does not open its page after the box it goes on from")
        last_frame = None
        if frames:
            s, first = frames[-1]
            if first and not any(pg.body_bottom <= c.y0 and c.y1 <= s.y0 + 1 for c in pg.chars):
                t = re.sub(r"\s+", "", first[3])
                last_frame = (i, re.sub(r"\(.+\)$", "", t))

    # Every page of a one-sheet PDF says what it is.
    if one_sheet and n > 0:
        first_head = pages[0].head_text().strip()
        marks = bookmarks(path)
        if not first_head:
            problems.append(f"{path}: page 1 has no running head")
        elif marks:
            title = marks[0][0]
            shown = first_head.replace("…", "")
            if not any(w in shown for w in title.split()[:3]):
                problems.append(f"{path}: the running head {first_head!r} does not name {title!r}")
        for i, pg in enumerate(pages):
            head = pg.head_text().strip()
            if head != first_head:
                problems.append(f"{path}: page {i + 1}: running head {head!r}, expected {first_head!r}")
            foot = pg.foot_text()
            if not re.search(rf"(^|\D){i + 1}\D+{n}(\D|$)", foot):
                problems.append(f"{path}: page {i + 1}: the foot {foot.strip()!r} does not say page {i + 1} of {n}")
    return problems, n


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--support-title", action="append", default=None, help="the support box's title as printed (capitals)")
    ap.add_argument("--box-title", action="append", default=None, help="another box that must not split")
    ap.add_argument("pdfs", nargs="+")
    args = ap.parse_args()
    support = args.support_title or ["IF YOU NEED HELP"]
    boxes = args.box_title or ["ANSWERS THAT CALL FOR SUPPORT"]
    failed = 0
    pages = 0
    for path in args.pdfs:
        problems, n = check(path, support, boxes)
        pages += n
        for p in problems:
            print(p)
        if problems:
            failed += 1
    print(f"print layout: {len(args.pdfs)} PDF(s), {pages} page(s): {len(args.pdfs) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
