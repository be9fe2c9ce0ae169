"""Police24 (24小时警局): the Chalice app only wires blueprints."""

from __future__ import annotations

from chalice.app import Chalice

from chalicelib.adapters.logs import correlated, mask_logs
from chalicelib.api.blueprints import blueprints
from chalicelib.api.middleware import common_headers
from chalicelib.workers import dispatch, photos, publish

app = Chalice(app_name="police24")
mask_logs(app.log)
app.register_middleware(common_headers, "http")
app.register_middleware(correlated, "http")
for blueprint in blueprints():
    app.register_blueprint(blueprint)
app.register_blueprint(dispatch.bp)
app.register_blueprint(photos.bp)
app.register_blueprint(publish.bp)
