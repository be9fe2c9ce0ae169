"""The photos bucket on moto: created if missing, with the CORS and lifecycle rules the cloud's bucket has.

The rules are written once, in the template: the `PhotosBucket` resource of infra/photos.json. moto does not
apply a template's CorsConfiguration or LifecycleConfiguration (and provision.py creates only stateful.json
on it), so they are translated here to the S3 API and put on the bucket, where they read back as S3 answers.
A template origin the local stack cannot resolve (the distribution's, the custom domain) becomes loopback.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

INFRA = Path(__file__).resolve().parent.parent / "infra"
RESOURCE = "PhotosBucket"
# A template value the local stack cannot resolve (e.g. {"Fn::Sub": "https://${DomainName}"}) allows these origins.
LOCAL_ORIGINS = ("http://127.0.0.1:*", "http://localhost:*")
log = logging.getLogger(__name__)


def template_rules(infra: Path = INFRA) -> dict[str, Any]:
    """Return the PhotosBucket properties of the infra fragment that defines it (infra/photos.json); else none."""
    for path in sorted(infra.glob("*.json")):
        resources = json.loads(path.read_text(encoding="utf-8")).get("Resources", {})
        resource = resources.get(RESOURCE) if isinstance(resources, dict) else None
        if isinstance(resource, dict) and resource.get("Type") == "AWS::S3::Bucket":
            properties: dict[str, Any] = resource.get("Properties", {})
            return properties
    log.warning("no infra fragment defines %s: the local photos bucket gets no CORS or lifecycle rules", RESOURCE)
    return {}


def cors_rules(properties: dict[str, Any]) -> list[dict[str, Any]]:
    """Translate CloudFormation's CorsRules to the S3 API's CORSRules."""
    rules = []
    for rule in properties.get("CorsConfiguration", {}).get("CorsRules", []):
        origins = [o for o in rule.get("AllowedOrigins", []) if isinstance(o, str)]
        if len(origins) < len(rule.get("AllowedOrigins", [])):
            origins += [o for o in LOCAL_ORIGINS if o not in origins]
        made: dict[str, Any] = {"AllowedMethods": list(rule["AllowedMethods"]), "AllowedOrigins": origins}
        for ours, theirs in (("Id", "ID"), ("AllowedHeaders", "AllowedHeaders"), ("ExposedHeaders", "ExposeHeaders")):
            if ours in rule:
                made[theirs] = rule[ours]
        if "MaxAge" in rule:
            made["MaxAgeSeconds"] = int(rule["MaxAge"])
        rules.append(made)
    return rules


def _filter(rule: dict[str, Any]) -> dict[str, Any]:
    tags = [{"Key": t["Key"], "Value": t["Value"]} for t in rule.get("TagFilters", [])]
    prefix = rule.get("Prefix")
    if tags and (prefix or len(tags) > 1):
        return {"And": {"Prefix": prefix or "", "Tags": tags}}
    if tags:
        return {"Tag": tags[0]}
    return {"Prefix": prefix or ""}


def lifecycle_rules(properties: dict[str, Any]) -> list[dict[str, Any]]:
    """Translate CloudFormation's lifecycle Rules (Prefix, TagFilters, ExpirationInDays) to the S3 API's."""
    rules = []
    for rule in properties.get("LifecycleConfiguration", {}).get("Rules", []):
        made: dict[str, Any] = {"Status": rule.get("Status", "Enabled"), "Filter": _filter(rule)}
        if "Id" in rule:
            made["ID"] = rule["Id"]
        if "ExpirationInDays" in rule:
            made["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
        if "AbortIncompleteMultipartUpload" in rule:
            days = int(rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"])
            made["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": days}
        rules.append(made)
    return rules


def ensure_photos_bucket(name: str, properties: dict[str, Any] | None = None) -> str:
    """Create the bucket unless it exists, then (re)apply its rules and keep the public out; return its name."""
    s3 = boto3.client("s3")
    try:
        s3.create_bucket(Bucket=name)
        log.info("created the photos bucket %s", name)
    except ClientError as error:
        if error.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
    rules = template_rules() if properties is None else properties
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    cors = cors_rules(rules)
    if cors:
        s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": cors})
    lifecycle = lifecycle_rules(rules)
    if lifecycle:
        s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": lifecycle})
    return name
