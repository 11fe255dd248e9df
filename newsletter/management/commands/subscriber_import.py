"""Import subscribers from a CSV file; see newsletter/importing.py for the columns."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from newsletter import importing


class Command(BaseCommand):
    help = (
        "Import subscribers from a CSV file (columns: email, newsletters, topics, locale). "
        "Either state the lawful basis, or every imported person is sent a confirmation email."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_file", type=Path)
        parser.add_argument("--newsletter", action="append", default=[], dest="newsletters",
                            help="Default newsletter slug for rows without one (repeatable).")  # fmt: skip
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument(
            "--lawful-basis", help="How consent was obtained; recorded on each person."
        )
        mode.add_argument("--send-confirmation", action="store_true",
                          help="Send each person a confirmation email (double opt-in).")  # fmt: skip

    def handle(
        self, *args, csv_file: Path, newsletters, lawful_basis, send_confirmation, **options
    ):
        if lawful_basis is not None and not lawful_basis.strip():
            raise CommandError("--lawful-basis must not be empty.")
        try:
            text = csv_file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {csv_file}: {exc}") from None
        rows, bad_rows = importing.parse(text, newsletters)
        for bad in bad_rows:
            self.stderr.write(f"line {bad.line}: {bad.value} – {bad.reason}")
        counts: dict[str, int] = {}
        for number, row in enumerate(rows, start=1):
            outcome = importing.import_row(row, lawful_basis or "")
            counts[outcome] = counts.get(outcome, 0) + 1
            if number % importing.CHUNK_SIZE == 0:
                self.stdout.write(f"{number}/{len(rows)} rows imported")
        summary = ", ".join(f"{outcome}: {total}" for outcome, total in sorted(counts.items()))
        self.stdout.write(
            f"Imported {len(rows)} rows ({summary or 'none'}); {len(bad_rows)} rejected."
        )
        if bad_rows:
            raise CommandError(f"{len(bad_rows)} rows were rejected; see the messages above.")
