"""Files read and written safely (issue 14): nothing clobbered, nothing lost, no traceback.

Writing: a regular file is replaced in one step, keeping its mode, owner and symlinks; a FIFO,
a character device or a socket is written in place (as root, `-o /dev/null` once replaced
/dev/null with a plain file); a read-only file needs --force; a file changed since `fmt` read
it is left alone. Reading: only regular files, within SCORELANG_MAX_FILE_BYTES; symlink loops
are diagnostics. A full standard output is one line on stderr and exit 2.

Every test that names a real device runs under `no_rename_outside`: if a regression made
scorelang rename a file over /dev/null, the test fails before the rename instead of
destroying the machine's /dev/null.
"""

from __future__ import annotations

import errno
import os
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from scorelang import api, cli
from scorelang.files import (InputError, read_text, write_bytes_atomic, write_text_atomic)
from scorelang.tools import ruletest

from .conftest import MODENA_RULES, MODENA_VALUES, ROOT

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
SCORE = ["score", str(MODENA_RULES), "--values", str(MODENA_VALUES)]
# The Italian plan's CSV report, as Excel on an Italian Windows expects it: a byte order mark,
# then `;` between fields (docs/reports.md).
CSV_START = "\ufeffid;"


@pytest.fixture
def no_rename_outside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test, rather than replace the file, if scorelang renames anything outside
    tmp_path."""
    real_replace, real_rename = os.replace, os.rename

    def guarded(real):  # type: ignore[no-untyped-def]
        def rename(src, dst, *args, **kwargs):  # type: ignore[no-untyped-def]
            target = Path(os.path.abspath(dst))
            if not target.is_relative_to(tmp_path):
                raise AssertionError(f"scorelang tried to rename a file over {dst}")
            return real(src, dst, *args, **kwargs)
        return rename

    monkeypatch.setattr(os, "replace", guarded(real_replace))
    monkeypatch.setattr(os, "rename", guarded(real_rename))


def _codes(exc: InputError) -> list[str]:
    return [d.code for d in exc.diagnostics]


def _read_fifo(path: Path, into: list[bytes]) -> threading.Thread:
    def read() -> None:
        with open(path, "rb") as handle:  # blocks until the writer opens it
            into.append(handle.read())
    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def _run_in_thread(function, timeout: float = 20.0):  # type: ignore[no-untyped-def]
    """function() in a daemon thread: (finished, result). A call that blocks for ever (a FIFO
    opened without a writer) leaves finished False instead of hanging the suite."""
    box: list[object] = []
    thread = threading.Thread(target=lambda: box.append(function()), daemon=True)
    thread.start()
    thread.join(timeout)
    return (not thread.is_alive()), (box[0] if box else None)


# ---- writing: FIFOs, devices, sockets are written in place -----------------------------------
def test_a_report_to_a_fifo_is_written_into_it_and_the_fifo_stays(tmp_path, capsys):
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = _read_fifo(fifo, received)
    assert cli.main(SCORE + ["--format", "csv", "-o", str(fifo)]) == 0
    reader.join(20)
    assert received and received[0].decode().startswith(CSV_START)
    assert "301" in received[0].decode()
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(os.listdir(tmp_path)) == ["report.pipe"]  # no temporary left beside it


def test_write_text_atomic_into_a_fifo(tmp_path):
    fifo = tmp_path / "plan.pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = _read_fifo(fifo, received)
    write_text_atomic(fifo, "è\n")
    reader.join(20)
    assert received == ["è\n".encode()]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


@pytest.fixture
def dev_null() -> os.stat_result:
    """/dev/null as it is before the test: it must be the device, or there is nothing to keep
    (some other program, e.g. zsh's `compinit -d /dev/null` run as root, replaced it)."""
    info = os.stat("/dev/null")
    if not stat.S_ISCHR(info.st_mode):
        pytest.skip("/dev/null is not a character device on this machine (replaced by a file)")
    return info


def test_dash_o_dev_null_leaves_dev_null_a_character_device(no_rename_outside, dev_null, capsys):
    before = dev_null
    assert cli.main(SCORE + ["--format", "csv", "-o", "/dev/null"]) == 0
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert capsys.readouterr().err == ""


def test_xlsx_and_whatif_write_to_dev_null_too(no_rename_outside, dev_null, capsys):
    pytest.importorskip("openpyxl")
    assert cli.main(SCORE + ["--format", "xlsx", "-o", "/dev/null"]) == 0
    assert cli.main(["whatif", str(MODENA_RULES), "--values", str(MODENA_VALUES),
                     "--write", "/dev/null"]) == 0
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.skipif(not IS_ROOT, reason="making a device node needs root")
def test_a_character_device_of_our_own_is_written_in_place(tmp_path):
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a second /dev/null
    except OSError as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    write_bytes_atomic(device, b"PK\x03\x04 not really a workbook")
    info = os.stat(device)
    assert stat.S_ISCHR(info.st_mode) and info.st_rdev == os.makedev(1, 3)
    assert os.listdir(tmp_path) == ["null"]


def test_dash_o_dev_stdout_writes_to_standard_output(no_rename_outside, capfd):
    # capfd points file descriptor 1 at a file of its own: /dev/stdout leads there, and the
    # report must arrive there rather than replace that file.
    assert cli.main(SCORE + ["--format", "csv", "-o", "/dev/stdout"]) == 0
    out = capfd.readouterr().out
    assert out.startswith(CSV_START) and "301" in out


def test_dash_o_dev_stdout_in_a_new_process_into_a_pipe_and_into_a_file(tmp_path):
    command = [sys.executable, "-m", "scorelang", *SCORE, "--format", "csv", "-o", "/dev/stdout"]
    done = subprocess.run(command, capture_output=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(CSV_START.encode())
    # `> report.csv`: the file the shell opened is written, not replaced by another one.
    report = tmp_path / "report.csv"
    with open(report, "wb") as out:
        inode = os.fstat(out.fileno()).st_ino
        done = subprocess.run(command, stdout=out, stderr=subprocess.PIPE, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert os.stat(report).st_ino == inode
    assert report.read_bytes().startswith(CSV_START.encode())
    assert sorted(os.listdir(tmp_path)) == ["report.csv"]


def test_a_report_to_a_unix_socket_is_sent_to_whoever_listens(tmp_path):
    path = tmp_path / "s"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)
    received: list[bytes] = []

    def accept() -> None:
        connection, _ = server.accept()
        with connection:
            chunks = []
            while chunk := connection.recv(65536):
                chunks.append(chunk)
            received.append(b"".join(chunks))

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        write_text_atomic(path, "report\n")
        thread.join(20)
    finally:
        server.close()
    assert received == [b"report\n"]
    assert stat.S_ISSOCK(os.stat(path).st_mode)


def test_a_folder_as_the_output_is_refused(tmp_path, capsys):
    folder = tmp_path / "reports"
    folder.mkdir()
    assert cli.main(SCORE + ["--format", "csv", "-o", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "error[SL003]" in err and "is a directory" in err and "Traceback" not in err
    assert folder.is_dir() and list(folder.iterdir()) == []


# ---- writing: read-only files, modes, owners, symlinks ---------------------------------------
def test_a_read_only_report_is_refused_then_replaced_with_force(tmp_path, capsys):
    target = tmp_path / "published.csv"
    target.write_text("the report sent to the OIV\n", encoding="utf-8")
    target.chmod(0o444)
    assert cli.main(SCORE + ["--format", "csv", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert "error[SL007]" in err and "--force" in err and "read-only" in err
    assert target.read_text(encoding="utf-8") == "the report sent to the OIV\n"

    assert cli.main(SCORE + ["--format", "csv", "-o", str(target), "--force"]) == 0
    assert target.read_text(encoding="utf-8").startswith(CSV_START)
    assert stat.S_IMODE(target.stat().st_mode) == 0o444
    assert sorted(os.listdir(tmp_path)) == ["published.csv"]


def test_fmt_and_whatif_and_junit_refuse_a_read_only_file_too(tmp_path, capsys):
    plan = tmp_path / "plan.score"
    plan.write_text('plan p "P" { period Y ends 2020-12-31 }\n', encoding="utf-8")
    plan.chmod(0o444)
    before = plan.read_text(encoding="utf-8")
    assert cli.main(["fmt", str(plan)]) == 2
    assert "error[SL007]" in capsys.readouterr().err
    assert plan.read_text(encoding="utf-8") == before
    assert cli.main(["fmt", str(plan), "--force"]) == 0
    assert plan.read_text(encoding="utf-8") != before
    assert stat.S_IMODE(plan.stat().st_mode) == 0o444

    out = tmp_path / "out.score"
    out.write_text("keep\n", encoding="utf-8")
    out.chmod(0o444)
    whatif = ["whatif", str(MODENA_RULES), "--values", str(MODENA_VALUES), "--write", str(out)]
    assert cli.main(whatif) == 2
    assert "error[SL007]" in capsys.readouterr().err and out.read_text() == "keep\n"
    assert cli.main(whatif + ["--force"]) == 0
    assert out.read_text(encoding="utf-8") == MODENA_RULES.read_text(encoding="utf-8")

    junit = tmp_path / "junit.xml"
    junit.write_text("keep\n", encoding="utf-8")
    junit.chmod(0o444)
    tests = str(ROOT / "rules" / "comune-valleverde-2023.test.yaml")
    assert cli.main(["test", tests, "--junit", str(junit)]) == 1  # as SL003: the tests ran
    assert "error[SL007]" in capsys.readouterr().err and junit.read_text() == "keep\n"
    assert cli.main(["test", tests, "--junit", str(junit), "--force"]) == 0
    assert junit.read_text(encoding="utf-8").startswith("<?xml")


def test_write_keeps_the_mode_and_a_new_file_follows_the_umask(tmp_path):
    kept = tmp_path / "kept.csv"
    kept.write_text("old\n", encoding="utf-8")
    kept.chmod(0o604)
    write_text_atomic(kept, "new\n")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o604 and kept.read_text() == "new\n"
    old_umask = os.umask(0o027)
    try:
        write_text_atomic(tmp_path / "new.csv", "new\n")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o640


@pytest.mark.skipif(not IS_ROOT, reason="only root may give a file to another user")
def test_root_keeps_the_owner_and_group_of_the_file_it_replaces(tmp_path):
    target = tmp_path / "theirs.score"
    target.write_text("old\n", encoding="utf-8")
    os.chown(target, 4242, 4343)
    target.chmod(0o640)
    write_text_atomic(target, "new\n")
    info = target.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (4242, 4343, 0o640)


def test_a_symlink_is_kept_and_the_file_it_names_is_written(tmp_path, capsys):
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = real_dir / "report.csv"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "latest.csv"
    link.symlink_to(Path("real") / "report.csv")  # relative, as people make them
    assert cli.main(SCORE + ["--format", "csv", "-o", str(link)]) == 0
    assert link.is_symlink() and os.readlink(link) == os.path.join("real", "report.csv")
    assert real.read_text(encoding="utf-8").startswith(CSV_START)
    assert sorted(os.listdir(real_dir)) == ["report.csv"]


def test_a_dangling_symlink_creates_the_file_it_names(tmp_path):
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "made.csv")
    write_text_atomic(link, "made\n")
    assert link.is_symlink() and (tmp_path / "made.csv").read_text() == "made\n"


# ---- writing: changed since read, and nothing half-written -------------------------------------
def test_fmt_does_not_overwrite_a_file_changed_since_it_read_it(tmp_path, capsys, monkeypatch):
    from scorelang.syntax import format as formatter

    plan = tmp_path / "plan.score"
    plan.write_text('plan p "P" { period Y ends 2020-12-31 }\n', encoding="utf-8")
    edited = 'plan p "P edited meanwhile" { period Y ends 2020-12-31 }\n'
    real_format_text = formatter.format_text

    def format_then_someone_saves(text, filename="<string>"):  # type: ignore[no-untyped-def]
        formatted = real_format_text(text, filename)
        plan.write_text(edited, encoding="utf-8")  # an editor saves, between read and write
        return formatted

    monkeypatch.setattr(formatter, "format_text", format_then_someone_saves)
    assert cli.main(["fmt", str(plan)]) == 2
    err = capsys.readouterr().err
    assert "error[SL008]" in err and "changed since it was read" in err
    assert plan.read_text(encoding="utf-8") == edited
    assert os.listdir(tmp_path) == ["plan.score"]


def test_write_with_expected_text_checks_it_just_before_the_rename(tmp_path):
    path = tmp_path / "plan.score"
    path.write_text("read\r\n", encoding="utf-8")
    write_text_atomic(path, "new\n", expected="read\n")  # the text as read_text returned it
    assert path.read_text() == "new\n"
    with pytest.raises(InputError) as caught:
        write_text_atomic(path, "newer\n", expected="read\n")
    assert _codes(caught.value) == ["SL008"] and path.read_text() == "new\n"


@pytest.mark.parametrize("data", ["text\n", b"PK\x03\x04 bytes"])
def test_a_failing_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch, data):
    path = tmp_path / "report.out"
    path.write_bytes(b"old")

    def disk_full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(InputError) as caught:
        if isinstance(data, str):
            write_text_atomic(path, data)
        else:
            write_bytes_atomic(path, data)
    assert _codes(caught.value) == ["SL003"]
    assert "No space left on device" in caught.value.diagnostics[0].message
    assert "free some space" in (caught.value.diagnostics[0].hint or "")
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["report.out"]


def test_an_xlsx_report_goes_through_the_same_write(tmp_path, capsys):
    pytest.importorskip("openpyxl")
    target = tmp_path / "modena.xlsx"
    target.write_bytes(b"keep")
    target.chmod(0o440)
    assert cli.main(SCORE + ["--format", "xlsx", "-o", str(target)]) == 2
    assert "error[SL007]" in capsys.readouterr().err and target.read_bytes() == b"keep"
    assert cli.main(SCORE + ["--format", "xlsx", "-o", str(target), "--force"]) == 0
    assert target.read_bytes()[:2] == b"PK" and stat.S_IMODE(target.stat().st_mode) == 0o440


# ---- symlink loops ---------------------------------------------------------------------------
def test_a_symlink_loop_is_a_diagnostic_when_read_or_written(tmp_path, capsys):
    loop = tmp_path / "loop.score"
    loop.symlink_to(loop.name)  # loop.score -> loop.score
    assert cli.main(["check", str(loop)]) == 2
    err = capsys.readouterr().err
    assert "error[SL009]" in err and "loop" in err and "Traceback" not in err

    assert cli.main(SCORE + ["--format", "csv", "-o", str(loop)]) == 2  # was RuntimeError
    assert "error[SL009]" in capsys.readouterr().err
    assert cli.main(["whatif", str(MODENA_RULES), "--values", str(MODENA_VALUES),
                     "--write", str(loop)]) == 2
    assert "error[SL009]" in capsys.readouterr().err
    assert os.readlink(loop) == loop.name


def test_a_folder_with_looping_links_is_checked_without_hanging(tmp_path, capsys):
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "ok.score").write_text('plan p "P" {\n  period Y ends 2020-12-31\n}\n',
                                     encoding="utf-8")
    (folder / "back").symlink_to("..")           # a folder that contains itself
    (folder / "a.score").symlink_to("b.score")   # a -> b -> a
    (folder / "b.score").symlink_to("a.score")
    finished, code = _run_in_thread(lambda: cli.main(["check", str(folder)]))
    assert finished and code == 2
    err = capsys.readouterr().err
    assert err.count("error[SL009]") == 2 and "Traceback" not in err


# ---- reading: only regular files, within the size limit -----------------------------------------
def test_values_from_dev_zero_are_refused_at_once(capsys):
    started = time.monotonic()
    finished, code = _run_in_thread(lambda: cli.main(SCORE[:2] + ["--values", "/dev/zero"]))
    assert finished and code == 2
    assert time.monotonic() - started < 10
    err = capsys.readouterr().err
    assert "error[SL005]" in err and "/dev/zero" in err and "character device" in err


def test_a_fifo_without_a_writer_is_refused_not_waited_for(tmp_path):
    fifo = tmp_path / "values.yaml"
    os.mkfifo(fifo)
    finished, outcome = _run_in_thread(lambda: _error_of(lambda: api.load_values(fifo)))
    assert finished, "reading a FIFO blocked"
    assert isinstance(outcome, InputError) and _codes(outcome) == ["SL005"]
    assert "FIFO" in outcome.diagnostics[0].message


def _error_of(call):  # type: ignore[no-untyped-def]
    try:
        call()
    except InputError as exc:
        return exc
    return None


def _suite_errors(folder: Path, rules: str) -> list:  # type: ignore[type-arg]
    """The errors of a rule test naming `rules`, run in a thread that must finish."""
    suite = folder / "plan.test.yaml"
    suite.write_text(f"rules: {rules}\ntests:\n  - name: t\n    values: {{x: 1}}\n"
                     "    expect: {'1': 50}\n", encoding="utf-8")
    finished, report = _run_in_thread(lambda: ruletest.run_paths([str(suite)]))
    assert finished
    return [d for s in report.suites for d in s.errors]


def test_a_rule_test_naming_dev_zero_as_its_rules_points_at_that_line(tmp_path):
    # outside the test's project: refused by its path before anything is opened (SL013)
    refused = [d for d in _suite_errors(tmp_path, "/dev/zero") if d.code == "SL013"]
    assert refused and refused[0].span is not None and refused[0].span.line == 1


def test_a_rule_test_naming_a_fifo_beside_it_as_its_rules_points_at_that_line(tmp_path):
    os.mkfifo(tmp_path / "plan.score")  # inside the project, a rule file's name: never opened
    found = _suite_errors(tmp_path, "plan.score")
    sl005 = [d for d in found if d.code == "SL005"]
    assert sl005 and sl005[0].span is not None and sl005[0].span.line == 1, found


def test_a_file_over_the_size_limit_is_refused_naming_limit_and_file(monkeypatch, capsys):
    monkeypatch.setenv("SCORELANG_MAX_FILE_BYTES", "1000")
    assert cli.main(SCORE) == 2
    err = capsys.readouterr().err
    assert "error[SL006]" in err and "1000 bytes" in err and str(MODENA_RULES) in err
    assert "SCORELANG_MAX_FILE_BYTES" in err
    size = MODENA_RULES.stat().st_size
    monkeypatch.setenv("SCORELANG_MAX_FILE_BYTES", str(size))
    assert read_text(MODENA_RULES, "rule file")  # exactly at the limit is allowed
    monkeypatch.setenv("SCORELANG_MAX_FILE_BYTES", str(size - 1))
    with pytest.raises(InputError) as caught:
        read_text(MODENA_RULES, "rule file")
    assert _codes(caught.value) == ["SL006"]
    monkeypatch.setenv("SCORELANG_MAX_FILE_BYTES", "0")  # 0: no limit
    assert read_text(MODENA_RULES, "rule file")


def test_the_default_limit_is_64_mib_and_a_bad_setting_is_a_diagnostic(tmp_path, monkeypatch):
    from scorelang import files

    monkeypatch.delenv("SCORELANG_MAX_FILE_BYTES", raising=False)
    assert files.max_file_bytes() == 64 * 1024 * 1024
    big = tmp_path / "big.yaml"
    with open(big, "wb") as handle:  # sparse: no disk used
        handle.truncate(64 * 1024 * 1024 + 1)
    with pytest.raises(InputError) as caught:
        read_text(big, "values file")
    assert _codes(caught.value) == ["SL006"] and "64 MiB" in caught.value.diagnostics[0].message
    monkeypatch.setenv("SCORELANG_MAX_FILE_BYTES", "lots")
    with pytest.raises(InputError) as caught:
        read_text(MODENA_RULES, "rule file")
    assert _codes(caught.value) == ["SL006"]


def test_read_text_reads_newlines_as_python_text_mode_did(tmp_path):
    path = tmp_path / "crlf.score"
    path.write_bytes("a\r\nb\rc\nè".encode())
    assert read_text(path, "rule file") == "a\nb\nc\nè"
    path.write_bytes(b"ok\n\xff")
    with pytest.raises(InputError) as caught:
        read_text(path, "rule file")
    assert _codes(caught.value) == ["SL002"] and "offset 3" in caught.value.diagnostics[0].message


def test_a_path_with_a_nul_character_is_a_diagnostic(capsys):
    assert cli.main(SCORE[:2] + ["--values", "values\x00.yaml"]) == 2
    assert "error[SL001]" in capsys.readouterr().err


# ---- standard output -------------------------------------------------------------------------
class _Failing:
    """A standard output that fails as /dev/full or a closed pipe does."""

    def __init__(self, exc: OSError):
        self.exc = exc

    def write(self, text: str) -> int:
        raise self.exc

    def flush(self) -> None:
        raise self.exc


def test_a_full_standard_output_is_one_line_and_exit_2(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdout", _Failing(OSError(errno.ENOSPC, "No space left on device")))
    assert cli.main(SCORE) == 2
    err = capsys.readouterr().err
    assert err == "scorelang score: cannot write to standard output: No space left on device\n"


def test_a_closed_pipe_still_exits_0(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdout", _Failing(BrokenPipeError(errno.EPIPE, "Broken pipe")))
    assert cli.main(SCORE) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_score_into_dev_full_in_a_new_process_no_traceback():
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "scorelang", *SCORE], stdout=full,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert done.returncode == 2
    assert done.stderr == "scorelang score: cannot write to standard output: " \
        "No space left on device\n"


def test_dash_o_dev_stdout_into_a_pipe_closed_early_exits_0_quietly():
    # `scorelang score ... -o /dev/stdout | head -1`: the reader goes away, as with plain stdout.
    process = subprocess.Popen([sys.executable, "-m", "scorelang", *SCORE, "-o", "/dev/stdout"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before scorelang writes: its write finds no reader (EPIPE)
    err = process.stderr.read()
    assert process.wait(60) == 0
    assert b"Traceback" not in err and b"SL003" not in err


def test_a_file_with_the_longest_name_allowed_can_be_replaced(tmp_path):
    path = tmp_path / ("é" * 127 + "x")  # 255 bytes: no room for a longer temporary name
    path.write_text("old\n", encoding="utf-8")
    write_text_atomic(path, "new\n")
    assert path.read_text(encoding="utf-8") == "new\n" and os.listdir(tmp_path) == [path.name]
