"""What a WSGI server imports: `gunicorn wsgi:app`."""

from crunch import create_app

app = create_app()
