"""Chinese for the words Streamlit's own widgets print, which no widget parameter reaches.

``st.file_uploader`` takes a label and help text but writes "Upload" on its button
and "200MB per file • CSV, XLSX" under it, in English, whatever the app's
language. Streamlit (1.67) has no locale setting, so on the Chinese setting a
style sheet hides those two texts and shows Chinese ones in their place. The
file types are omitted: the widget's label and help already name them.
"""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import language, t

__all__ = ["localize_streamlit_widgets"]

_UPLOADER = '[data-testid="stFileUploaderDropzone"]'


def _css() -> str:
    upload_limit = f"{st.get_option('server.maxUploadSize')}MB"
    button = f"{_UPLOADER} button [data-testid='stMarkdownContainer']"
    instructions = f"{_UPLOADER} [data-testid='stFileUploaderDropzoneInstructions'] > div"
    return (
        f"{button} p {{ display: none; }}\n"
        f'{button}::after {{ content: "{t("Upload")}"; }}\n'
        f"{instructions} > span {{ display: none; }}\n"
        f'{instructions}::after {{ content: "{t("{size} per file", size=upload_limit)}"; '
        "font-size: 0.875rem; }\n"
    )


def localize_streamlit_widgets() -> None:
    """On the Chinese setting, replace the English of Streamlit's built-in widget texts."""
    if language() == "zh":
        st.html(f"<style>{_css()}</style>")
