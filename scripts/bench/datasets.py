"""The benchmark's PostgreSQL databases: built once per size and seed, kept, and reused on the next run."""

import datetime
import json
import re
import time

from scripts.bench.console import progress
from scripts.bench.processes import PYTHON, django_env, load_average, run

# Raise when create_demo_data changes what it writes, to rebuild kept databases.
SCHEMA_MARK = 1


def database_name(actions):
    if actions % 1000 == 0:
        return f"followup_bench_{actions // 1000}k"
    return f"followup_bench_{actions}"


def build_mark(actions, seed):
    """The comment a complete database carries (followed by what its build measured, as JSON)."""
    return f"followup bench: actions={actions} seed={seed} schema={SCHEMA_MARK} complete"


def build(pg, base_env, *, actions, seed, rebuild):
    """Create, migrate and fill the database for this size, unless it is already there."""
    name = database_name(actions)
    mark = build_mark(actions, seed)
    kept = pg.mark(name)
    if not rebuild and kept.startswith(mark):
        progress(f"{name}: reusing (built earlier with {actions} actions, seed {seed}; --rebuild to build it again)")
        try:
            earlier = json.loads(kept[len(mark) :].strip() or "{}")
        except ValueError:
            earlier = {}
        # The data stays; the schema follows the code (a new migration must not break a reused database).
        run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
            env=django_env(base_env, DATABASE_URL=pg.url(name)),
        )
        return {**earlier, "database": name, "built": False}
    progress(f"{name}: building with {actions} actions (seed {seed})")
    run(["dropdb", "--if-exists", "--force", name], env=pg.env)
    run(["createdb", name], env=pg.env)
    env = django_env(base_env, DATABASE_URL=pg.url(name), CACHE_URL="dummycache://")
    started = time.monotonic()
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env=env)
    migrated = time.monotonic()
    result = run([PYTHON, "manage.py", "create_demo_data", "--actions", str(actions), "--seed", str(seed)], env=env)
    filled = time.monotonic()
    reported = re.search(r"Demo data added in ([\d.]+) s", result.stdout)
    pg.psql("VACUUM ANALYZE", database=name)
    info = {
        "database": name,
        "built": True,
        "migrate_seconds": round(migrated - started, 1),
        "create_demo_data_seconds": float(reported.group(1)) if reported else None,
        "create_demo_data_wall_seconds": round(filled - migrated, 1),
        "create_demo_data_output": result.stdout.strip().splitlines()[-1],
        "load_average": load_average(),
    }
    progress(f"{name}: {info['create_demo_data_output']}")
    kept = {key: info[key] for key in ("create_demo_data_seconds", "load_average")}
    kept["built_on"] = datetime.date.today().isoformat()
    pg.psql(f"COMMENT ON DATABASE {name} IS '{mark} {json.dumps(kept)}'")
    return info


def dataset_facts(pg, name):
    sql = (
        "SELECT (SELECT count(*) FROM tracker_action), "
        "(SELECT count(*) FROM tracker_action WHERE state = 'published'), "
        "(SELECT count(*) FROM tracker_statuschange), (SELECT count(*) FROM tracker_responsibility), "
        "(SELECT count(*) FROM tracker_historicalaction), pg_database_size(current_database())"
    )
    values = [int(v) for v in pg.psql(sql, database=name).split("|")]
    keys = ["actions", "published_actions", "status_changes", "responsibilities", "action_history_rows", "bytes"]
    return dict(zip(keys, values, strict=True))
