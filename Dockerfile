# The production image: gunicorn for the web, the same image for the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH DJANGO_SETTINGS_MODULE=portal.settings.production
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir uv==0.13.9 \
    && useradd --system --create-home portal

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
# collectstatic needs settings but no real secret or database.
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.db \
    PORTAL_FIELD_KEYS=build-only PORTAL_HMAC_KEY=build-only \
    CELERY_BROKER_URL=redis://build python manage.py collectstatic --noinput -v0 \
    && mkdir -p /app/var/private && chown -R portal /app/var
USER portal
EXPOSE 8000
CMD ["gunicorn", "-c", "python:portal.gunicorn_conf", "portal.wsgi:application"]
