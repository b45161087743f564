"""Page scripts run by ``st.navigation`` (each file renders one page; see ``nav.PAGES``).

Not called ``pages/``: Streamlit serves a ``pages/`` folder next to the main script as a legacy
multipage app when a deep link (``/batch?…``) arrives, bypassing ``st.navigation``.
"""
