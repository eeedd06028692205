"""Known faults of the real system: a failed check counts as one only when every problem it names shows all the
evidence of a fault the scenario accepts on this target; anything else stays red."""

from __future__ import annotations

import pytest

from lib.expect import known_faults

# Read off a run of the real container (163a3ef) on the embedded AWS, scenario @switching-mid-build.
INTERRUPTED = ("wren's thread thread-1796122249679-iscway ('Update page title to \"Spring\"') ended with a failed "
               "build (buildSuccess: false, after an interrupt: task 51476d5a logged 'Processing interrupt: New "
               "message in thread thread-1796122250456-3k7fcv' at 10:50:50.521, then task 51476d5a logged 'Build "
               "failed with code null:' at 10:50:53.031), neither deployed nor preempted")
STRANDED = ("the last edit, wren's thread thread-1796122250456-3k7fcv ('Update page title to \"Summer\"'), ended in "
            "failure (FAILED: ProcessingTimeout: no callback in time, no container ever received it (no log line of "
            "its own for thread thread-1796122250456-3k7fcv, webordinary-input-wat-d8ddf3-s1-wren-acceptance.fifo held "
            "1 waiting and 1 in flight), its path: ParseEmail > CheckOwnership > CheckActiveJob > DetermineRouting > "
            "RouteToProjectQueue (TaskTimedOut: States.Timeout) > HandleTimeout, after an interrupt: task 51476d5a "
            "logged 'Processing interrupt: New message in thread thread-1796122250456-3k7fcv' at 10:50:50.521, then "
            "task 51476d5a logged 'Releasing ownership of wat-d8ddf3-s1-wren#acceptance' at 10:50:50.524)")
SWITCHING = ["switching-mid-build", "real-fault:interrupted-build-succeeds", "real-fault:stranded-after-interrupt"]
REAL = known_faults.accepted(SWITCHING, real_system=True)


def names(message: str, faults: list[known_faults.KnownFault]) -> list[str]:
    return [f.name for f in known_faults.explaining(message, faults)]


def test_each_problem_must_show_all_the_evidence_of_a_tagged_fault() -> None:
    assert names(f"{INTERRUPTED}; {STRANDED}", REAL) == ["interrupted-build-succeeds", "stranded-after-interrupt"]


def test_a_time_out_with_any_other_story_is_red() -> None:
    # Received by a container that never called back: no "no container ever received it".
    silent = ("the last edit, wren's thread t-2 ('x'), ended in failure (FAILED: ProcessingTimeout: no callback in "
              "time)")
    assert names(silent, REAL) == []
    # Never received, but no interrupt came before it: not stranded after an interrupt.
    lost = STRANDED.split(", after an interrupt")[0] + ", no interrupt reached a container of this client before it)"
    assert names(lost, REAL) == []
    # A build that failed by itself (code 1), or after an interrupt but not with the null exit code.
    assert names(INTERRUPTED.replace("code null", "code 1"), REAL) == []
    assert names(INTERRUPTED.replace("after an interrupt: ", ""), REAL) == []


def test_any_other_problem_beside_it_keeps_the_check_red() -> None:
    assert names(f"{STRANDED}; the site of wren is titled 'Spring', not 'Summer'", REAL) == []


def test_a_fault_is_accepted_only_where_its_scenario_names_it_and_on_a_target_that_has_it() -> None:
    assert names(STRANDED, known_faults.accepted(["real-fault:claims-while-owning"], real_system=True)) == []
    # Judging the sandbox's stand-ins, the real container's faults are not excused: the stand-ins must not have them.
    assert known_faults.accepted(SWITCHING, real_system=False) == []
    # The stand-ins share the mixed builds of `aws s3 sync`, unless the setting refuses them.
    mixed = ["atomicity", "real-fault:mixed-builds"]
    assert [f.name for f in known_faults.accepted(mixed, real_system=False)] == ["mixed-builds"]
    assert known_faults.accepted(mixed, real_system=False, refused=["mixed-builds"]) == []


def test_an_owner_that_claimed_another_project_later_is_the_claims_while_owning_fault() -> None:
    stuck = ("dora's thread thread-1 ('Create site for client 1') cannot end: dora's owner container-1-abc claimed "
             "wat-1-s7-emil#acceptance after it: a container polls the queue of the project it claimed last, so "
             "this one's is no longer served")
    assert names(stuck, known_faults.accepted(["real-fault:claims-while-owning"], real_system=True)) == [
        "claims-while-owning"]


def test_the_one_rule_records_the_check_and_a_summary_names_every_fault() -> None:
    seen = known_faults.judge("Then every session ended", f"{INTERRUPTED}; {STRANDED}", REAL)
    assert seen is not None and seen.faults == ("interrupted-build-succeeds", "stranded-after-interrupt")
    later = known_faults.judge("And the site", STRANDED, REAL)
    assert later is not None
    summary = known_faults.summary([seen, later])
    assert summary.startswith("known fault interrupted-build-succeeds, stranded-after-interrupt: wren's thread")
    assert summary.endswith("(and 1 more check(s) failing as known)")
    assert known_faults.judge("Then x", "the site of wren is titled 'Spring'", REAL) is None


def test_an_unknown_fault_name_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(known_faults.UnknownFaultError, match="known: claims-while-owning, drops-while-busy, inter"):
        known_faults.tagged(["real-fault:flaky-moon"])


def test_a_strict_known_fault_scenario_must_name_its_fault() -> None:
    assert "name it with @real-fault:<name>" in known_faults.tag_problems(["known-fault"])[0]
    assert known_faults.tag_problems(["known-fault", "real-fault:shared-commit-tag"]) == []


def test_work_done_after_a_preemption_and_never_pushed_is_that_fault_only_with_its_evidence() -> None:
    # Read off the real container (163a3ef), @switching: the interrupt reached it during its first clone.
    lost = ("thread thread-1796123688448-2xkb57's branch thread-1796123688448-2xkb57 is not on GitHub, though the "
            "container committed its work (its last session ended preempted by a newer email (Interrupted by a newer "
            "message, it went on after it was preempted: task 80f8255a logged 'Step 2/5: Committing changes...' at "
            "11:15:00.513, 11.3 s after its execution ended), no branch names its thread, the repository's "
            "branches: main)")
    faults = known_faults.accepted(["switching", "real-fault:works-on-after-preemption"], real_system=True)
    assert names(lost, faults) == ["works-on-after-preemption"]
    # Preempted and not pushed, but nothing done after the preemption: the interrupt's handling lost the work.
    unsaved = lost.split(", it went on after")[0] + "), no branch names its thread)"
    assert names(unsaved, faults) == []
    # The oracle words the same fault by the session's log: the interrupt came before it switched to the thread.
    unlogged = ("carla's thread thread-1796663973907-hz4yh1 ('Update page title to \"Version 1\"') ended preempted by "
                "a newer email (Interrupted by a newer message, it went on after it was preempted: task 02e66d09 "
                "logged 'Step 2/5: Committing changes...' at 17:19:42.666, 8.1 s after its execution ended), but its "
                "log lacks 'Processing interrupt' (the contract's lines for that ending, in order)")
    assert names(unlogged, faults) == ["works-on-after-preemption"]
    assert names(unlogged.replace(", it went on after it was preempted: task 02e66d09 logged 'Step 2/5: Committing "
                                  "changes...' at 17:19:42.666, 8.1 s after its execution ended", ""), faults) == []


# Read off a run of the real container (163a3ef) on the embedded AWS, scenario @container-stopped.
CARRIED = ("edit.wat-afcc02-s1-tess.webordinary.com still contains 'Half a header' Expected: not a page showing 'Half "
           "a header' (asked for by tess's thread thread-1796701507014-lktm79 ('Add header with text \"Half a header\" "
           "and stop partway'), before it switched, a stash of what the workspace held: task 7b7b87fd logged "
           "'Uncommitted changes detected, stashing...' at 03:45:46.726, then task 7b7b87fd logged 'Applying stashed "
           "changes...' at 03:45:46.750)")
STOPPED = known_faults.accepted(["real-fault:work-carried-across-threads"], real_system=True)


def test_a_half_made_edit_on_another_threads_site_is_the_known_fault_only_with_its_stash() -> None:
    assert names(CARRIED, STOPPED) == ["work-carried-across-threads"]
    # The same leak without the stash that carries it (or without the stash applied) is another fault: red.
    plain = CARRIED.split(", before it switched")[0] + ", the deployed build's session stashed nothing)"
    assert names(plain, STOPPED) == []
    assert names(CARRIED.split(", then task")[0] + ")", STOPPED) == []


def test_a_message_taken_and_deleted_by_a_busy_container_is_dropped_while_busy() -> None:
    dropped = ("ada's thread thread-1 ('x') cannot end: its message was taken and not handled: it is no longer in "
               "webordinary-input-wat-1-s3-ada-acceptance.fifo (0 waiting, 0 in flight), no active job is recorded and "
               "no container logged its thread, taken by its queue's owner container-1-zblrbzg")
    faults = known_faults.accepted(["real-fault:drops-while-busy"], real_system=True)
    assert names(dropped, faults) == []  # taken and gone, with no line that says why: red
    busy = f"{dropped}, {known_faults.DROPPED_BUSY_EVIDENCE}task 1 logged 'Already processing a message' at 03:00:00"
    assert names(busy, faults) == ["drops-while-busy"]


def test_a_sync_failed_with_code_null_is_the_interrupted_sync_only_after_an_interrupt() -> None:
    """Seen by make explore on the real container (seed 2): SIGINT kills `aws s3 sync` by signal."""
    failed = ("the oracle: the model expects ada's thread thread-1 ('Update timestamp to 483!') to end deployed or "
              "preempted by a newer email (...), but it ended with a failed sync (deploySuccess: false, {}task e1d9 "
              "logged 'S3 sync failed with code null: Traceback (most recent call last):' at 04:16:09.967)")
    faults = known_faults.accepted(["real-fault:interrupted-sync-fails"], real_system=True)
    assert names(failed.format(""), faults) == []
    interrupted = f"{known_faults.INTERRUPT_EVIDENCE}task e1d9 logged 'Processing interrupt: New message' at 04:16:09, "
    assert names(failed.format(interrupted), faults) == ["interrupted-sync-fails"]
    assert names(failed.format(interrupted).replace("code null", "code 1"), faults) == []
