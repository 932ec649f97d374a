"""Schemathesis against the live server's /openapi.json: generated requests for every
operation must never produce a server error. Bounded: a fixed number of examples each."""

from __future__ import annotations

# Both come with the test extra: missing, they are an error, not a skip.
import hypothesis
import schemathesis

EXAMPLES = 25


def test_no_server_errors(live_server: str) -> None:
    from schemathesis.checks import not_a_server_error

    schema = schemathesis.openapi.from_url(f"{live_server}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 7
    failures: list[str] = []
    calls = 0
    for op in operations:

        @hypothesis.settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
            derandomize=True,
        )
        @hypothesis.given(case=op.as_strategy())
        def run(case) -> None:  # type: ignore[no-untyped-def]
            nonlocal calls
            calls += 1
            response = case.call(base_url=live_server)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}")
            case.validate_response(response, checks=[not_a_server_error])

        run()
    print(f"schemathesis: {len(operations)} operations, {calls} generated requests")
    assert calls >= len(operations) * 5
    assert failures == []
