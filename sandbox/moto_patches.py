"""Where moto's Step Functions engine parts from AWS in a way the email-processor machine meets: adapted here,
applied by the sandbox before its moto server starts (`apply()` in `Sandbox.start`).

Written for moto 5.2.6 (moto/stepfunctions/parser, derived from LocalStack's interpreter).

A predefined error leaving a Parallel branch. When a branch fails, `BranchesDecl._eval_body`
(asl/component/state/exec/state_parallel/branches_decl.py:102) names the Parallel's failure with
`CustomErrorName(error_name=<the branch's error>)`, and `CustomErrorName.__init__`
(asl/component/common/error_name/custom_error_name.py:16-21) raises ValueError for a name starting with `States.`.
`StateParallel._eval_state` catches only FailureEventException, so the ValueError ends the whole execution
`States.Runtime` (program.py:99): a `States.Timeout` in a branch of RouteToQueuesWithClaim (SendToProjectQueue's
missed heartbeat) never reaches the Parallel's Catch. AWS fails the Parallel with the branch's own error, so its
Catch (or Retry) on `States.Timeout` or `States.ALL` is taken. LocalStack had the same: localstack/localstack#10489.

The patch replaces that one name in that one module: a predefined `States.*` error name becomes moto's own
`StatesErrorName`, as the failing Task raised it; every other name stays a `CustomErrorName`. `States.Runtime` and
`States.DataLimitExceeded` are left as they were: on AWS they are terminal, no Catch takes them, and moto's
`States.ALL` would (ErrorEqualsDecl matches it to anything), so they keep ending the execution `States.Runtime`.
(`States.ALL` is a wildcard, never an error.) Map iterations (iteration_worker.py:91) have the same defect; the
machine has no Map state, so they are left alone.

The patch is applied only where moto's code still reads as above; otherwise one WARNING line says it was skipped
and why (tests/test_moto_parallel_timeout.py then shows whether moto still needs it).
"""

from __future__ import annotations

import inspect
import logging

import moto

LOG = logging.getLogger(__name__)

WRITTEN_FOR_MOTO = "5.2.6"
# Terminal on AWS (no Catch or Retry takes them) or a wildcard: not propagated as catchable errors.
NOT_PROPAGATED = frozenset({"States.ALL", "States.Runtime", "States.DataLimitExceeded"})
_CALL = "CustomErrorName(error_name=exit_error_name)"


def apply() -> bool:
    """Apply the patches (idempotent); False, with one WARNING line, where moto's code no longer fits them."""
    return _predefined_errors_leave_parallel_branches()


def _predefined_errors_leave_parallel_branches() -> bool:
    from moto.stepfunctions.parser.asl.component.common.error_name import custom_error_name, states_error_name
    from moto.stepfunctions.parser.asl.component.common.error_name.error_name import ErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
        StatesErrorNameType,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_parallel import branches_decl

    original = custom_error_name.CustomErrorName
    current = getattr(branches_decl, "CustomErrorName", None)
    if getattr(current, "moto_patch", False):
        return True
    if current is not original or _CALL not in inspect.getsource(branches_decl.BranchesDecl._eval_body):
        LOG.warning("moto %s (patch written for %s): BranchesDecl no longer names a branch's error with %s; "
                    "a States.* error leaving a Parallel branch is left to moto (not patched)",
                    moto.__version__, WRITTEN_FOR_MOTO, _CALL)
        return False
    if moto.__version__ != WRITTEN_FOR_MOTO:
        LOG.warning("moto %s: the Parallel-branch patch was written for moto %s; its code still fits, applied",
                    moto.__version__, WRITTEN_FOR_MOTO)
    predefined = {typ.to_name() for typ in StatesErrorNameType} - NOT_PROPAGATED

    def branch_error_name(error_name: str | None) -> ErrorName:
        if error_name in predefined:
            return states_error_name.StatesErrorName.from_name(error_name)
        return original(error_name=error_name)

    branch_error_name.moto_patch = True  # type: ignore[attr-defined]
    branches_decl.CustomErrorName = branch_error_name
    return True
