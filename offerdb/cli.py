"""The command line: `python build.py check|build`, German messages, exit codes for CI."""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

from . import pipeline
from .problems import FORMATTERS, count, plural

ROOT = Path(__file__).resolve().parent.parent

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"„{text}“ ist kein Datum im Format JJJJ-MM-TT") from None


def resolve_today(option: datetime.date | None, environ: dict[str, str]) -> datetime.date:
    """--today wins, then SOURCE_DATE_EPOCH (reproducible builds), then the real date."""
    if option is not None:
        return option
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC).date()
    return datetime.date.today()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py",
                                     description="Präventionsangebote: Inhalte prüfen und die Website bauen.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="BEFEHL")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--content", type=Path, default=ROOT / "content", help="Inhaltsordner (Standard: content/)")
    common.add_argument("--config", type=Path, default=ROOT / "site.yaml", help="Einstellungen (Standard: site.yaml)")
    common.add_argument("--today", type=_date, help="Stichtag JJJJ-MM-TT für die Prüfung der Siegel "
                        "(Standard: SOURCE_DATE_EPOCH, sonst heute)")
    common.add_argument("--strict", action="store_true", help="auch Warnungen als Fehler werten")
    common.add_argument("--format", choices=sorted(FORMATTERS), default="text",
                        help="Ausgabeformat der Meldungen: text, github (Anmerkungen im Pull Request) oder json")
    sub.add_parser("check", parents=[common], help="alle Inhalte prüfen, nichts schreiben")
    build = sub.add_parser("build", parents=[common], help="prüfen und die Website nach site/ bauen")
    build.add_argument("--out", type=Path, default=ROOT / "site", help="Zielordner (Standard: site/)")
    return parser


def main(argv: list[str] | None = None, environ: dict[str, str] | None = None) -> int:
    args = _parser().parse_args(argv)
    environ = dict(os.environ) if environ is None else environ
    try:
        today = resolve_today(args.today, environ)
    except ValueError:
        print("SOURCE_DATE_EPOCH muss eine ganze Zahl (Sekunden seit 1970) sein.", file=sys.stderr)
        return EXIT_USAGE
    started = time.perf_counter()
    checked = pipeline.check(args.content, args.config, today)
    report = FORMATTERS[args.format](checked.problems)
    if checked.fails(args.strict):
        sys.stdout.write(report)
        if args.command == "build":
            print("Die Website wurde nicht gebaut; der bisherige Stand bleibt unverändert.", file=sys.stderr)
        return EXIT_PROBLEMS
    if args.format != "text" or checked.problems:
        sys.stdout.write(report)
    if args.command == "build":
        built = pipeline.build(checked, args.out, today)
        errors, warnings = count(checked.problems)
        if args.format == "text":
            seconds = f"{time.perf_counter() - started:.1f}".replace(".", ",")
            print(f"{plural(len(built.site.offers), 'Angebot', 'Angebote')} · "
                  f"{plural(len(built.site.partners), 'Träger', 'Träger')} · "
                  f"{plural(errors, 'Fehler', 'Fehler')} · {plural(warnings, 'Warnung', 'Warnungen')} · "
                  f"{seconds} s → {built.out_dir}")
    elif args.format == "text" and not checked.problems:
        print("Alles in Ordnung: keine Fehler, keine Warnungen.")
    return EXIT_OK
