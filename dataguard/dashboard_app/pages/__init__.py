"""Page scripts run by ``st.navigation`` (each file renders one page; see ``nav.PAGES``)."""
