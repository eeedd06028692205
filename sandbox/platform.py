"""What WebOrdinary's infrastructure (its CDK stacks) owns, created once in the sandbox's moto server:
tables, the claim queue, the log group, the email bucket and its intake, the ECS cluster, the state machine."""

from __future__ import annotations

import contextlib
import json

import requests

from sandbox import names, statemachine
from sandbox.awsclients import Clients

INTAKE_QUEUE = "webordinary-email-intake"  # the S3 event target (on AWS: the intake lambda's trigger)
LAMBDA_QUEUE = "webordinary-sandbox-lambdas"  # where the machine's lambda states wait for the sandbox
ROLE_ARN = f"arn:aws:iam::{names.ACCOUNT_ID}:role/webordinary-email-processor"


def configure_moto(endpoint: str) -> None:
    """Run state machines for real, and keep ECS tasks RUNNING until stopped (moto advances them on every
    describe_tasks by default)."""
    requests.post(f"{endpoint}/moto-api/config", json={"stepfunctions": {"execute_state_machine": True}},
                  timeout=10).raise_for_status()
    requests.post(f"{endpoint}/moto-api/state-manager/set-transition", timeout=10, json={
        "model_name": "ecs::task", "transition": {"progression": "manual", "times": 1_000_000}}).raise_for_status()


def provision(clients: Clients, faults: frozenset[str] = frozenset()) -> str:
    """Create the platform's resources (idempotent); returns the state machine's ARN."""
    ddb = clients.dynamodb
    existing = set(ddb.list_tables()["TableNames"])
    for table, key in ((names.OWNERSHIP_TABLE, "projectKey"), (names.ACTIVE_JOBS_TABLE, "projectUserId")):
        if table not in existing:
            ddb.create_table(TableName=table, KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
                             BillingMode="PAY_PER_REQUEST")
    clients.sqs.create_queue(QueueName=names.UNCLAIMED_QUEUE)
    with contextlib.suppress(clients.logs.exceptions.ResourceAlreadyExistsException):
        clients.logs.create_log_group(logGroupName=names.LOG_GROUP)
    _email_intake(clients)
    clients.ecs.create_cluster(clusterName=names.CLUSTER)
    clients.ecs.register_task_definition(
        family=names.TASK_FAMILY,
        containerDefinitions=[{"name": names.CONTAINER_NAME, "image": "webordinary/claude-code-container",
                               "memory": 4096, "essential": True,
                               "logConfiguration": {"logDriver": "awslogs", "options": {
                                   "awslogs-group": names.LOG_GROUP, "awslogs-stream-prefix": names.LOG_STREAM_PREFIX,
                                   "awslogs-region": names.REGION}}}],
    )
    lambda_queue = clients.sqs.create_queue(QueueName=LAMBDA_QUEUE)["QueueUrl"]
    machine = clients.sfn.create_state_machine(
        name=names.STATE_MACHINE, definition=statemachine.definition(lambda_queue, faults), roleArn=ROLE_ARN,
        tags=[names.TEST_STACK_TAG],
    )
    return machine["stateMachineArn"]


def _email_intake(clients: Clients) -> None:
    s3 = clients.s3
    s3.create_bucket(Bucket=names.EMAIL_BUCKET, CreateBucketConfiguration={"LocationConstraint": names.REGION})
    queue = clients.sqs.create_queue(QueueName=INTAKE_QUEUE)["QueueUrl"]
    arn = clients.sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.put_bucket_notification_configuration(Bucket=names.EMAIL_BUCKET, NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"], "Filter": {"Key": {
            "FilterRules": [{"Name": "prefix", "Value": names.EMAIL_PREFIX}]}}}]})


def onboard(clients: Clients, project: str, user: str) -> None:
    """What the real stack keeps per client: its bucket (website hosting), input FIFO queue with a
    dead-letter queue, and interrupt queue. For `python -m sandbox up --client NAME` (the suite onboards
    its own test clients itself)."""
    s3 = clients.s3
    bucket = names.bucket(project)
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": names.REGION})
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"},
                                                               "ErrorDocument": {"Key": "404.html"}})
    fifo = {"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    queue = names.input_queue(project, user)
    dlq = clients.sqs.create_queue(QueueName=queue.removesuffix(".fifo") + "-dlq.fifo", Attributes=fifo)["QueueUrl"]
    dlq_arn = clients.sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    clients.sqs.create_queue(QueueName=queue, Attributes={
        **fifo, "VisibilityTimeout": "300",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"})})
    clients.sqs.create_queue(QueueName=names.interrupt_queue(project, user))
