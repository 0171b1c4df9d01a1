"""Permissions on a shared server: a store made with `auditdesk init --shared`
keeps every file it creates (audits, temp files, objects, its lock, caches)
group-writable whatever the user's umask, and never world-writable; a private
store follows the umask.  A second Unix user in the group can save; a user
without write permission gets one clear line, not a traceback.

The multi-user parts drop privileges to `nobody` in a subprocess; they need to
run as root and are skipped otherwise (RELIABILITY.md says how to set up the
group by hand).  tests/store/test_gitrepo.py::
test_shared_group_store_files_are_group_writable_never_world checks the
basic modes of one save under umask 022.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import git, with_umask
from support.reliability import AUDIT, LEADER, Run, cli_cmd, cli_env, consistent

from auditdesk.store import git as gitrepo

NOBODY = 65534
GROUP = 4242  # a group id of its own for the store; it need not have a name


def modes(store: Path) -> dict[Path, int]:
    return {p: os.lstat(p).st_mode for p in [store, *store.rglob("*")]}


def _exercise(run: Run, store: Path) -> None:
    """Everything that creates files: init, new, score, list (the summary cache), report, recover."""
    assert run("init", "--shared", "--store", str(store))[0] == 0
    assert run("new", "--catalog", "cts-isc-jsgf-05", "--project-no", "P-1", "--org", "某公司", "--store", str(store),
               "--user", LEADER)[0] == 0
    assert run("score", "P-1", "A1=90", "B2=80", "--store", str(store), "--user", LEADER)[0] == 0
    assert run("list", "--store", str(store))[0] == 0
    assert run("show", "P-1", "--store", str(store))[0] == 0


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077], ids=["umask022", "umask002", "umask077"])
def test_shared_store_is_group_writable_never_world_writable(run: Run, tmp_path: Path, umask: int,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "shared"
    temp_modes: list[tuple[str, int]] = []
    real_replace = os.replace

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if str(src).startswith(str(store)):  # every temp file, the moment before it is renamed into place
            temp_modes.append((Path(src).name, stat.S_IMODE(os.stat(src).st_mode)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with with_umask(umask):
        _exercise(run, store)
    assert git(store, "config", "core.sharedRepository").strip() == "1"
    for path, mode in modes(store).items():
        assert not mode & 0o002, f"{path} is world-writable ({oct(mode)})"
        if stat.S_ISDIR(mode):
            assert mode & 0o070 == 0o070 and mode & stat.S_ISGID, f"{path}: {oct(mode)}"
        elif "objects" in path.relative_to(store).parts[:2]:  # git keeps objects read-only
            assert mode & 0o040, f"{path}: {oct(mode)}"
        else:
            assert mode & 0o060 == 0o060, f"{path} is not group-writable ({oct(mode)})"
    kinds = {name.split("-")[0].split("_")[0].strip(".") or name for name, _ in temp_modes}
    assert {"auditdesk", "tmp"} <= kinds, temp_modes  # working-tree temp files and object temp files were seen
    for name, mode in temp_modes:
        assert not mode & 0o002 and mode & 0o040, (name, oct(mode))
        if name.startswith(gitrepo.TEMP_FILE_PREFIX):
            assert mode & 0o060 == 0o060, (name, oct(mode))
    assert consistent(store) == 1


def test_private_store_follows_the_umask(run: Run, tmp_path: Path) -> None:
    store = tmp_path / "private"
    with with_umask(0o022):
        assert run("demo", "--store", str(store), "--user", LEADER)[0] == 0
        assert run("score", AUDIT, "B17=97", "--store", str(store))[0] == 0
    assert stat.S_IMODE((store / "audits" / f"{AUDIT}.toml").stat().st_mode) == 0o644
    assert not [p for p, m in modes(store).items() if m & 0o022 and not stat.S_ISLNK(m)]


# ------------------------------------------------------------ other users


@pytest.fixture
def world(tmp_path: Path) -> Iterator[Path]:
    """A folder `nobody` can reach (pytest's own temp folders are private to root)."""
    if os.geteuid() != 0:
        pytest.skip("dropping privileges to another user needs root")
    folder = Path(tempfile.mkdtemp(prefix="auditdesk-perm-"))
    folder.chmod(0o755)
    try:
        probe = subprocess.run(_drop(cli_cmd("catalog", "list"), ()), env=cli_env(), capture_output=True, text=True,
                               check=False, cwd=folder, **_drop_kwargs(()))
        why = probe.stderr.strip()[-200:] if probe.returncode else ""
    except OSError as exc:  # e.g. the interpreter lives where `nobody` may not go
        why = str(exc)
    if why:
        shutil.rmtree(folder)
        pytest.skip(f"`nobody` cannot run auditdesk from this checkout: {why}")
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


def _drop(argv: list[str], groups: tuple[int, ...]) -> list[str]:
    """Run as nobody through setpriv where it exists (it also reaches an interpreter
    kept under /root, as in this sandbox), else through subprocess's user=."""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return argv
    return [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}",
            f"--groups={','.join(map(str, groups))}" if groups else "--clear-groups", *argv]


def _drop_kwargs(groups: tuple[int, ...]) -> dict[str, object]:
    return {} if shutil.which("setpriv") else {"user": NOBODY, "group": NOBODY, "extra_groups": list(groups)}


def as_nobody(folder: Path, *argv: str, groups: tuple[int, ...] = (), trusted: bool = True) -> tuple[int, str, str]:
    """`auditdesk ARGV` as the user nobody, in `groups`; git trusts the store only if `trusted`."""
    config = folder / ("trusted.gitconfig" if trusted else "empty.gitconfig")
    config.write_text("[safe]\n\tdirectory = *\n" if trusted else "")
    config.chmod(0o644)
    env = cli_env(GIT_CONFIG_GLOBAL=str(config), HOME=str(folder))
    done = subprocess.run(_drop(cli_cmd(*argv), groups), env=env, capture_output=True, text=True, check=False,
                          cwd=folder, umask=0o022, **_drop_kwargs(groups))
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout, done.stderr


def _chgrp(store: Path, gid: int) -> None:
    for path in [store, *store.rglob("*")]:
        os.lchown(path, -1, gid)


@pytest.mark.parametrize("umask", [0o022, 0o077], ids=["umask022", "umask077"])
def test_second_user_in_the_group_can_save(run: Run, world: Path, umask: int) -> None:
    """Found here: under umask 077 the store's lock file was created 0600 although
    the store is shared, and the second user got a PermissionError traceback."""
    store = world / "store"
    with with_umask(umask):
        _exercise(run, store)
    _chgrp(store, GROUP)
    other = "Wu Member <wu@example.org>"
    assert as_nobody(world, "new", "--catalog", "cts-isc-jsgf-05", "--project-no", "P-2", "--org", "乙公司",
                     "--store", str(store), "--user", other, groups=(GROUP,))[0] == 0
    code, out, err = as_nobody(world, "score", "P-1", "C1=95", "--store", str(store), "--user", LEADER, groups=(GROUP,))
    assert code == 0 and err == "" and out.startswith("P-1: revision "), err
    assert run("score", "P-2", "C2=90", "--store", str(store), "--user", other)[0] == 0  # and back to the first user
    assert git(store, "log", "--format=%an", "-3").split("\n")[:3] == ["Wu Member", "韩永师", "Wu Member"]
    for path, mode in modes(store).items():  # the setgid folders give every new file the store's group
        assert not mode & 0o002 and os.lstat(path).st_gid == GROUP, path
        assert stat.S_ISDIR(mode) or "objects" in path.relative_to(store).parts[:2] or mode & 0o060 == 0o060, path
    assert consistent(store) == 2


def test_untrusted_store_says_how_to_trust_it(run: Run, world: Path) -> None:
    store = world / "store"
    assert run("demo", "--store", str(store), "--user", LEADER)[0] == 0
    code, _, err = as_nobody(world, "list", "--store", str(store), trusted=False)
    assert (code, err) == (1, (f"auditdesk: {store} belongs to another user and git refuses it until it is trusted: "
                              f"git config --global --add safe.directory {store}\n"))


def test_user_without_write_permission_gets_a_clear_message(run: Run, world: Path) -> None:
    store = world / "store"
    with with_umask(0o022):
        assert run("demo", "--store", str(store), "--user", LEADER)[0] == 0
    head = git(store, "rev-parse", "HEAD")
    code, out, _ = as_nobody(world, "show", AUDIT, "--store", str(store))  # reading needs no write access
    assert code == 0 and "138.33" in out
    assert as_nobody(world, "score", AUDIT, "B17=97", "--store", str(store), "--user", LEADER) == (
        1, "", "auditdesk: cannot write to the object store: Permission denied\n")
    assert as_nobody(world, "new", "--catalog", "cts-isc-jsgf-05", "--project-no", "P-3", "--org", "o",
                     "--store", str(store), "--user", LEADER) == (1, "", "auditdesk: cannot write to the object store: Permission denied\n")
    assert as_nobody(world, "init", "--store", str(world / "store" / "sub")) == (
        1, "", f"auditdesk: cannot create the store {world / 'store' / 'sub'}: Permission denied\n")
    (store / ".git" / "auditdesk.lock").unlink()  # even the lock cannot be created: still one clear line
    lock = store / ".git" / "auditdesk.lock"
    code, out, _ = as_nobody(world, "list", "--store", str(store))  # reading takes no lock: it works
    assert code == 0 and AUDIT in out
    (store / ".git" / "auditdesk-ops").mkdir(exist_ok=True)  # an operation was interrupted: opening must recover, locked
    (store / ".git" / "auditdesk-ops" / "1-000000000000.op").write_text("")
    assert as_nobody(world, "list", "--store", str(store)) == (
        1, "", f"auditdesk: cannot lock the store ({lock}: Permission denied); changing it needs write access to {store}\n")
    (store / ".git" / "auditdesk-ops" / "1-000000000000.op").unlink()
    assert git(store, "rev-parse", "HEAD") == head and consistent(store) == 1
