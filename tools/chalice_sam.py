"""Run `chalice package` with the app's S3 event handlers recorded instead of refused.

    python tools/chalice_sam.py --project-dir <app> package --stage prod --merge-template infra.json <out>

Chalice's SAM generator refuses `@on_s3_event` outright ("CloudFormation does not support modifying the
event notifications of existing buckets", aws/chalice#860): it assumes the bucket exists outside the
stack. Ours is in the stack (infra/photos.json), so the notification can be part of it. This wrapper
lets chalice build everything else as usual (the function included) and writes each S3 subscription
into the template under S3_EVENTS; tools/package.py turns them into the bucket's notification and
the Lambda permission, and removes the key. Run as a script (not `-m tools...`) so that the
project's own directory is the only one on sys.path that holds `app` and `chalicelib`.
"""

from __future__ import annotations

import sys
from typing import Any

S3_EVENTS = "Police24S3Events"


def record_s3_subscription(generator: Any, resource: Any, template: dict[str, Any]) -> None:
    """Write one `@on_s3_event` subscription into the template for tools/package.py to wire."""
    from chalice.utils import to_cfn_resource_name

    template.setdefault(S3_EVENTS, []).append(
        {
            "Function": to_cfn_resource_name(resource.lambda_function.resource_name),
            "Bucket": resource.bucket,
            "Events": list(resource.events),
            "Prefix": resource.prefix or "",
            "Suffix": resource.suffix or "",
        }
    )


def main() -> int:
    """Patch the SAM generator, then run chalice's own command line."""
    from chalice import package
    from chalice.cli import main as chalice_main

    package.SAMTemplateGenerator._generate_s3bucketnotification = record_s3_subscription  # type: ignore[assignment]
    return int(chalice_main() or 0)


if __name__ == "__main__":
    sys.exit(main())
