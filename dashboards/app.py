"""`streamlit run dashboards/app.py`: the dashboard shipped in ``dataguard/dashboard_app``.

The app lives inside the package so that `dataguard dashboard` works from an installed wheel;
this file keeps the repository's ``dashboards/`` entry point (and its documentation) in one place.
The store URL comes from ``DATAGUARD_STORE_URL`` (or dataguard.toml) and is opened read-only.
"""

from dataguard.dashboard_app.app import main

main()
