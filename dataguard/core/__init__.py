"""The pure core: statistics views, comparisons and verdicts. No IO, Beam, SQLAlchemy or HTTP here."""
