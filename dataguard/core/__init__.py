"""The pure core: statistics views, comparisons and verdicts; no IO, Beam, SQL or HTTP."""
