"""The one rule for what the suite may delete: a name with the suite's prefix AND the suite's run tag
(of this run, of a given run, or of any run). Like aws-nuke, nothing else is ever touched."""

from __future__ import annotations

from lib.settings import Settings

THIS_RUN = "this run"
ANY_RUN = None


def is_ours(name: str, name_prefix: str, tag: str | None, settings: Settings, run: str | None = THIS_RUN) -> bool:
    """`name` starts with `name_prefix` (the suite's, or the run's when a run is asked for) and the resource is
    tagged with the suite's tag, whose value is that run. `run`: THIS_RUN, a run id, or ANY_RUN."""
    wanted = settings.run.run_id if run == THIS_RUN else run
    if not name.startswith(name_prefix + (f"{wanted}-" if wanted else "")):
        return False
    return tag is not None and (wanted is None or tag == wanted)


class NotOursError(PermissionError):
    """Refusal to change or delete something the suite did not create."""
