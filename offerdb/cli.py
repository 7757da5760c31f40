"""The command line: `python build.py check|build|review|serve|new|fieldguide|cms`, German messages, CI exit codes."""

from __future__ import annotations

import argparse
import datetime
import os
import signal
import sys
import time
from pathlib import Path

from . import cms, fieldguide, models, output, pipeline, review, scaffold, search
from .config import load_settings
from .memory import Memory
from .problems import FORMATTERS, count, plural

ROOT = Path(__file__).resolve().parent.parent

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"„{text}“ ist kein Datum im Format JJJJ-MM-TT") from None


def _day_count(text: str) -> int:
    if not text.isdigit() or int(text) > 3650:
        raise argparse.ArgumentTypeError(f"„{text}“ ist keine Zahl von Tagen (0 bis 3650)")
    return int(text)


def resolve_today(option: datetime.date | None, environ: dict[str, str]) -> datetime.date:
    """--today wins, then SOURCE_DATE_EPOCH (reproducible builds), then the real date."""
    if option is not None:
        return option
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC).date()
    return datetime.date.today()


# Progress: the pipeline reports each stage when it ends; a line is printed only for stages that took at
# least this long. A sample build (0.3 s) stays a single summary line, while a long build (thousands of
# offers) shows in the terminal and in CI logs where its time goes. Lines go to stderr, so stdout stays
# exactly the report (important for --format json and github).
PROGRESS_MIN_SECONDS = 1.0
STAGE_NAMES = {"load": "Inhalte gelesen", "validate": "Inhalte geprüft", "models": "Daten aufbereitet",
               "plan": "Seiten geplant", "search": "Suchindex gebaut", "render": "Seiten erzeugt",
               "write": "Dateien geschrieben"}


def _seconds(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def progress_line(stage: str, seconds: float) -> str:
    return f"  {STAGE_NAMES.get(stage, stage)} … {_seconds(seconds)} s"


def _progress(enabled: bool):
    def on_stage(stage: str, seconds: float) -> None:
        if enabled and seconds >= PROGRESS_MIN_SECONDS:
            print(progress_line(stage, seconds), file=sys.stderr, flush=True)
    return on_stage


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py",
                                     description="Präventionsangebote: Inhalte prüfen und die Website bauen.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="BEFEHL")
    content = argparse.ArgumentParser(add_help=False)
    content.add_argument("--content", type=Path, default=ROOT / "content", help="Inhaltsordner (Standard: content/)")
    common = argparse.ArgumentParser(add_help=False, parents=[content])
    common.add_argument("--config", type=Path, default=ROOT / "site.yaml", help="Einstellungen (Standard: site.yaml)")
    common.add_argument("--today", type=_date, help="Stichtag JJJJ-MM-TT für die Prüfung der Siegel "
                        "(Standard: SOURCE_DATE_EPOCH, sonst heute)")
    checking = argparse.ArgumentParser(add_help=False, parents=[common])
    checking.add_argument("--strict", action="store_true", help="auch Warnungen als Fehler werten")
    checking.add_argument("--format", choices=sorted(FORMATTERS), default="text",
                          help="Ausgabeformat der Meldungen: text, github (Anmerkungen im Pull Request) oder json")
    checking.add_argument("-q", "--quiet", action="store_true",
                          help="nur Probleme ausgeben: keine Fortschrittszeilen, keine Zusammenfassung")
    sub.add_parser("check", parents=[checking], help="alle Inhalte prüfen, nichts schreiben")
    build = sub.add_parser("build", parents=[checking], help="prüfen und die Website nach site/ bauen")
    build.add_argument("--out", type=Path, default=ROOT / "site", help="Zielordner (Standard: site/)")
    report = sub.add_parser("review", parents=[common],
                            help="fällige Prüfungen je Träger auflisten, mit vorbereiteten Erinnerungen "
                                 "(Bericht für die Koordinierungsstelle; Exit-Code immer 0)")
    report.add_argument("--days", type=_day_count, default=review.DEFAULT_DAYS,
                        help=f"Siegel melden, die in so vielen Tagen ablaufen (Standard: {review.DEFAULT_DAYS})")
    report.add_argument("--format", choices=sorted(review.FORMATS), default="text",
                        help="text, markdown (mit Erinnerungs-E-Mails, für das GitHub-Issue) oder json")
    serve = sub.add_parser("serve", parents=[common],
                           help="Vorschau im Browser, die sich bei jeder gespeicherten Änderung neu lädt")
    serve.add_argument("--port", type=int, default=8000, help="Port auf 127.0.0.1 (Standard: 8000)")
    new = sub.add_parser("new", parents=[content],
                         help="eine neue Angebots- oder Trägerdatei mit allen Feldern anlegen")
    new.add_argument("kind", choices=sorted(scaffold.KINDS), metavar="ART",
                     help="offer (Angebot) oder partner (Träger); auch: angebot, traeger")
    new.add_argument("slug", metavar="NAME", help="Dateiname ohne .md, z. B. klasse-gegen-mobbing")
    guide = sub.add_parser("fieldguide", parents=[content],
                           help="die Feldanleitung für die Redaktion (Markdown) aus Schema und Vokabularen erzeugen")
    guide.add_argument("--out", type=Path, help="in diese Datei schreiben (Standard: Ausgabe im Terminal)")
    editor = sub.add_parser("cms", parents=[content],
                            help="die Konfiguration der Bearbeitungsseite /admin/ aus Schema, Vokabularen und "
                                 "site.yaml erzeugen")
    editor.add_argument("--config", type=Path, default=ROOT / "site.yaml", help="Einstellungen (Standard: site.yaml)")
    editor.add_argument("--out", type=Path, help="in diese Datei schreiben (Standard: Ausgabe im Terminal)")
    return parser


def main(argv: list[str] | None = None, environ: dict[str, str] | None = None) -> int:
    args = _parser().parse_args(argv)
    environ = dict(os.environ) if environ is None else environ
    if args.command == "new":
        return _new(args)
    if args.command == "fieldguide":
        return _fieldguide(args)
    if args.command == "cms":
        return _cms(args)
    try:
        today = resolve_today(args.today, environ)
    except ValueError:
        print("SOURCE_DATE_EPOCH muss eine ganze Zahl (Sekunden seit 1970) sein.", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "serve":
        return _serve(args, environ)
    if args.command == "review":
        return _review(args, today)
    if args.command == "build":  # a folder the build may not write is refused before the content is read
        try:
            output.claim(args.out, pipeline.sources(args.content, args.config), pipeline.PROJECT)
        except output.OutputError as exc:
            print(exc, file=sys.stderr)
            return exc.exit_code
    started = time.perf_counter()
    talk = args.format == "text" and not args.quiet  # progress and summary lines are for people
    on_stage = _progress(talk)
    memory = Memory()  # one command, one cold build: a new process remembers nothing
    checked = pipeline.check(args.content, args.config, today, memory, on_stage=on_stage,
                             for_build=args.command == "build")
    report = FORMATTERS[args.format](checked.problems)
    if checked.fails(args.strict):
        checked.discard()
        sys.stdout.write(report)
        if args.command == "build":
            print("Die Website wurde nicht gebaut; der bisherige Stand bleibt unverändert.", file=sys.stderr)
        return EXIT_PROBLEMS
    if args.format != "text" or checked.problems:
        sys.stdout.write(report)
    if args.command == "build":
        try:
            built = pipeline.build(checked, args.out, today, memory, on_stage=on_stage, on_wait=_waiting)
        except search.SearchError as exc:
            print(f"{exc}\nDie Website wurde nicht gebaut; der bisherige Stand bleibt unverändert.", file=sys.stderr)
            return EXIT_PROBLEMS
        except output.OutputError as exc:
            print(exc, file=sys.stderr)
            return exc.exit_code
        except models.MediaError as exc:  # a video or caption changed between check and build
            sys.stdout.write(FORMATTERS[args.format]([exc.problem]))
            print("Die Website wurde nicht gebaut; der bisherige Stand bleibt unverändert.", file=sys.stderr)
            return EXIT_PROBLEMS
        errors, warnings = count(checked.problems)
        if talk:
            print(f"{plural(len(built.site.offers), 'Angebot', 'Angebote')} · "
                  f"{plural(len(built.site.partners), 'Träger', 'Träger')} · "
                  f"{plural(errors, 'Fehler', 'Fehler')} · {plural(warnings, 'Warnung', 'Warnungen')} · "
                  f"{_seconds(time.perf_counter() - started)} s → {built.out_dir}")
    elif talk and not checked.problems:
        print("Alles in Ordnung: keine Fehler, keine Warnungen.")
    return EXIT_OK


def _waiting(out: Path) -> None:
    print(f"Ein anderer Build schreibt gerade nach „{out}“; dieser wartet, bis er fertig ist …",
          file=sys.stderr, flush=True)


def _new(args: argparse.Namespace) -> int:
    try:
        path = scaffold.create(args.content, args.kind, args.slug)
    except scaffold.ScaffoldError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    print(f"Angelegt: {path}")
    print("Füllen Sie jedes leere Feld aus (freiwillige Felder: ausfüllen oder die Zeile löschen) und schreiben "
          "Sie unter die zweite Zeile „---“ die Beschreibung. `python build.py check` zeigt, was noch fehlt; "
          "bis dahin wird die Datei nicht veröffentlicht.")
    return EXIT_OK


def _fieldguide(args: argparse.Namespace) -> int:
    vocabularies = fieldguide.load_vocabularies(args.content)
    if vocabularies is None:
        print(f"{args.content / 'vocabularies.yaml'} ist nicht lesbar; bitte zuerst `python build.py check`.",
              file=sys.stderr)
        return EXIT_PROBLEMS
    return _emit(fieldguide.document(vocabularies), args.out, "Die Feldanleitung")


def _emit(text: str, out: Path | None, what: str) -> int:
    """A generated document into the file `out`, or to standard output; `what` names it in German."""
    if out:
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"{what} konnte nicht nach „{out}“ geschrieben werden: {output.reason(exc)}.", file=sys.stderr)
            return EXIT_PROBLEMS
        print(f"Geschrieben: {out}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(text.encode("utf-8"))  # UTF-8 also where the console is not (Windows)
        sys.stdout.flush()
    return EXIT_OK


def _cms(args: argparse.Namespace) -> int:
    vocabularies = fieldguide.load_vocabularies(args.content)
    settings, _ = load_settings(args.config, args.config.name)
    if vocabularies is None or settings is None:
        print("content/vocabularies.yaml oder site.yaml ist nicht lesbar; bitte zuerst `python build.py check`.",
              file=sys.stderr)
        return EXIT_PROBLEMS
    return _emit(cms.document(vocabularies, settings), args.out, "Die Konfiguration")


def _review(args: argparse.Namespace, today: datetime.date) -> int:
    """A report, not a check: what is due never fails the command; only unreadable settings do."""
    checked = pipeline.check(args.content, args.config, today)
    if checked.settings is None:
        sys.stderr.write(FORMATTERS["text"]([p for p in checked.problems if p.is_error]))
        return EXIT_PROBLEMS
    text = review.FORMATS[args.format](review.make(checked.validated, checked.settings, today, args.days))
    sys.stdout.buffer.write(text.encode("utf-8"))  # UTF-8 also where the console is not (Windows)
    sys.stdout.flush()
    return EXIT_OK


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _serve(args: argparse.Namespace, environ: dict[str, str]) -> int:
    from .serve import PreviewServer  # needs watchfiles, which check and build do not

    def today() -> datetime.date:  # evaluated per build: a preview left open overnight checks seals anew
        return resolve_today(args.today, environ)

    try:
        server = PreviewServer(args.content, args.config, today, port=args.port)
    except OSError as exc:
        print(f"Die Vorschau kann ihren Ordner nicht anlegen: {output.reason(exc)}. Prüfen Sie den temporären "
              "Ordner (Umgebungsvariable TMPDIR).", file=sys.stderr)
        return EXIT_PROBLEMS
    try:
        server.start()
    except OSError as exc:
        server.close()
        print(f"Die Vorschau kann Port {args.port} nicht öffnen ({exc.strerror}). "
              f"Versuchen Sie einen anderen, z. B. `python build.py serve --port {args.port + 1}`.", file=sys.stderr)
        return EXIT_USAGE
    # `kill` (SIGTERM) ends the preview like Ctrl+C, so its temporary folder is removed either way.
    signal.signal(signal.SIGTERM, _interrupt)
    print(f"Vorschau: {server.url}  (beenden mit Strg+C)")
    print("Beobachtet content/, templates/ und site.yaml; nach jedem Speichern lädt die Seite im Browser neu.")
    try:
        server.wait()
    finally:
        server.close()
    return EXIT_OK
