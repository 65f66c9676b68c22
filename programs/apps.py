from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "programs"
    verbose_name = "Chương trình và rà soát"

    def ready(self) -> None:
        # The review leans on the standards: it plugs its survey steps into the standards' survey service here, so
        # that a survey recorded by any door (API, admin, Excel import, the review's own move) moves its case on.
        from programs.review.services import cases
        from programs.standards.services.hooks import review_hooks

        review_hooks.standard_of_review = cases.review_standard_code
        review_hooks.standards_of_reviews = cases.review_standard_codes
        review_hooks.open_review_of = cases.open_review_of
        review_hooks.advance_on_survey = cases.advance_on_survey
        review_hooks.advance_on_surveys = cases.advance_on_surveys

        # A requested official report is built by its Celery task, which imports the reports (not the reverse).
        from programs import tasks
        from programs.reporting.services import report_jobs

        report_jobs.queue.build_report = lambda job_id: tasks.build_report.delay(job_id)

        # Figures marked stale by a decision or a survey are refreshed after its commit when no worker runs the beat.
        from programs.reporting import stale

        stale.after_commit.refresh = tasks.refresh_if_no_worker

        # The household endpoints (built in households) show and filter by the status flags of the program.
        from households.api import extend_household_api
        from programs.standards.api import HOUSEHOLD_STATUS

        extend_household_api(HOUSEHOLD_STATUS)
