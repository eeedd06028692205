"""Faults of what the suite reads through, told apart from WebOrdinary's faults.

Throttling and 5xx answers are retried where they happen (botocore's retries, urllib3's for GitHub), so a blip
never reaches a check. What is left after the retries, an AWS or GitHub endpoint that stopped answering or keeps
failing, is the infrastructure's fault: the run stops and says which endpoint, and no scenario is judged on it."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError
from github import GithubException
from requests.exceptions import RequestException

THROTTLING = {"Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded", "SlowDown",
              "TooManyRequestsException", "ProvisionedThroughputExceededException", "RequestThrottled"}


class InfrastructureError(RuntimeError):
    """An endpoint the suite reads through failed beyond its retries: not a verdict on WebOrdinary."""


def fault_in(error: BaseException | None) -> str | None:
    """One sentence naming the endpoint and what it did, when `error` (or what caused it) is an infrastructure
    fault; None when it is anything else, a failed check included."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen and not isinstance(error, AssertionError):
        seen.add(id(error))
        found = _describe(error)
        if found:
            return found
        error = error.__cause__ or error.__context__
    return None


def _describe(error: BaseException) -> str | None:
    if isinstance(error, InfrastructureError):
        return str(error)
    if isinstance(error, BotoConnectionError | HTTPClientError):
        endpoint = getattr(error, "kwargs", {}).get("endpoint_url", "?")
        return f"the AWS endpoint {endpoint} stopped answering ({type(error).__name__}) after botocore's retries"
    if isinstance(error, ClientError):
        meta = error.response.get("ResponseMetadata", {})
        code = error.response.get("Error", {}).get("Code", "")
        status = int(meta.get("HTTPStatusCode") or 0)
        if status >= 500 or code in THROTTLING:
            return (f"AWS kept answering {status} {code} to {error.operation_name} after "
                    f"{meta.get('RetryAttempts', '?')} retries")
        return None
    if isinstance(error, RequestException):
        url = getattr(getattr(error, "request", None), "url", None) or str(error)
        return f"the GitHub endpoint stopped answering or kept failing: {type(error).__name__} for {url}"
    if isinstance(error, GithubException) and (error.status or 0) >= 500:
        return f"GitHub kept answering {error.status} after retries"
    if isinstance(error, BotoCoreError) and "endpoint" in str(error).lower():
        return f"AWS: {error}"
    return None
