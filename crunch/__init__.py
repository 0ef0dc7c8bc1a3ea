"""Class Cruncher: plan next year's classes.

`create_app` is the application factory: configuration (crunch/config.py: every
default, checked), then extensions, then each module's `init_app`, then
blueprints, then command-line commands. It writes nothing to the database: what
the jobs do at start-up (recover a crashed server's jobs, delete old ones) waits
for the server's first request (crunch.jobs.init_app).
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
    config.load(app, test_config)  # refuses bad settings before anything reads them
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    from crunch import database, jobs, tenancy
    from crunch import pool as solver_pool
    from crunch.accounts import auth
    from crunch.extensions import compress, csrf, db, limiter, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    csrf.init_app(app)
    compress.init_app(app)
    limiter.init_app(app)
    with app.app_context():
        database.configure(db.engine)
    tenancy.init_app(app)
    # before auth: its guard may answer a request first, and the jobs' start-up
    # sweep belongs to the server's first request, whoever makes it
    jobs.init_app(app)
    auth.init_app(app)
    solver_pool.init_app(app)

    from crunch import models  # noqa: F401  (register the tables with the metadata)
    from crunch.rosters import models as roster_models  # noqa: F401
    from crunch.web.setup import register

    register(app)

    from crunch.commands import register_commands

    register_commands(app)
    return app
