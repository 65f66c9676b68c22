"""Every task of ours goes to one of the named queues (config/celery.py), by what it does: a new task must be given
its queue, or it would wait on `default` behind the housekeeping without anyone having decided so."""

from config.celery import QUEUES, app


def test_every_task_is_routed_to_a_named_queue():
    app.loader.import_default_modules()  # every app's tasks module, as a worker imports them
    ours = sorted(name for name in app.tasks if not name.startswith("celery."))
    assert ours, "no task registered"
    routes = app.conf.task_routes
    assert sorted(routes) == ours, "a task without a route, or a route without a task"
    assert {route["queue"] for route in routes.values()} <= set(QUEUES)
    assert app.conf.task_default_queue == "default"


def test_the_reminders_do_not_wait_behind_a_report():
    router = app.amqp.router
    queue = {name: router.route({}, name)["queue"].name for name in app.conf.task_routes}
    assert queue["programs.tasks.send_review_reminders"] == "reminders"
    assert queue["programs.tasks.build_report"] == "reports"
    assert queue["programs.tasks.open_review_cases"] == "imports"
    assert queue["households.tasks.prune_access_log"] == "default"
