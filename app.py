"""Police24 (24小时警局): the Chalice app only wires blueprints."""

from __future__ import annotations

import os

from chalice.app import Chalice

from chalicelib.adapters.logs import correlated, mask_logs
from chalicelib.api import admin, cad, figures, forum, identity, lifecycle, open311, openapi
from chalicelib.api.middleware import common_headers
from chalicelib.workers import dispatch

app = Chalice(app_name="police24")
mask_logs(app.log)
app.register_middleware(common_headers, "http")
app.register_middleware(correlated, "http")
app.register_blueprint(identity.bp)
app.register_blueprint(forum.bp)
app.register_blueprint(admin.bp)
app.register_blueprint(lifecycle.bp)
app.register_blueprint(figures.bp)
app.register_blueprint(cad.bp)
app.register_blueprint(dispatch.bp)
app.register_blueprint(openapi.bp)
app.register_blueprint(open311.bp)

if os.environ.get("STAGE", "local") in ("local", "test"):
    from chalicelib.api import dev

    app.register_blueprint(dev.bp)
