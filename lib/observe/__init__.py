"""Readers and waiters: executions, container logs, sites, the repository, containers. They never write."""
