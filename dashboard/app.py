"""Entry script of the dashboard: ``streamlit run dashboard/app.py`` (or ``scheduler dashboard``).

Signs the user in (``dashboard.access.gate``; local mode without sign-in),
registers the pages the user's role may use with ``st.navigation`` and puts
the language switch and the database in the sidebar. Each page is a script in ``app_pages/``.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard.access import PAGE_ACTIONS, gate
from dashboard.i18n import LANG_KEY, language, t
from dashboard.state import database_url, refresh
from dashboard.views import PAGES
from dashboard.widgets_zh import localize_streamlit_widgets
from scheduler.access.policy import may

HERE = Path(__file__).parent


st.set_page_config(page_title="双随机、一公开", page_icon=":material/casino:", layout="wide")

language()
user = gate()  # sign-in (or local mode), before any page runs or the sidebar shows the database
with st.sidebar:
    st.radio(
        "语言 / Language",
        options=["zh", "en"],
        format_func=lambda code: "中文" if code == "zh" else "English",
        key=LANG_KEY,
        horizontal=True,
    )
    st.caption(t("Database: {url}", url=database_url()))
    if st.button(t("Reload data"), key="app__reload"):
        refresh()

localize_streamlit_widgets()

offered = [page for page in PAGES if may(user, PAGE_ACTIONS[page[3]])]
pages = [
    st.Page(str(HERE / "app_pages" / file), title=t(title), icon=icon, url_path=url)
    for file, title, icon, url in offered
]


def home() -> None:
    """The app's root URL opens the first page the user may use at its own address.

    Streamlit serves a default page only at ``/``; keeping every listed page
    non-default makes each one reachable by its URL, so links and bookmarks work.
    """
    st.switch_page(pages[0])


navigation = st.navigation(
    [st.Page(home, url_path="home", default=True, visibility="hidden")] + pages
)
navigation.run()
