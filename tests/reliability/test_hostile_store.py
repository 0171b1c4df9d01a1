"""A store someone else controls cannot make auditdesk run a program.

Each test arms a trap the way a colleague with write access to a shared
store or hub (or whoever handed the store over) could: hooks of every kind,
``core.fsmonitor``, filter/diff/merge drivers named from
``.git/info/attributes``, a committed ``.gitattributes`` or an included
config file, ``uploadpack``/``receivepack``/``core.gitProxy``/remote helpers
and ``insteadOf`` rewrites for sync, the hub's own hooks, gpg and ssh
programs.  Plain git is shown to fire the trap first (so it is real); then
*every* auditdesk command runs on the store and no marker file may appear,
no raw control byte may reach stdout or stderr, and the commands still work.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.hostile import Lab, plain
from support.reliability import AUDIT, Run, consistent

#: Each builds real repositories and runs many commands: over 3 s (see the slow marker).
pytestmark = pytest.mark.slow


@pytest.fixture
def lab(tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> Iterator[Lab]:
    """A demo store with a bare hub and a clone; the user's global git config is a
    file of the lab's (empty), trap programs are on PATH."""
    (tmp_path / "global.gitconfig").write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "global.gitconfig"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GNUPGHOME", str(tmp_path / "gnupg"))
    (tmp_path / "gnupg").mkdir(mode=0o700)
    for name in ("GIT_SSH", "GIT_SSH_COMMAND", "GIT_SSH_VARIANT", "PAGER", "SSH_ASKPASS"):
        monkeypatch.delenv(name, raising=False)
    lab = Lab(tmp_path, run)
    monkeypatch.setenv("PATH", f"{lab.bin}{os.pathsep}{os.environ['PATH']}")
    lab.build()
    yield lab


def _no_trace(lab: Lab, codes: dict[str, int], *, may_fail: tuple[str, ...] = ()) -> None:
    assert lab.markers() == [], lab.markers()
    assert lab.raw_control_output() == []
    failed = {name: code for name, code in codes.items() if code != 0 and name not in may_fail}
    assert failed == {}, (failed, lab.outputs[-6:])


def _armed(lab: Lab, *expected: str) -> None:
    """Plain git fired the trap: it is real.  Then the markers are cleared."""
    fired = lab.markers()
    for name in expected:
        assert any(m.startswith(name) for m in fired), (name, fired)
    lab.clear()


def _filter_config(lab: Lab) -> None:
    """filter, diff and merge drivers named ``evil`` and ``a=b.c`` (a name a -c could not reach)."""
    for name in ("evil", "a=b.c"):
        lab.config(f"filter.{name}.clean", lab.script(f"clean-{name}"))
        lab.config(f"filter.{name}.smudge", lab.script(f"smudge-{name}"))
        lab.config(f"filter.{name}.process", lab.script(f"process-{name}"))
        lab.config(f"filter.{name}.required", "true")
        lab.config(f"diff.{name}.textconv", lab.script(f"textconv-{name}"))
        lab.config(f"diff.{name}.command", lab.script(f"diffcmd-{name}"))
        lab.config(f"merge.{name}.driver", lab.sh(f"merge-{name}"))
    lab.config("diff.external", lab.script("diff-external"))


def _stat_dirty(lab: Lab) -> None:
    """Touch the audit so git must read it (and run a clean filter) to compare."""
    target = lab.store / "audits" / f"{AUDIT}.toml"
    later = target.stat().st_mtime + 5
    os.utime(target, (later, later))


def test_clean_store_every_command_works(lab: Lab) -> None:
    """The baseline: every command succeeds on an untouched store."""
    _no_trace(lab, lab.every_command())
    assert consistent(lab.store) == 2


def test_hooks_of_every_kind_in_store_and_hub(lab: Lab) -> None:
    lab.hooks(lab.store, "store")
    lab.hooks(lab.hub, "hub")
    plain(lab.store, "update-ref", "refs/x", "HEAD")
    plain(lab.clone, "commit", "-q", "--allow-empty", "-m", "x")
    plain(lab.clone, "push", "-q", "origin", "HEAD:refs/heads/side")
    _armed(lab, "store-reference-transaction", "hub-pre-receive", "hub-post-receive")
    _no_trace(lab, lab.every_command())


def test_hooks_path_to_a_folder_of_hooks(lab: Lab) -> None:
    folder = lab.root / "hookdir"
    folder.mkdir()
    for hook in ("reference-transaction", "post-index-change", "pre-push", "post-checkout"):
        (folder / hook).write_text(f"#!/bin/sh\ntouch {lab.markers_dir}/{hook}\n")
        (folder / hook).chmod(0o755)
    lab.config("core.hooksPath", str(folder))
    plain(lab.store, "update-index", "--refresh")
    plain(lab.store, "update-ref", "refs/x", "HEAD")
    _armed(lab, "reference-transaction")
    _no_trace(lab, lab.every_command())


def test_fsmonitor(lab: Lab) -> None:
    lab.config("core.fsmonitor", lab.script("fsmonitor"))
    plain(lab.store, "status")
    _armed(lab, "fsmonitor")
    _no_trace(lab, lab.every_command())


def test_drivers_named_from_info_attributes(lab: Lab) -> None:
    _filter_config(lab)
    attributes = lab.store / ".git" / "info" / "attributes"
    attributes.parent.mkdir(exist_ok=True)
    attributes.write_text("* filter=evil diff=evil merge=evil\naudits/*.toml filter=a=b.c\n")
    _stat_dirty(lab)
    plain(lab.store, "status", check=False)
    plain(lab.store, "diff", "HEAD~1", check=False)
    _armed(lab, "process-evil")
    _stat_dirty(lab)
    _no_trace(lab, lab.every_command())


def test_drivers_named_from_a_committed_gitattributes(lab: Lab) -> None:
    """A handed-over store whose history holds a .gitattributes naming drivers in its config."""
    (lab.store / ".gitattributes").write_text("* filter=evil diff=evil merge=evil text eol=crlf\n")
    plain(lab.store, "add", ".gitattributes")
    plain(lab.store, "commit", "-q", "--no-verify", "-m", "attributes")
    _filter_config(lab)
    _stat_dirty(lab)
    plain(lab.store, "status", check=False)
    _armed(lab, "process-evil")
    _stat_dirty(lab)
    _no_trace(lab, lab.every_command())


def test_config_included_from_a_file_in_the_store(lab: Lab) -> None:
    included = lab.root / "evil.config"
    included.write_text(f"[core]\n\tfsmonitor = {lab.script('included-fsmonitor')}\n"
                        f"[filter \"evil\"]\n\tclean = {lab.script('included-clean')}\n\trequired = true\n")
    lab.config("include.path", str(included))
    (lab.store / ".git" / "info" / "attributes").write_text("* filter=evil\n")
    _stat_dirty(lab)
    plain(lab.store, "status", check=False)
    _armed(lab, "included-fsmonitor", "included-clean")
    _stat_dirty(lab)
    _no_trace(lab, lab.every_command())


def test_core_worktree_pointing_elsewhere_is_ignored(lab: Lab) -> None:
    elsewhere = lab.root / "elsewhere"
    elsewhere.mkdir()
    lab.config("core.worktree", str(elsewhere))
    _no_trace(lab, lab.every_command())
    assert list(elsewhere.iterdir()) == []


# ------------------------------------------------------------------ sync


def test_uploadpack_and_receivepack_of_the_remote(lab: Lab) -> None:
    lab.config("remote.origin.uploadpack", lab.sh("uploadpack") + "; git-upload-pack")
    lab.config("remote.origin.receivepack", lab.sh("receivepack") + "; git-receive-pack")
    plain(lab.store, "fetch", "-q", "origin")
    plain(lab.store, "push", "-q", "origin", "HEAD:refs/heads/side")
    _armed(lab, "uploadpack", "receivepack")
    _no_trace(lab, lab.every_command())
    assert plain(lab.hub, "rev-parse", "main").stdout == plain(lab.store, "rev-parse", "HEAD").stdout


def test_hub_config_and_hooks_do_not_run_on_sync(lab: Lab) -> None:
    lab.hooks(lab.hub, "hub")
    lab.config("core.fsmonitor", lab.script("hub-fsmonitor"), repo=lab.hub)
    lab.config("core.alternateRefsCommand", lab.script("hub-alternate-refs"), repo=lab.hub)
    lab.config("receive.denyCurrentBranch", "updateInstead", repo=lab.hub)
    plain(lab.clone, "commit", "-q", "--allow-empty", "-m", "x")
    plain(lab.clone, "push", "-q", "origin", "HEAD:refs/heads/side")
    _armed(lab, "hub-pre-receive")
    codes = lab.every_command()
    # the clone pushes a change too; the store merges it on a second sync
    plain(lab.clone, "pull", "-q", "--no-rebase", "origin", "main")
    assert lab.run("sync", "--store", str(lab.clone))[0] == 0
    lab.clear()  # the clone's plain git ran its own pull; what counts is auditdesk's syncs:
    code, _out, err = lab.auditdesk("sync")
    assert code == 0, err
    _no_trace(lab, codes)


@pytest.mark.parametrize("how", ["ext-url", "fd-url", "helper-url", "vcs", "insteadOf", "pushurl", "git-proxy", "ssh-command"])
def test_remote_helpers_proxies_and_ssh_commands_are_refused(lab: Lab, how: str) -> None:
    """Remotes the store's config points at a program: refused (or ignored), never run."""
    helper = lab.bin / "git-remote-foo"
    helper.write_text(f"#!/bin/sh\ntouch {lab.markers_dir}/helper-foo\nexit 1\n")
    helper.chmod(0o755)
    for proto in ("ext", "fd", "foo"):
        lab.config(f"protocol.{proto}.allow", "always")
    lab.config("protocol.allow", "always")
    remote = {"ext-url": "extr", "fd-url": "fdr", "helper-url": "foor", "vcs": "vcsr", "insteadOf": "ins",
              "pushurl": "pu", "git-proxy": "gp", "ssh-command": "sshr"}[how]
    if how == "ext-url":
        lab.config("remote.extr.url", f"ext::sh -c touch% {lab.markers_dir}/ext")
    elif how == "fd-url":
        lab.config("remote.fdr.url", "fd::7")
    elif how == "helper-url":
        lab.config("remote.foor.url", "foo::anything")
    elif how == "vcs":
        lab.config("remote.vcsr.url", str(lab.hub))
        lab.config("remote.vcsr.vcs", "foo")
    elif how == "insteadOf":
        lab.config("url.foo::rewritten.insteadOf", str(lab.root / "elsewhere.git"))
        lab.config("remote.ins.url", str(lab.root / "elsewhere.git"))
    elif how == "pushurl":
        lab.config("remote.pu.url", str(lab.hub))
        lab.config("remote.pu.pushurl", f"ext::sh -c touch% {lab.markers_dir}/ext-push")
    elif how == "git-proxy":
        lab.config("core.gitProxy", lab.script("gitproxy"))
        lab.config("remote.gp.url", "git://127.0.0.1:1/x")
    else:
        lab.config("core.sshCommand", lab.sh("sshcommand") + "; false #")
        lab.config("remote.sshr.url", "ssh://127.0.0.1:1/x")
    if how != "fd-url":  # plain git would wait on fd 7 for ever
        plain(lab.store, "fetch", remote, check=False)
        plain(lab.store, "push", remote, "HEAD:refs/heads/x", check=False)
        assert lab.markers() != [], "the trap did not fire with plain git"
    lab.clear()
    assert lab.auditdesk("score", AUDIT, "B17=96")[0] == 0  # something to push
    head = plain(lab.store, "rev-parse", "HEAD").stdout
    code, _out, err = lab.auditdesk("sync", remote)
    assert code == 1 and err.startswith(("auditdesk: cannot fetch from", "auditdesk: cannot push to")), err
    assert lab.markers() == [] and plain(lab.store, "rev-parse", "HEAD").stdout == head
    _no_trace(lab, lab.every_command())


# ------------------------------------------------------------------ ssh: the user's own


def _ssh_lab(lab: Lab) -> None:
    """The store's core.sshCommand is a trap; its remote is reached over ssh."""
    lab.config("core.sshCommand", lab.sh("store-sshcommand") + "; false #")
    lab.config("remote.sshr.url", "ssh://example.invalid/hub.git")


def _user_ssh(lab: Lab, name: str) -> str:
    """A fake ssh of the user's: leaves its marker and fails (there is no server)."""
    return lab.script(name, "echo 'no server here' >&2; exit 255")


def test_users_ssh_command_is_used_not_the_stores(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    _ssh_lab(lab)
    monkeypatch.setenv("GIT_SSH_COMMAND", _user_ssh(lab, "users-ssh-command"))
    code, _out, err = lab.auditdesk("sync", "sshr")
    assert code == 1 and err == "auditdesk: cannot fetch from sshr: Could not read from remote repository.\n"
    assert lab.markers() == ["users-ssh-command"]


def test_users_git_ssh_is_used_not_the_stores(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    _ssh_lab(lab)
    monkeypatch.setenv("GIT_SSH", _user_ssh(lab, "users-git-ssh"))
    assert lab.auditdesk("sync", "sshr")[0] == 1
    assert lab.markers() == ["users-git-ssh"]


def test_users_global_ssh_command_is_used_not_the_stores(lab: Lab) -> None:
    _ssh_lab(lab)
    with open(os.environ["GIT_CONFIG_GLOBAL"], "a") as f:
        f.write(f"[core]\n\tsshCommand = {_user_ssh(lab, 'users-global-ssh')}\n")
    assert lab.auditdesk("sync", "sshr")[0] == 1
    assert lab.markers() == ["users-global-ssh"]


# ------------------------------------------------------------------ signing and the user's own config


def test_gpg_and_ssh_signing_programs_of_the_store(lab: Lab) -> None:
    for key, name in (("gpg.program", "gpg-program"), ("gpg.openpgp.program", "gpg-openpgp"),
                      ("gpg.x509.program", "gpg-x509"), ("gpg.ssh.program", "gpg-ssh"),
                      ("gpg.ssh.defaultKeyCommand", "ssh-default-key")):
        lab.config(key, lab.script(name))
    lab.config("log.showSignature", "true")
    lab.config("tag.forceSignAnnotated", "true")
    lab.config("push.gpgSign", "if-asked")
    # a commit carrying a PGP signature, so that showing it would run the verifier
    head = plain(lab.store, "rev-parse", "HEAD").stdout.decode().strip()
    body = plain(lab.store, "cat-file", "commit", head).stdout.decode()
    header, _, message = body.partition("\n\n")
    signed = f"{header}\ngpgsig -----BEGIN PGP SIGNATURE-----\n AAAA\n -----END PGP SIGNATURE-----\n\n{message}"
    oid = plain(lab.store, "hash-object", "-t", "commit", "-w", "--stdin", input=signed.encode()).stdout.decode().strip()
    plain(lab.store, "update-ref", "refs/heads/main", oid)
    plain(lab.store, "log", "-1")
    _armed(lab, "gpg-openpgp")
    _no_trace(lab, lab.every_command())


def test_a_users_own_log_settings_do_not_break_log(lab: Lab) -> None:
    """log.showSignature=true and i18n.logOutputEncoding=gbk in the user's global config."""
    with open(os.environ["GIT_CONFIG_GLOBAL"], "a") as f:
        f.write(f"[log]\n\tshowSignature = true\n\tdecorate = full\n[i18n]\n\tlogOutputEncoding = gbk\n"
                f"[gpg]\n\tprogram = {lab.script('users-gpg')}\n[color]\n\tui = always\n[core]\n\tpager = false\n")
    code, out, err = lab.auditdesk("log", AUDIT)
    assert code == 0, err
    assert out.splitlines()[0].split()[3] == "韩永师" and "create audit" in out
    assert lab.markers() == []


def test_signing_with_the_users_own_program(lab: Lab) -> None:
    """Since issue 14 approve signs in-process (ssh-keygen from the system's folders, the
    person's registered key): no gpg program runs, neither the store's nor the user's."""
    with open(os.environ["GIT_CONFIG_GLOBAL"], "a") as f:
        f.write(f"[gpg]\n\tprogram = {lab.script('users-gpg', 'exit 1')}\n[user]\n\tsigningkey = ME\n")
    lab.config("gpg.program", lab.script("store-gpg"))
    for step in (("advance", AUDIT), ("approve", AUDIT, "--user", "Li Reviewer <li@example.org>")):
        code, _out, err = lab.auditdesk(*step)
    assert code == 0, err
    assert lab.markers() == []


@pytest.mark.parametrize("what", ["info/attributes", "info/exclude", "config"])
@pytest.mark.parametrize("how", ["dev-zero", "fifo"])
def test_git_files_that_would_hang_git_are_refused(lab: Lab, what: str, how: str) -> None:
    """No -c setting can move .git/info/attributes: a symlink to /dev/zero made every
    command hang (main before issue 11: `list` never returned).  Now a clear refusal."""
    target = lab.store / ".git" / what
    target.unlink(missing_ok=True)
    if how == "fifo":
        os.mkfifo(target)
    else:
        target.symlink_to("/dev/zero")
    started = time.monotonic()
    code, out, err = lab.auditdesk("list")
    assert time.monotonic() - started < 10
    assert (code, out) == (1, "") and err == (f"auditdesk: {lab.store}: {target} is not a plain file (a symlink, a FIFO or "
                                              "a device); auditdesk will not let git read it. Replace it with a file\n")
