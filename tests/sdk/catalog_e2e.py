#!/usr/bin/env python3
"""End-to-end test of versions, aliases, tags and the rest of the state machine API with
boto3 and the AWS CLI against `stepline serve`, and of the call sequences Terraform's AWS
provider makes for `aws_sfn_state_machine`, `aws_sfn_alias` and `aws_sfn_activity`.

Usage: catalog_e2e.py PATH_TO_STEPLINE. Prints 'N passed, M failed'; exits non-zero on
failure.
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from serve_helpers import Server, free_port, run_tests, wait_status  # noqa: E402
from serve_helpers import sdk_client as client  # noqa: E402

STEPLINE = sys.argv[1]
ROLE = "arn:aws:iam::000000000000:role/sfn"


def pass_machine(tag):
    return {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ran": tag}, "End": True}}}


def raises(fn, error, **kw):
    """FN(**KW) fails with AWS error type ERROR; returns its message."""
    import botocore.exceptions

    try:
        fn(**kw)
    except botocore.exceptions.ClientError as e:
        got = e.response["Error"]["Code"]
        assert got == error, f"expected {error}, got {got}: {e}"
        return e.response["Error"]["Message"]
    raise AssertionError(f"expected {error}")


def output(sfn, arn):
    return json.loads(wait_status(sfn, arn, "SUCCEEDED")["output"])


def test_versions(ctx):
    sfn = ctx["sfn"]
    made = sfn.create_state_machine(
        name="billing", definition=json.dumps(pass_machine("v1")), roleArn=ROLE, publish=True, versionDescription="first"
    )
    arn = made["stateMachineArn"]
    v1 = made["stateMachineVersionArn"]
    assert v1 == arn + ":1", made
    up = sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(pass_machine("v2")), publish=True, versionDescription="second")
    v2 = up["stateMachineVersionArn"]
    assert v2 == arn + ":2" and up["revisionId"], up
    # An update without publishing is a new revision, not a version.
    up3 = sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(pass_machine("latest")))
    assert "stateMachineVersionArn" not in up3 and up3["revisionId"] != up["revisionId"], up3
    # A stale revisionId is a conflict; the current one publishes version 3.
    raises(sfn.publish_state_machine_version, "ConflictException", stateMachineArn=arn, revisionId=up["revisionId"])
    v3 = sfn.publish_state_machine_version(stateMachineArn=arn, revisionId=up3["revisionId"], description="third")
    assert v3["stateMachineVersionArn"] == arn + ":3", v3
    # Publishing the same revision again gives the same version.
    again = sfn.publish_state_machine_version(stateMachineArn=arn)
    assert again["stateMachineVersionArn"] == arn + ":3", again
    listed = [v["stateMachineVersionArn"] for v in sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]]
    assert listed == [arn + ":3", arn + ":2", arn + ":1"], listed
    page = sfn.list_state_machine_versions(stateMachineArn=arn, maxResults=2)
    assert len(page["stateMachineVersions"]) == 2 and page["nextToken"], page
    rest = sfn.list_state_machine_versions(stateMachineArn=arn, maxResults=2, nextToken=page["nextToken"])
    assert [v["stateMachineVersionArn"] for v in rest["stateMachineVersions"]] == [arn + ":1"], rest
    # A version describes its own definition and description.
    d1 = sfn.describe_state_machine(stateMachineArn=v1)
    assert json.loads(d1["definition"]) == pass_machine("v1") and d1["description"] == "first", d1
    assert d1["stateMachineArn"] == v1 and d1["status"] == "ACTIVE", d1
    # Starts on a version run its definition and name it; on the machine, the latest.
    e1 = sfn.start_execution(stateMachineArn=v1)["executionArn"]
    e2 = sfn.start_execution(stateMachineArn=v2)["executionArn"]
    latest = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert output(sfn, e1) == {"ran": "v1"} and output(sfn, e2) == {"ran": "v2"} and output(sfn, latest) == {"ran": "latest"}
    d = sfn.describe_execution(executionArn=e1)
    assert d["stateMachineVersionArn"] == v1 and d["stateMachineArn"] == arn and "stateMachineAliasArn" not in d, d
    described_latest = sfn.describe_execution(executionArn=latest)
    assert "stateMachineVersionArn" not in described_latest, described_latest
    assert described_latest["redriveStatus"] == "NOT_REDRIVABLE", described_latest
    assert described_latest["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven", described_latest
    # ListExecutions of a version lists only its executions.
    of_v1 = [e["executionArn"] for e in sfn.list_executions(stateMachineArn=v1)["executions"]]
    assert of_v1 == [e1], of_v1
    # DescribeStateMachineForExecution: the definition the execution ran.
    ran = sfn.describe_state_machine_for_execution(executionArn=e1)
    assert json.loads(ran["definition"]) == pass_machine("v1") and ran["stateMachineArn"] == arn, ran
    # Deleting a version: gone from the list, its number never reused, its execution intact.
    sfn.delete_state_machine_version(stateMachineVersionArn=v2)
    raises(sfn.describe_state_machine, "StateMachineDoesNotExist", stateMachineArn=v2)
    raises(sfn.start_execution, "StateMachineDoesNotExist", stateMachineArn=v2)
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(pass_machine("v4")))
    v4 = sfn.publish_state_machine_version(stateMachineArn=arn)["stateMachineVersionArn"]
    assert v4 == arn + ":4", v4
    assert output(sfn, e2) == {"ran": "v2"}
    ctx["billing"] = arn


def test_aliases(ctx):
    sfn = ctx["sfn"]
    arn = ctx["billing"]
    v1, v3 = arn + ":1", arn + ":3"
    made = sfn.create_state_machine_alias(
        name="prod", description="live", routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}]
    )
    alias = made["stateMachineAliasArn"]
    assert alias == arn + ":prod", made
    # The same request again is idempotent; a different routing under the name conflicts.
    assert sfn.create_state_machine_alias(
        name="prod", description="live", routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}]
    )["stateMachineAliasArn"] == alias
    raises(sfn.create_state_machine_alias, "ConflictException", name="prod", routingConfiguration=[{"stateMachineVersionArn": v3, "weight": 100}])
    raises(sfn.create_state_machine_alias, "ValidationException", name="bad", routingConfiguration=[
        {"stateMachineVersionArn": v1, "weight": 50}, {"stateMachineVersionArn": v3, "weight": 40}])
    raises(sfn.create_state_machine_alias, "ResourceNotFound", name="ghost", routingConfiguration=[{"stateMachineVersionArn": arn + ":99", "weight": 100}])
    raises(sfn.create_state_machine_alias, "ValidationException", name="123", routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}])
    d = sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    assert d["name"] == "prod" and d["description"] == "live" and d["routingConfiguration"] == [{"stateMachineVersionArn": v1, "weight": 100}], d
    ex = sfn.start_execution(stateMachineArn=alias)["executionArn"]
    assert output(sfn, ex) == {"ran": "v1"}
    de = sfn.describe_execution(executionArn=ex)
    assert de["stateMachineAliasArn"] == alias and de["stateMachineVersionArn"] == v1, de
    # A version an alias routes to cannot be deleted.
    raises(sfn.delete_state_machine_version, "ConflictException", stateMachineVersionArn=v1)
    # 30/70 over 1,000 starts lands within tolerance of the weights.
    sfn.update_state_machine_alias(stateMachineAliasArn=alias, routingConfiguration=[
        {"stateMachineVersionArn": v1, "weight": 30}, {"stateMachineVersionArn": v3, "weight": 70}])
    counts = {v1: 0, v3: 0}
    for _ in range(1000):
        started = sfn.start_execution(stateMachineArn=alias)["executionArn"]
        counts[sfn.describe_execution(executionArn=started)["stateMachineVersionArn"]] += 1
    # Binomial(1000, 0.3): sd ~14.5; 5 sd either side.
    assert 228 <= counts[v1] <= 372, counts
    pages = sfn.get_paginator("list_executions").paginate(stateMachineArn=alias, PaginationConfig={"PageSize": 400})
    by_alias = [e for p in pages for e in p["executions"]]
    assert len(by_alias) == 1001 and all(e["stateMachineAliasArn"] == alias for e in by_alias), len(by_alias)
    assert [a["stateMachineAliasArn"] for a in sfn.list_state_machine_aliases(stateMachineArn=arn)["stateMachineAliases"]] == [alias]
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
    raises(sfn.describe_state_machine_alias, "ResourceNotFound", stateMachineAliasArn=alias)
    raises(sfn.delete_state_machine_alias, "ResourceNotFound", stateMachineAliasArn=alias)
    sfn.delete_state_machine_version(stateMachineVersionArn=v1)
    print(f"alias 30/70 over 1000 starts: {counts[v1]} / {counts[v3]}")


def test_express_versions(ctx):
    """StartSyncExecution on an EXPRESS machine's version and alias runs that version."""
    sfn = ctx["sfn"]
    made = sfn.create_state_machine(name="quick", type="EXPRESS", definition=json.dumps(pass_machine("e1")), roleArn=ROLE, publish=True)
    arn = made["stateMachineArn"]
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(pass_machine("e2")))
    alias = sfn.create_state_machine_alias(name="stable", routingConfiguration=[
        {"stateMachineVersionArn": made["stateMachineVersionArn"], "weight": 100}])["stateMachineAliasArn"]
    for target, ran in ((arn, "e2"), (made["stateMachineVersionArn"], "e1"), (alias, "e1")):
        out = sfn.start_sync_execution(stateMachineArn=target)
        assert out["status"] == "SUCCEEDED" and json.loads(out["output"]) == {"ran": ran}, (target, out)
    d = sfn.describe_execution(executionArn=sfn.start_execution(stateMachineArn=alias)["executionArn"])
    assert d["stateMachineAliasArn"] == alias and d["stateMachineVersionArn"] == made["stateMachineVersionArn"], d


def test_tags_and_settings(ctx):
    sfn = ctx["sfn"]
    logging = {"level": "ERROR", "includeExecutionData": True, "destinations": []}
    made = sfn.create_state_machine(
        name="tagged", definition=json.dumps(pass_machine("t")), roleArn=ROLE,
        tags=[{"key": "team", "value": "payments"}], loggingConfiguration=logging, tracingConfiguration={"enabled": True},
    )
    arn = made["stateMachineArn"]
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "payments"}]
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "env", "value": "prod"}, {"key": "team", "value": "billing"}])
    tags = {t["key"]: t["value"] for t in sfn.list_tags_for_resource(resourceArn=arn)["tags"]}
    assert tags == {"team": "billing", "env": "prod"}, tags
    sfn.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "env", "value": "prod"}]
    raises(sfn.tag_resource, "TooManyTags", resourceArn=arn, tags=[{"key": f"k{i}", "value": "v"} for i in range(51)])
    raises(sfn.list_tags_for_resource, "ResourceNotFound", resourceArn=arn.replace("tagged", "nope"))
    act = sfn.create_activity(name="tagged-activity", tags=[{"key": "owner", "value": "ops"}])["activityArn"]
    assert sfn.list_tags_for_resource(resourceArn=act)["tags"] == [{"key": "owner", "value": "ops"}]
    sfn.tag_resource(resourceArn=act, tags=[{"key": "tier", "value": "1"}])
    assert len(sfn.list_tags_for_resource(resourceArn=act)["tags"]) == 2
    d = sfn.describe_state_machine(stateMachineArn=arn)
    assert d["loggingConfiguration"] == logging and d["tracingConfiguration"] == {"enabled": True}, d
    assert d["encryptionConfiguration"] == {"type": "AWS_OWNED_KEY"}, d
    # UpdateStateMachine without a definition changes the role and settings alone.
    sfn.update_state_machine(stateMachineArn=arn, roleArn=ROLE + "2", loggingConfiguration={"level": "OFF"})
    d2 = sfn.describe_state_machine(stateMachineArn=arn)
    assert d2["roleArn"] == ROLE + "2" and d2["loggingConfiguration"] == {"level": "OFF"} and d2["definition"] == d["definition"], d2
    raises(sfn.update_state_machine, "MissingRequiredParameter", stateMachineArn=arn)
    raises(sfn.update_state_machine, "ValidationException", stateMachineArn=arn, loggingConfiguration={"level": "LOUD"})
    # Paging of ListStateMachines and ListActivities.
    for i in range(5):
        sfn.create_state_machine(name=f"page-{i}", definition=json.dumps(pass_machine(i)), roleArn=ROLE)
        sfn.create_activity(name=f"page-act-{i}")
    seen, token = [], None
    while True:
        kw = {"maxResults": 2} | ({"nextToken": token} if token else {})
        page = sfn.list_state_machines(**kw)
        assert len(page["stateMachines"]) <= 2
        seen += [m["name"] for m in page["stateMachines"]]
        token = page.get("nextToken")
        if not token:
            break
    assert seen == sorted(seen) and {f"page-{i}" for i in range(5)} <= set(seen), seen
    # variableReferences per state; METADATA_ONLY leaves the definition out.
    uses = {"QueryLanguage": "JSONata", "StartAt": "Set", "States": {
        "Set": {"Type": "Pass", "Assign": {"total": 3}, "Next": "Use"},
        "Use": {"Type": "Pass", "Output": "{% $total * 2 %}", "End": True}}}
    varm = sfn.create_state_machine(name="uses-vars", definition=json.dumps(uses), roleArn=ROLE)["stateMachineArn"]
    assert sfn.describe_state_machine(stateMachineArn=varm)["variableReferences"] == {"Use": ["total"]}
    meta = sfn.describe_state_machine(stateMachineArn=varm, includedData="METADATA_ONLY")
    assert meta["definition"] == "{}" and "variableReferences" not in meta, meta
    acts = sfn.get_paginator("list_activities").paginate(PaginationConfig={"PageSize": 3})
    names = [a["name"] for p in acts for a in p["activities"]]
    assert {f"page-act-{i}" for i in range(5)} <= set(names) and len(names) == len(set(names)), names


def test_aws_cli(ctx):
    """The AWS CLI drives versions, aliases and tags as boto3 does."""
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1")
    base = ["aws", "stepfunctions", "--endpoint-url", f"http://127.0.0.1:{ctx['port']}", "--output", "json"]

    def cli(*args, ok=True):
        out = subprocess.run(base + list(args), env=env, capture_output=True, text=True, timeout=60)
        assert (out.returncode == 0) == ok, out.stderr
        return json.loads(out.stdout) if ok and out.stdout.strip() else out.stderr

    made = cli("create-state-machine", "--name", "cli-machine", "--definition", json.dumps(pass_machine("cli")),
               "--role-arn", ROLE, "--publish", "--tags", "key=via,value=cli")
    arn = made["stateMachineArn"]
    assert made["stateMachineVersionArn"] == arn + ":1", made
    alias = cli("create-state-machine-alias", "--name", "live", "--routing-configuration",
                f"stateMachineVersionArn={arn}:1,weight=100")["stateMachineAliasArn"]
    assert cli("describe-state-machine-alias", "--state-machine-alias-arn", alias)["name"] == "live"
    assert cli("list-tags-for-resource", "--resource-arn", arn)["tags"] == [{"key": "via", "value": "cli"}]
    ex = cli("start-execution", "--state-machine-arn", alias)["executionArn"]
    assert output(ctx["sfn"], ex) == {"ran": "cli"}
    assert cli("describe-state-machine-for-execution", "--execution-arn", ex)["stateMachineArn"] == arn
    err = cli("delete-state-machine-version", "--state-machine-version-arn", arn + ":1", ok=False)
    assert "ConflictException" in err, err
    # Every other operation of versions, aliases and tags through the CLI too.
    cli("update-state-machine", "--state-machine-arn", arn, "--definition", json.dumps(pass_machine("cli2")))
    revision = cli("describe-state-machine", "--state-machine-arn", arn)["revisionId"]
    v2 = cli("publish-state-machine-version", "--state-machine-arn", arn, "--revision-id", revision,
             "--description", "second")["stateMachineVersionArn"]
    assert v2 == arn + ":2", v2
    listed = [v["stateMachineVersionArn"] for v in cli("list-state-machine-versions", "--state-machine-arn", arn)["stateMachineVersions"]]
    assert listed == [arn + ":2", arn + ":1"], listed
    assert cli("describe-state-machine", "--state-machine-arn", v2)["description"] == "second"
    cli("update-state-machine-alias", "--state-machine-alias-arn", alias, "--routing-configuration",
        f"stateMachineVersionArn={v2},weight=100")
    assert cli("describe-state-machine-alias", "--state-machine-alias-arn", alias)["routingConfiguration"][0]["stateMachineVersionArn"] == v2
    assert [a["stateMachineAliasArn"] for a in cli("list-state-machine-aliases", "--state-machine-arn", arn)["stateMachineAliases"]] == [alias]
    cli("delete-state-machine-version", "--state-machine-version-arn", arn + ":1")
    cli("tag-resource", "--resource-arn", arn, "--tags", "key=env,value=test")
    cli("untag-resource", "--resource-arn", arn, "--tag-keys", "via")
    assert cli("list-tags-for-resource", "--resource-arn", arn)["tags"] == [{"key": "env", "value": "test"}]
    err = cli("tag-resource", "--resource-arn", arn + "-missing", "--tags", "key=a,value=b", ok=False)
    assert "ResourceNotFound" in err, err
    cli("delete-state-machine-alias", "--state-machine-alias-arn", alias)
    assert cli("list-state-machine-aliases", "--state-machine-arn", arn)["stateMachineAliases"] == []
    alias = cli("create-state-machine-alias", "--name", "live", "--routing-configuration",
                f"stateMachineVersionArn={v2},weight=100")["stateMachineAliasArn"]
    err = cli("describe-state-machine-alias", "--state-machine-alias-arn", arn + ":nope", ok=False)
    assert "ResourceNotFound" in err, err
    cli("delete-state-machine", "--state-machine-arn", arn)
    err = cli("describe-state-machine-alias", "--state-machine-alias-arn", alias, ok=False)
    assert "ResourceNotFound" in err, err


# Terraform's AWS provider, as its resources call the API (internal/service/sfn).

def tf_refresh_machine(sfn, arn):
    """Read: DescribeStateMachine, ListStateMachineVersions (its newest version), then
    ListTagsForResource."""
    d = sfn.describe_state_machine(stateMachineArn=arn)
    versions = sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]
    tags = sfn.list_tags_for_resource(resourceArn=arn)["tags"]
    for k in ("stateMachineArn", "creationDate", "definition", "loggingConfiguration", "name", "revisionId", "roleArn", "status", "tracingConfiguration", "type"):
        assert k in d, f"{k} missing from DescribeStateMachine: {d}"
    return d, versions[0]["stateMachineVersionArn"] if versions else None, tags


def test_terraform_state_machine(ctx):
    sfn = ctx["sfn"]
    definition = json.dumps(pass_machine("tf1"))
    # plan: ValidateStateMachineDefinition must say OK.
    assert sfn.validate_state_machine_definition(definition=definition, type="STANDARD")["result"] == "OK"
    # create: publish and tags in the create call (false booleans are left out).
    made = sfn.create_state_machine(
        name="tf-machine", definition=definition, roleArn=ROLE, type="STANDARD", publish=True,
        tags=[{"key": "managed-by", "value": "terraform"}],
        loggingConfiguration={"level": "OFF"}, tracingConfiguration={},
    )
    arn = made["stateMachineArn"]
    d, version, tags = tf_refresh_machine(sfn, arn)
    assert version == arn + ":1" and tags == [{"key": "managed-by", "value": "terraform"}] and d["status"] == "ACTIVE", (version, tags, d)
    # update in place: tags first (untag, then tag), then UpdateStateMachine with the
    # definition, role and publish (versionDescription ""), then DescribeStateMachine until
    # the change shows, then the refresh.
    sfn.untag_resource(resourceArn=arn, tagKeys=["managed-by"])
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "env", "value": "staging"}])
    new_definition = json.dumps(pass_machine("tf2"))
    sfn.update_state_machine(stateMachineArn=arn, definition=new_definition, roleArn=ROLE, publish=True, versionDescription="")
    for _ in range(120):
        if json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"]) == pass_machine("tf2"):
            break
    else:
        raise AssertionError("the update never showed")
    d2, version2, tags2 = tf_refresh_machine(sfn, arn)
    assert version2 == arn + ":2" and tags2 == [{"key": "env", "value": "staging"}] and d2["revisionId"] != d["revisionId"], (version2, tags2)
    # aws_sfn_alias: create (description always sent, "" when unset), read, update, destroy.
    alias = sfn.create_state_machine_alias(name="tf-alias", description="", routingConfiguration=[
        {"stateMachineVersionArn": version2, "weight": 100}])["stateMachineAliasArn"]
    a = sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    for k in ("stateMachineAliasArn", "name", "creationDate", "routingConfiguration"):
        assert k in a, a
    sfn.update_state_machine_alias(stateMachineAliasArn=alias, routingConfiguration=[
        {"stateMachineVersionArn": version, "weight": 50}, {"stateMachineVersionArn": version2, "weight": 50}])
    assert len(sfn.describe_state_machine_alias(stateMachineAliasArn=alias)["routingConfiguration"]) == 2
    sfn.update_state_machine_alias(stateMachineAliasArn=alias, description="now described")
    assert sfn.describe_state_machine_alias(stateMachineAliasArn=alias)["description"] == "now described"
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
    raises(sfn.describe_state_machine_alias, "ResourceNotFound", stateMachineAliasArn=alias)
    # destroy: DeleteStateMachine, then DescribeStateMachine until StateMachineDoesNotExist
    # (ACTIVE or DELETING meanwhile).
    sfn.delete_state_machine(stateMachineArn=arn)
    for _ in range(100):
        try:
            status = sfn.describe_state_machine(stateMachineArn=arn)["status"]
            assert status in ("ACTIVE", "DELETING"), status
        except sfn.exceptions.StateMachineDoesNotExist:
            break
    else:
        raise AssertionError("the state machine was never deleted")
    # Its versions went with it; a machine created again under the name starts at 1.
    again = sfn.create_state_machine(name="tf-machine", definition=definition, roleArn=ROLE, publish=True)
    assert again["stateMachineVersionArn"] == arn + ":1", again
    assert output(sfn, sfn.start_execution(stateMachineArn=arn + ":1")["executionArn"]) == {"ran": "tf1"}


def test_terraform_activity(ctx):
    sfn = ctx["sfn"]
    arn = sfn.create_activity(name="tf-activity", tags=[{"key": "a", "value": "1"}])["activityArn"]
    d = sfn.describe_activity(activityArn=arn)
    assert d["name"] == "tf-activity" and "creationDate" in d and "encryptionConfiguration" in d, d
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "a", "value": "1"}]
    sfn.untag_resource(resourceArn=arn, tagKeys=["a"])
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "b", "value": "2"}])
    sfn.describe_activity(activityArn=arn)
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "b", "value": "2"}]
    sfn.delete_activity(activityArn=arn)
    raises(sfn.describe_activity, "ActivityDoesNotExist", activityArn=arn)


def test_bad_calls(ctx):
    sfn = ctx["sfn"]
    raises(sfn.describe_state_machine_alias, "InvalidArn", stateMachineAliasArn="not-an-arn")
    raises(sfn.list_state_machine_versions, "StateMachineDoesNotExist", stateMachineArn="arn:aws:states:us-east-1:000000000000:stateMachine:none")
    raises(sfn.publish_state_machine_version, "StateMachineDoesNotExist", stateMachineArn="arn:aws:states:us-east-1:000000000000:stateMachine:none")
    raises(sfn.tag_resource, "ResourceNotFound", resourceArn="arn:aws:states:us-east-1:000000000000:activity:none", tags=[{"key": "k", "value": "v"}])
    raises(sfn.describe_state_machine_for_execution, "ExecutionDoesNotExist", executionArn="arn:aws:states:us-east-1:000000000000:execution:none:x")
    raises(sfn.start_execution, "StateMachineDoesNotExist", stateMachineArn="arn:aws:states:us-east-1:000000000000:stateMachine:billing:nope")


def test_survives_restart(ctx):
    """Versions, aliases and tags are in the store: a restarted server has them."""
    sfn = ctx["sfn"]
    arn = ctx["billing"]
    sfn.create_state_machine_alias(name="kept", routingConfiguration=[{"stateMachineVersionArn": arn + ":3", "weight": 100}])
    ctx["server"].kill()
    ctx["server"] = Server(STEPLINE, ctx["data"], ctx["port"])
    listed = [v["stateMachineVersionArn"] for v in sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]]
    assert listed == [arn + ":4", arn + ":3"], listed
    assert output(sfn, sfn.start_execution(stateMachineArn=arn + ":kept")["executionArn"]) == {"ran": "latest"}
    assert sfn.list_tags_for_resource(resourceArn=arn.replace("billing", "tagged"))["tags"] == [{"key": "env", "value": "prod"}]


def test_region_and_account(ctx):
    """--region and AWS_ACCOUNT_ID name every ARN; an SDK configured for that region works."""
    import boto3
    import socket
    import time

    port = free_port()
    env = dict(os.environ, AWS_ACCOUNT_ID="123456789012")
    proc = subprocess.Popen([STEPLINE, "serve", "--data", os.path.join(ctx["data"], "eu"), "--listen", f"127.0.0.1:{port}",
                             "--region", "eu-west-1"], env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        sfn = boto3.client("stepfunctions", endpoint_url=f"http://127.0.0.1:{port}", region_name="eu-west-1",
                           aws_access_key_id="test", aws_secret_access_key="test")
        arn = sfn.create_state_machine(name="eu", definition=json.dumps(pass_machine("eu")), roleArn=ROLE, publish=True)["stateMachineArn"]
        assert arn == "arn:aws:states:eu-west-1:123456789012:stateMachine:eu", arn
        ex = sfn.start_execution(stateMachineArn=arn + ":1")["executionArn"]
        assert ex.startswith("arn:aws:states:eu-west-1:123456789012:execution:eu:"), ex
        assert output(sfn, ex) == {"ran": "eu"}
        assert sfn.create_activity(name="a")["activityArn"] == "arn:aws:states:eu-west-1:123456789012:activity:a"
    finally:
        proc.kill()
        proc.wait()
    bad = subprocess.run([STEPLINE, "serve", "--data", os.path.join(ctx["data"], "bad"), "--region", "Mars"],
                         capture_output=True, text=True, timeout=30)
    assert bad.returncode != 0 and "'Mars' is not an AWS region" in bad.stderr, bad.stderr


def main():
    data = tempfile.mkdtemp(prefix="stepline-catalog-")
    port = free_port()
    ctx = {"data": data, "port": port}
    ctx["server"] = Server(STEPLINE, data, port)
    ctx["sfn"] = client(port)
    run_tests([test_versions, test_aliases, test_express_versions, test_tags_and_settings, test_aws_cli, test_terraform_state_machine,
               test_terraform_activity, test_bad_calls, test_survives_restart, test_region_and_account], ctx)


if __name__ == "__main__":
    main()
