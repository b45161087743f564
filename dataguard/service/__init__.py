"""Use cases: what the CLI, the library facade, the Beam jobs' worker steps and the dashboard call.

    import dataguard
    dataguard.compute_stats("taxi", "2026-11-24", ["data/day1.csv"])
    dataguard.infer_schema("taxi")
    result = dataguard.check("taxi", "2026-11-25")
    result.verdict  # Verdict.PASS | WARN | FAIL

The use cases are given their engine (``dataguard.engines``; a name is resolved there) and never
decide where work runs: handing a whole use case to a Beam job is the entry points' choice
(``dataguard.api``), and ``dataguard.beamjobs`` calls these modules, never the other way round.
"""
