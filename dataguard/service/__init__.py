"""Use cases: the library API that the CLI, the jobs and the dashboard call.

    import dataguard
    dataguard.compute_stats("taxi", "2026-11-24", ["data/day1.csv"])
    dataguard.infer_schema("taxi")
    result = dataguard.check("taxi", "2026-11-25")
    result.verdict  # Verdict.PASS | WARN | FAIL
"""
