"""The WebOrdinary acceptance suite's client library: AWS, S3, Git and log inspection, waiters, matchers.

Nothing here imports behave: the steps call this library, and so can any script or test.
"""
