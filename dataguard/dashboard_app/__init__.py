"""The Streamlit dashboard, shipped inside the package so an installed ``dataguard`` can start it.

``dataguard dashboard`` runs ``streamlit run`` on :data:`APP_PATH`; ``dashboards/app.py`` in the
repository is the same app for ``streamlit run dashboards/app.py``. Layout (CONVENTIONS.md):
``app.py`` only navigates, ``data.py`` owns cached read-only access to the store and artifacts,
``views/*.py`` only render, ``charts.py`` draws. Importing this package imports nothing heavy.
(Not ``pages/``: Streamlit would serve that folder itself on deep links, bypassing navigation.)
"""

from __future__ import annotations

from pathlib import Path

APP_PATH = Path(__file__).resolve().with_name("app.py")
PAGES_DIR = APP_PATH.with_name("views")
