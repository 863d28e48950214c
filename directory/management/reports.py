"""What an import or a sync says at the command line: each outcome, warning and error, then a sum."""

from django.core.management.base import CommandError


def write_report(command, report, *, dry_run, verbosity, done, refused):
    """Write the report to the command's streams; raise CommandError if it has errors.

    `done` starts the summary of a written report ("Imported"), `refused` that
    of one with errors ("Nothing was imported").
    """
    if verbosity >= 2:
        for outcome in report.outcomes:
            matched = f" (matched by {outcome.matched_by})" if outcome.matched_by else ""
            command.stdout.write(
                f"{outcome.source}: {outcome.action} {outcome.model} “{outcome.name}”{matched}"
            )
    for warning in report.warnings:
        command.stderr.write(command.style.WARNING(f"Warning: {warning}"))
    for error in report.errors:
        command.stderr.write(str(error))
    archived = f"{len(report.archived)} archived, " if report.archived else ""
    summary = (
        f"{len(report.created)} created, {len(report.updated)} updated, {archived}"
        f"{len(report.errors)} errors, {len(report.warnings)} warnings"
    )
    if report.errors:
        raise CommandError(f"{refused}: {summary}.")
    if dry_run:
        command.stdout.write(command.style.WARNING(f"Dry run, nothing written: {summary}."))
    else:
        command.stdout.write(command.style.SUCCESS(f"{done}: {summary}."))
