from __future__ import annotations

import pytest

from lib import naming
from lib.settings import Settings


def test_clients_are_namespaced_by_run_and_scenario() -> None:
    settings = Settings.make(run_id="3f9a1c")
    assert naming.client_id(settings, "amelia") == "wat-3f9a1c-amelia"
    assert naming.client_id(settings, "amelia", "s2") == "wat-3f9a1c-s2-amelia"
    assert naming.bucket_for(settings, "wat-3f9a1c-amelia") == "edit.wat-3f9a1c-amelia.webordinary.com"
    queue = naming.input_queue_for(settings, "wat-3f9a1c-amelia")
    assert queue == "webordinary-input-wat-3f9a1c-amelia-acceptance.fifo"
    assert naming.interrupt_queue_for(settings, "p") == "webordinary-interrupts-p-acceptance"
    assert naming.email_key(settings, "wat-3f9a1c-amelia").startswith("emails/wat-3f9a1c-amelia-")


def test_a_name_that_would_overflow_the_bucket_name_is_refused() -> None:
    with pytest.raises(naming.NamingError, match="S3 allows 63"):
        naming.check_client_name("a" * 31, Settings.make(run_id="3f9a1c", name_prefix="webordinary-acceptance"))


def test_bad_client_names_are_refused_with_the_rule() -> None:
    with pytest.raises(naming.NamingError, match="'Amelia B' is not usable: use 1-31 lowercase"):
        naming.check_client_name("Amelia B", Settings())
