"""template.yaml: cfn-lint clean, transformed by aws-sam-translator, and secure by construction."""

from __future__ import annotations

import copy
import importlib
import json
import re
import tomllib
from functools import cache
from pathlib import Path

import pytest

from backend import jobs, lambda_jobs
from backend.stores.dynamodb.table import INDEXES

ROOT = Path(__file__).parents[2]
TEMPLATE = ROOT / "template.yaml"
REGIONS = ["ap-northeast-1", "ap-northeast-3"]  # Tokyo by default; Osaka for DR
PARAMETERS = {"AlexaSkillId": "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"}
SECRET_SETTINGS = (
    "MIMAMORI_SECRET_KEY",
    "MIMAMORI_LINE_CHANNEL_SECRET",
    "MIMAMORI_LINE_CHANNEL_ACCESS_TOKEN",
    "MIMAMORI_ALEXA_CLIENT_SECRET",
)
DYNAMIC_SECRET = re.compile(r"^\{\{resolve:(secretsmanager|ssm-secure):\S+\}\}$")


@cache
def source() -> dict:
    from samtranslator.yaml_helper import yaml_parse

    return yaml_parse(TEMPLATE.read_text(encoding="utf-8"))


@cache
def _transformed() -> str:
    """Return the CloudFormation that SAM makes of the packaged template (as JSON text)."""
    import os

    from samtranslator.translator.transform import transform

    class NoManagedPolicies:
        def load(self) -> dict:
            return {}

    packaged = copy.deepcopy(source())
    for resource in packaged["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":  # what `sam package` does
            resource["Properties"]["CodeUri"] = "s3://sam-artifacts/mimamori.zip"
    saved = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = "ap-northeast-1"  # the translator wants a region
    try:
        return json.dumps(transform(packaged, dict(PARAMETERS), NoManagedPolicies()))
    finally:
        if saved is None:
            del os.environ["AWS_DEFAULT_REGION"]
        else:
            os.environ["AWS_DEFAULT_REGION"] = saved


def transformed() -> dict:
    return json.loads(_transformed())


def problems(matches) -> list[str]:
    """Return cfn-lint's errors and warnings (its informational hints are not failures)."""
    return [str(m) for m in matches if m.rule.id[0] in "EW"]


def resources(kind: str) -> dict[str, dict]:
    return {k: v for k, v in transformed()["Resources"].items() if v["Type"] == kind}


def functions() -> dict[str, dict]:
    return {
        name: resource["Properties"]
        for name, resource in source()["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def role_statements(function: str) -> list[dict]:
    role = transformed()["Resources"][f"{function}Role"]["Properties"]
    return [s for policy in role["Policies"] for s in policy["PolicyDocument"]["Statement"]]


def actions_of(function: str) -> set[str]:
    found: set[str] = set()
    for statement in role_statements(function):
        action = statement["Action"]
        found.update([action] if isinstance(action, str) else action)
    return found


class TestValidity:
    def test_the_template_passes_cfn_lint(self):
        from cfnlint.api import lint

        assert problems(lint(TEMPLATE.read_text(encoding="utf-8"), regions=REGIONS)) == []

    def test_the_transformed_template_passes_cfn_lint_too(self):
        from cfnlint.api import lint

        assert problems(lint(_transformed(), regions=REGIONS)) == []

    def test_sam_turns_it_into_the_expected_resources(self):
        kinds = {v["Type"] for v in transformed()["Resources"].values()}
        assert {
            "AWS::Lambda::Function",
            "AWS::ApiGatewayV2::Api",
            "AWS::Scheduler::Schedule",
            "AWS::DynamoDB::Table",
            "AWS::S3::Bucket",
        } <= kinds
        assert len(resources("AWS::Lambda::Function")) == 3

    @pytest.mark.parametrize("function", ["SkillFunction", "WebFunction", "JobsFunction"])
    def test_every_handler_names_a_callable_of_this_code(self, function):
        module, _, name = functions()[function]["Handler"].rpartition(".")
        assert callable(getattr(importlib.import_module(module), name))

    def test_the_default_region_is_tokyo(self):
        config = tomllib.loads((ROOT / "samconfig.toml").read_text(encoding="utf-8"))
        assert config["default"]["global"]["parameters"]["region"] == "ap-northeast-1"
        assert config["default"]["deploy"]["parameters"]["region"] == "ap-northeast-1"


class TestSkill:
    def test_only_the_configured_skill_may_invoke_it(self):
        (permission,) = [
            p["Properties"]
            for p in resources("AWS::Lambda::Permission").values()
            if p["Properties"]["FunctionName"] == {"Ref": "SkillFunction"}
        ]
        assert permission["Principal"] == "alexa-appkit.amazon.com"
        assert permission["EventSourceToken"] == {"Ref": "AlexaSkillId"}

    def test_it_answers_within_alexas_eight_seconds(self):
        assert functions()["SkillFunction"]["Timeout"] < 8

    def test_it_carries_no_secret(self):
        variables = functions()["SkillFunction"].get("Environment", {}).get("Variables", {})
        assert not set(variables) & set(SECRET_SETTINGS)


class TestHttpApi:
    def test_routes_the_webhook_the_dashboard_and_the_json_api_to_the_web_function(self):
        events = functions()["WebFunction"]["Events"]
        routes = {(e["Properties"]["Method"], e["Properties"]["Path"]) for e in events.values()}
        assert {
            ("POST", "/line/webhook"),
            ("ANY", "/api/v1/{proxy+}"),
            ("GET", "/healthz"),
            ("ANY", "/"),
            ("ANY", "/{proxy+}"),
        } == routes
        assert {e["Type"] for e in events.values()} == {"HttpApi"}


class TestSchedules:
    def schedules(self) -> dict[str, dict]:
        return {
            json.loads(s["Properties"]["Target"]["Input"])["job"]: s["Properties"]
            for s in resources("AWS::Scheduler::Schedule").values()
        }

    def test_every_job_of_the_scheduler_has_a_schedule_at_the_same_interval(self):
        schedules = self.schedules()
        assert set(schedules) == set(jobs.JOBS)
        for job_id, (_job, minutes) in jobs.JOBS.items():
            unit = "minute" if minutes == 1 else "minutes"
            assert schedules[job_id]["ScheduleExpression"] == f"rate({minutes} {unit})"
            assert schedules[job_id]["Target"]["Arn"] == {"Fn::GetAtt": ["JobsFunction", "Arn"]}

    def test_the_input_gives_the_handler_the_scheduled_time(self):
        for job_id, schedule in self.schedules().items():
            raw = schedule["Target"]["Input"]
            assert "<aws.scheduler.scheduled-time>" in raw
            event = json.loads(
                raw.replace("<aws.scheduler.scheduled-time>", "2026-11-23T02:30:00Z")
            )
            assert event["job"] == job_id
            assert lambda_jobs.event_time(event).isoformat() == "2026-11-23T02:30:00+00:00"


class TestData:
    def table(self) -> dict:
        (table,) = resources("AWS::DynamoDB::Table").values()
        return table

    def test_the_table_has_the_stores_keys_and_index(self):
        props = self.table()["Properties"]
        assert props["KeySchema"] == [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ]
        indexes = {
            index["IndexName"]: tuple(k["AttributeName"] for k in index["KeySchema"])
            for index in props["GlobalSecondaryIndexes"]
        }
        assert indexes == INDEXES  # the indexes the DynamoDB store creates and queries
        assert props["BillingMode"] == "PAY_PER_REQUEST"

    def test_the_table_is_recoverable_encrypted_and_kept(self):
        table = self.table()
        props = table["Properties"]
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert props["SSESpecification"]["SSEEnabled"] is True
        assert props["DeletionProtectionEnabled"] is True
        assert table["DeletionPolicy"] == "Retain"

    def test_every_function_is_told_the_table_and_the_s3_media_url(self):
        variables = source()["Globals"]["Function"]["Environment"]["Variables"]
        assert variables["MIMAMORI_STORE"] == "dynamodb"
        assert variables["MIMAMORI_DYNAMODB_TABLE"] == {"Ref": "Table"}
        assert variables["MIMAMORI_MEDIA_URL"] == {"Fn::Sub": "s3://${MediaBucket}/media"}

    def bucket(self) -> dict:
        (bucket,) = resources("AWS::S3::Bucket").values()
        return bucket["Properties"]

    def test_the_bucket_blocks_all_public_access(self):
        assert self.bucket()["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
        assert self.bucket()["OwnershipControls"]["Rules"] == [
            {"ObjectOwnership": "BucketOwnerEnforced"}
        ]

    def test_the_bucket_encrypts_at_rest_and_refuses_plain_http(self):
        (rule,) = self.bucket()["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
        (policy,) = resources("AWS::S3::BucketPolicy").values()
        (deny,) = policy["Properties"]["PolicyDocument"]["Statement"]
        assert deny["Effect"] == "Deny"
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}

    def test_family_media_expire_by_a_lifecycle_rule(self):
        (rule,) = self.bucket()["LifecycleConfiguration"]["Rules"]
        assert rule["Status"] == "Enabled"
        assert rule["Prefix"] == "media/"
        assert rule["ExpirationInDays"] == {"Ref": "MediaRetentionDays"}
        assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}


class TestSecrets:
    def test_no_parameter_carries_a_secret(self):
        for name, parameter in source()["Parameters"].items():
            assert "NoEcho" not in parameter, name
            words = re.findall(r"[A-Z][a-z]+", name)
            assert (
                not {"Secret", "Token", "Password", "Key"} & set(words) or name == "SecretName"
            ), name

    def test_every_secret_setting_is_a_dynamic_reference(self):
        found = 0
        for function, props in functions().items():
            for name, value in props.get("Environment", {}).get("Variables", {}).items():
                if name in SECRET_SETTINGS:
                    found += 1
                    text = value["Fn::Sub"] if isinstance(value, dict) else value
                    assert DYNAMIC_SECRET.match(text), f"{function} {name}"
        assert found == 6  # web: key, LINE secret and token; jobs: LINE secret, token, Alexa


class TestLeastPrivilege:
    @pytest.mark.parametrize("function", ["SkillFunction", "WebFunction", "JobsFunction"])
    def test_no_wildcard_action_or_resource(self, function):
        for statement in role_statements(function):
            assert statement["Effect"] == "Allow"
            actions = statement["Action"]
            for action in [actions] if isinstance(actions, str) else actions:
                assert "*" not in action, (function, action)
            resource = statement["Resource"]
            assert resource != "*", function
        role = transformed()["Resources"][f"{function}Role"]["Properties"]
        assert {a.rsplit("/", 1)[-1] for a in role["ManagedPolicyArns"]} == {
            "AWSLambdaBasicExecutionRole",
            "AWSXrayWriteOnlyAccess",
        }

    def test_each_function_gets_only_the_actions_it_needs(self):
        skill, web, jobs_ = (
            actions_of(f) for f in ("SkillFunction", "WebFunction", "JobsFunction")
        )
        assert "s3:GetObject" in skill
        assert "s3:PutObject" not in skill  # the skill only presigns reads
        assert {"s3:GetObject", "s3:PutObject"} <= web  # webhook stores family photos
        assert {"s3:GetObject", "s3:PutObject"} <= jobs_  # so does the inbox job
        assert "dynamodb:Scan" not in skill | web | jobs_  # the store only queries
        assert not {
            a for a in skill | web | jobs_ if a.startswith(("dynamodb:Delete", "s3:Delete"))
        } - {"dynamodb:DeleteItem", "s3:DeleteObject"}
        assert "s3:DeleteObject" in jobs_  # erase-withdrawn deletes a withdrawn elder's photos
        assert "s3:DeleteObject" not in skill | web
        assert not any(
            a.startswith(("dynamodb:CreateTable", "dynamodb:DeleteTable", "iam:"))
            for a in skill | web | jobs_
        )

    @pytest.mark.parametrize("function", ["SkillFunction", "WebFunction", "JobsFunction"])
    def test_policies_reach_only_this_stacks_table_and_bucket(self, function):
        for statement in role_statements(function):
            resource = statement["Resource"]
            for item in resource if isinstance(resource, list) else [resource]:
                text = json.dumps(item)
                assert "Table" in text or "MediaBucket" in text, (function, item)


def test_the_aws_guide_names_every_scheduled_job_and_readme_links_it():
    guide = (ROOT / "docs/aws.md").read_text(encoding="utf-8")
    for job_id, (_job, minutes) in jobs.JOBS.items():
        assert f"`{job_id}` {minutes} min" in guide, job_id
    assert "docs/aws.md" in (ROOT / "README.md").read_text(encoding="utf-8")
