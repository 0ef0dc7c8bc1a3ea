"""Class Cruncher: plan next year's classes.

`create_app` is the application factory: configuration, then extensions, then
blueprints, then command-line commands.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from crunch import config


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    config.load(app, test_config)
    from crunch.jobs import DEFAULTS as JOB_DEFAULTS

    # before anything reads them: a bad number stops the start, not a request
    config.check_numbers(app.config, config.numeric_defaults(JOB_DEFAULTS))
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    from crunch import compression, database
    from crunch import pool as solver_pool
    from crunch.accounts import auth
    from crunch.extensions import csrf, db, limiter, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    auth.init_app(app)
    compression.init_app(app)
    solver_pool.init_app(app)
    with app.app_context():
        database.configure(db.engine)

    from crunch import models  # noqa: F401  (register the tables with the metadata)
    from crunch.rosters import models as roster_models  # noqa: F401
    from crunch.web.setup import register

    register(app)

    from crunch.commands import register_commands

    register_commands(app)
    return app
