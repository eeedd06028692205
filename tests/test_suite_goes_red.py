"""The acceptance scenarios must be able to fail: run them against a sandbox with a fault on."""

from __future__ import annotations

from tests.conftest import run_behave


def test_isolation_passes_on_the_faithful_sandbox() -> None:
    result = run_behave("--tags=@isolation")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_isolation_goes_red_when_a_client_gets_another_clients_content() -> None:
    result = run_behave("--tags=@isolation", fault="shared-bucket")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert "when its execution ended" in output and "was not yet its build: the bucket is empty" in output, (
        output[-3000:])
