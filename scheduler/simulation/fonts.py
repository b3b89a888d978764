"""A CJK font shipped with the package, so charts with Chinese labels never show boxes.

matplotlib's bundled DejaVu fonts have no Chinese glyphs, and build machines
usually have no CJK font installed: a Chinese label then renders as empty boxes
(tofu).  The package therefore ships ``scheduler/fonts/wqy-microhei-subset.ttf``:
WenQuanYi Micro Hei (Apache-2.0; see ``scheduler/fonts/README.md`` for the
licence, the source and the change made) cut with fontTools to printable ASCII
plus every character of the project's Chinese labels, about 1% of the full font.
``use_cjk_font`` registers it with ``font_manager.addfont`` (no system install).

When a label gains a character, rebuild the subset with ``build_subset`` (the
test ``test_chart_labels_have_glyphs`` fails until then).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["CJK_FAMILY", "FONT_PATH", "build_subset", "missing_glyphs", "use_cjk_font"]

FONT_PATH = Path(str(files("scheduler") / "fonts" / "wqy-microhei-subset.ttf"))
CJK_FAMILY = "Scheduler CJK Subset"
"""Renamed from WenQuanYi Micro Hei, so matplotlib never mistakes the subset for an
installed full font of that name (or the reverse) when it resolves a family."""
ASCII = "".join(chr(c) for c in range(0x20, 0x7F))


def use_cjk_font() -> str:
    """Register the shipped font with matplotlib and return its family name."""
    from matplotlib import font_manager

    if CJK_FAMILY not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(FONT_PATH))
    return CJK_FAMILY


def missing_glyphs(text: str, path: Path = FONT_PATH) -> set[str]:
    """Characters of ``text`` (whitespace aside) the font cannot draw."""
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(path)).getBestCmap()
    return {c for c in text if not c.isspace() and ord(c) not in cmap}


def build_subset(source: Path, out: Path, text: str) -> None:
    """Write the glyphs of ``ASCII + text`` from ``source`` (a .ttf or the first font of
    a .ttc, e.g. Debian's ``/usr/share/fonts/truetype/wqy/wqy-microhei.ttc``) to ``out``."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(source), fontNumber=0)
    options = subset.Options()
    options.name_IDs = ["*"]  # keep the copyright and licence records
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(text="".join(sorted(set(ASCII + text))))
    subsetter.subset(font)
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 4, 16):
            record.string = CJK_FAMILY
        elif record.nameID in (3, 6):
            record.string = CJK_FAMILY.replace(" ", "")
    font.save(str(out))
