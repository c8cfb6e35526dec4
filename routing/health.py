from nuzantara.health import CheckResult

from .engine import TRAIN_HINT, router_get, router_problem


def check_router() -> CheckResult:
    """ "ok (<model version>)" when a checkpoint loads, else "missing" (the pipeline then abstains on every query)."""
    router = router_get()  # loads it once per process: /health also warms the router up
    if router is not None:
        return CheckResult(f"ok ({router.version})")
    return CheckResult("missing", healthy=False, reason=f"{router_problem()}: {TRAIN_HINT}")
