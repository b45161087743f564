"""Entry point of the dashboard: page set-up, optional login, navigation. Nothing else.

    streamlit run dataguard/dashboard_app/app.py      # or: dataguard dashboard [--port N]

The store URL comes from ``DATAGUARD_STORE_URL`` (or dataguard.toml); it is opened read-only.
"""

from __future__ import annotations

import streamlit as st

from dataguard.dashboard_app import access, nav


def main() -> None:
    st.set_page_config(page_title="dataguard", page_icon=":material/verified:", layout="wide")
    if not access.allowed():
        st.stop()
    st.navigation(nav.all_pages(), position="sidebar").run()


if __name__ == "__main__":
    main()
