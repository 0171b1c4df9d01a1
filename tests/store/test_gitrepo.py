"""Tests of the store's git layer on real repositories (no mocks).

Why this module is long: the facade's regression net; it splits along store/git's
seams with the facade.
"""

from __future__ import annotations

import os
import random
import select
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from support import child_env, fsck_clean, git, session_alive, with_umask
from support.crash import crash_content, crash_relpath, crash_seq

from auditdesk.audit.identity import Identity
from auditdesk.store.git import Conflict, DirtyWorktree, GitError, GitRepo, NotARepository

ALICE = Identity("Alice Auditor", "alice@example.org")
BOB = Identity("Bob Builder", "bob@example.org")
WORKER_PATH = Path(__file__).with_name("gitrepo_worker.py")


def worker_cmd(*args: str) -> tuple[list[str], dict[str, str]]:
    """Command and environment running the worker with this process's imports."""
    return [sys.executable, str(WORKER_PATH), *args], child_env()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[GitRepo]:
    with GitRepo.init(tmp_path / "store") as repo:
        yield repo


# ------------------------------------------------------------------ basics


def test_init_makes_main_with_one_empty_commit(store: GitRepo) -> None:
    assert store.head() == store.resolve("HEAD")
    assert git(store.path, "symbolic-ref", "HEAD").strip() == "refs/heads/main"
    assert store.blobs() == {} and git(store.path, "status", "--porcelain") == ""
    with pytest.raises(GitError, match="already a git repository"):
        GitRepo.init(store.path)


def test_save_read_log_blobs(store: GitRepo) -> None:
    first = store.save("audits/1.toml", b"a = 1\n", base=None, author=ALICE, message="Create audit 1")
    assert first.changed and first.commit is not None and first.commit == store.head()
    assert store.read("audits/1.toml") == b"a = 1\n"
    assert (store.path / "audits/1.toml").read_bytes() == b"a = 1\n"
    assert store.blob_id("audits/1.toml") == first.blob == store.blobs()["audits/1.toml"]
    second = store.save("audits/1.toml", b"a = 2\n", base=first.blob, author=BOB, message="Change it\n\nbecause")
    store.save("audits2/x.toml", b"x\n", base=None, author=ALICE, message="other folder")
    store.save("audits/2.toml", b"b\n", base=None, author=ALICE, message="other file")

    assert store.read("audits/1.toml", rev=first.commit) == b"a = 1\n"
    assert store.read("audits/1.toml", rev="HEAD~3") == b"a = 1\n"
    assert store.read_blob(first.blob) == b"a = 1\n"
    assert set(store.blobs("audits")) == {"audits/1.toml", "audits/2.toml"}
    assert set(store.blobs("audits/")) == {"audits/1.toml", "audits/2.toml"}
    assert store.blobs("audits", rev=first.commit) == {"audits/1.toml": first.blob}
    assert store.blob_id("audits/none.toml") is None
    with pytest.raises(GitError, match="does not exist"):
        store.read("audits/none.toml")
    with pytest.raises(GitError, match="unknown revision"):
        store.read("audits/1.toml", rev="refs/heads/nope")

    history = store.log("audits/1.toml")
    assert [r.commit for r in history] == [second.commit, first.commit]
    assert (history[0].author, history[0].email, history[0].message) == (BOB.name, BOB.email, "Change it\n\nbecause")
    assert history[1].author == ALICE.name and history[1].message == "Create audit 1"
    assert isinstance(history[0].date, datetime) and history[0].date.tzinfo is not None
    assert len(store.log("audits/1.toml", limit=1)) == 1 and store.log(limit=0) == []
    assert len(store.log()) == 5
    assert git(store.path, "log", "-1", "--format=%an <%ae> / %cn <%ce>", first.commit).strip() == (
        "Alice Auditor <alice@example.org> / Alice Auditor <alice@example.org>")
    assert git(store.path, "status", "--porcelain") == ""
    fsck_clean(store.path)


def test_identical_bytes_make_no_commit(store: GitRepo) -> None:
    first = store.save("a.toml", b"same\n", base=None, author=ALICE, message="m")
    again = store.save("a.toml", b"same\n", base=first.blob, author=BOB, message="m")
    assert (again.changed, again.commit, again.blob) == (False, None, first.blob)
    assert store.head() == first.commit


def test_conflict_keeps_refused_bytes_on_side_ref(store: GitRepo) -> None:
    first = store.save("audits/7.toml", b"v1\n", base=None, author=ALICE, message="v1")
    assert first.commit is not None
    theirs = store.save("audits/7.toml", b"bob's\n", base=first.blob, author=BOB, message="bob")
    with pytest.raises(Conflict) as caught:
        store.save("audits/7.toml", b"alice's\n", base=first.blob, author=ALICE, message="alice")
    exc = caught.value
    assert (exc.path, exc.commit, exc.author) == ("audits/7.toml", theirs.commit, BOB.name)
    assert exc.date is not None and exc.date.tzinfo is not None
    assert exc.rejected_ref.startswith("refs/auditdesk/rejected/") and exc.rejected_ref in str(exc)
    assert git(store.path, "show", f"{exc.rejected_ref}:audits/7.toml") == "alice's\n"
    assert store.read("audits/7.toml", rev=exc.rejected_ref) == b"alice's\n"
    assert git(store.path, "rev-parse", f"{exc.rejected_ref}^").strip() == first.commit  # the base commit
    assert store.head() == theirs.commit and store.read("audits/7.toml") == b"bob's\n"
    assert (store.path / "audits/7.toml").read_bytes() == b"bob's\n"

    with pytest.raises(Conflict) as created_twice:  # base None for a file someone created meanwhile
        store.save("audits/7.toml", b"new\n", base=None, author=ALICE, message="again")
    assert store.read("audits/7.toml", rev=created_twice.value.rejected_ref) == b"new\n"
    assert git(store.path, "status", "--porcelain") == ""


def test_save_many_is_one_commit_with_the_same_rules(store: GitRepo) -> None:
    done = store.save_many({"cfg/a.toml": b"a\n", "cfg/b.toml": b"b\n"},
                           bases={"cfg/a.toml": None, "cfg/b.toml": None}, author=ALICE, message="config")
    assert done.changed and done.commit is not None
    assert git(store.path, "show", "--name-only", "--format=", done.commit).split() == ["cfg/a.toml", "cfg/b.toml"]
    store.save("cfg/b.toml", b"b2\n", base=done.blobs["cfg/b.toml"], author=BOB, message="b2")
    head = store.head()
    with pytest.raises(Conflict) as caught:
        store.save_many({"cfg/a.toml": b"a3\n", "cfg/b.toml": b"b3\n"}, bases=done.blobs, author=ALICE, message="both")
    assert caught.value.path == "cfg/b.toml" and store.head() == head
    assert store.read("cfg/a.toml") == b"a\n" and (store.path / "cfg/a.toml").read_bytes() == b"a\n"
    assert store.read("cfg/a.toml", rev=caught.value.rejected_ref) == b"a3\n"
    assert store.read("cfg/b.toml", rev=caught.value.rejected_ref) == b"b3\n"


def test_hand_edit_is_reported_and_never_overwritten(store: GitRepo) -> None:
    first = store.save("audits/h.toml", b"committed\n", base=None, author=ALICE, message="m")
    (store.path / "audits/h.toml").write_bytes(b"hand edit\n")
    (store.path / "audits/new.toml").write_bytes(b"untracked\n")
    assert store.status_dirty() == ["audits/h.toml", "audits/new.toml"]
    assert store.status_dirty("audits/h.toml") == ["audits/h.toml"]
    report = store.recover()
    assert any("audits/h.toml" in line and "not committed" in line for line in report)
    assert (store.path / "audits/h.toml").read_bytes() == b"hand edit\n"
    with pytest.raises(DirtyWorktree, match=r"audits/h\.toml"):
        store.save("audits/h.toml", b"app edit\n", base=first.blob, author=ALICE, message="m")
    with pytest.raises(DirtyWorktree):
        store.save("audits/new.toml", b"app file\n", base=None, author=ALICE, message="m")

    kept = store.discard_worktree("audits/h.toml", author=ALICE)
    assert kept is not None and store.read("audits/h.toml", rev=kept) == b"hand edit\n"
    assert (store.path / "audits/h.toml").read_bytes() == b"committed\n"
    assert store.save("audits/h.toml", b"app edit\n", base=first.blob, author=ALICE, message="m").changed
    committed = store.save("audits/new.toml", b"untracked\n", base=None, author=ALICE, message="commit the hand edit")
    assert committed.changed and store.status_dirty() == []


def test_shared_group_store_files_are_group_writable_never_world(tmp_path: Path) -> None:
    with with_umask(0o022):
        with GitRepo.init(tmp_path / "shared", shared_group=True) as repo:
            repo.save("audits/s.toml", b"s\n", base=None, author=ALICE, message="m")
            file_mode = stat.S_IMODE((repo.path / "audits/s.toml").stat().st_mode)
            dir_mode = (repo.path / "audits").stat().st_mode
            assert file_mode == 0o664
            assert dir_mode & 0o070 == 0o070 and dir_mode & stat.S_ISGID and not dir_mode & 0o002
        with GitRepo.init(tmp_path / "private") as repo:
            repo.save("a.toml", b"s\n", base=None, author=ALICE, message="m")
            assert stat.S_IMODE((repo.path / "a.toml").stat().st_mode) == 0o644


def test_tag(store: GitRepo) -> None:
    done = store.save("a.toml", b"x\n", base=None, author=ALICE, message="m")
    assert done.commit is not None
    tag = store.tag("report/2024-Q1", "HEAD", message="Issued report\n# not a comment", tagger=BOB)
    assert git(store.path, "cat-file", "-t", tag).strip() == "tag"
    assert git(store.path, "rev-parse", "refs/tags/report/2024-Q1^{commit}").strip() == done.commit
    assert "# not a comment" in git(store.path, "cat-file", "-p", tag)
    assert "tagger Bob Builder <bob@example.org>" in git(store.path, "cat-file", "-p", tag)
    assert store.read("a.toml", rev="refs/tags/report/2024-Q1") == b"x\n"
    with pytest.raises(GitError, match="already exists"):
        store.tag("report/2024-Q1", "HEAD", message="again", tagger=BOB)


def test_git_environment_of_the_caller_is_ignored(store: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    monkeypatch.setenv("GIT_DIR", str(other))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other / "index"))
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Somebody Else")
    done = store.save("a.toml", b"x\n", base=None, author=ALICE, message="m")
    assert store.log("a.toml")[0].author == ALICE.name and done.commit == store.head()
    assert list(other.iterdir()) == []


# ------------------------------------------------------ refusing to open


def test_not_a_repository_says_why(tmp_path: Path) -> None:
    with pytest.raises(NotARepository, match="does not exist"):
        GitRepo(tmp_path / "missing")
    (tmp_path / "plain").mkdir()
    with pytest.raises(NotARepository, match="not a git repository"):
        GitRepo(tmp_path / "plain")
    git(tmp_path, "init", "-q", "--bare", "bare.git")
    with pytest.raises(NotARepository, match="bare repository"):
        GitRepo(tmp_path / "bare.git")
    with GitRepo.init(tmp_path / "repo") as repo:
        repo.save("sub/a.toml", b"a\n", base=None, author=ALICE, message="m")
    with pytest.raises(NotARepository, match="inside the git repository"):
        GitRepo(tmp_path / "repo" / "sub")
    git(tmp_path / "repo", "checkout", "-q", "--detach")
    with pytest.raises(NotARepository, match="detached"):
        GitRepo(tmp_path / "repo")
    git(tmp_path / "repo", "checkout", "-q", "-b", "other")
    with pytest.raises(NotARepository, match="on branch other"):
        GitRepo(tmp_path / "repo")


def test_rebase_in_progress_is_refused(tmp_path: Path) -> None:
    with GitRepo.init(tmp_path / "repo") as repo:
        base = repo.save("a.toml", b"base\n", base=None, author=ALICE, message="base").blob
        repo.save("a.toml", b"main\n", base=base, author=ALICE, message="main")
        git(repo.path, "checkout", "-q", "-b", "topic", "HEAD~1")
        (repo.path / "a.toml").write_bytes(b"topic\n")
        git(repo.path, "commit", "-qam", "topic")
        git(repo.path, "rebase", "main", check=False)  # stops on the conflict
        assert (repo.path / ".git/rebase-merge").is_dir()
        with pytest.raises(NotARepository, match="rebase is in progress"):
            GitRepo(repo.path)
        with pytest.raises(NotARepository, match="rebase is in progress"):  # also checked at save time
            repo.save("b.toml", b"b\n", base=None, author=ALICE, message="m")


# ---------------------------------------------------------- hostile input


@pytest.mark.parametrize("relpath", ["../x", "a/../../x", "-rf", "--output=x", "/etc/passwd", ".git/config",
                                     "a/.GIT/x", "a//b", "a/./b", "a\nb", "a\0b", "", "dir/"])
def test_hostile_relpaths_are_refused(store: GitRepo, relpath: str) -> None:
    head = store.head()
    with pytest.raises(GitError, match="invalid path"):
        store.save(relpath, b"x", base=None, author=ALICE, message="m")
    for call in (store.read, store.blob_id, store.log):
        with pytest.raises(GitError, match="invalid path"):
            call(relpath)
    assert store.head() == head


@pytest.mark.parametrize("rev", ["--output=OUT", "-p", "HEAD..main", "HEAD@{1}", "main@{u}",
                                 "refs/../x", "refs/heads/main.lock", "HEAD:a", ":/B17", "", "refs/heads/ma in"])
def test_hostile_revs_are_refused(store: GitRepo, tmp_path: Path, rev: str) -> None:
    rev = rev.replace("OUT", str(tmp_path / "pwned"))
    for call in (lambda: store.read("a.toml", rev), lambda: store.blobs(rev=rev), lambda: store.log(rev=rev),
                 lambda: store.resolve(rev), lambda: store.blob_id("a.toml", rev),
                 lambda: store.tag("t", rev, message="m", tagger=ALICE)):
        with pytest.raises(GitError, match="invalid revision"):
            call()
    assert not (tmp_path / "pwned").exists()


def test_any_name_of_a_commit_is_a_revision(store: GitRepo) -> None:
    """main, HEAD^, HEAD~1, a tag's name, a short id: as in git; an unknown one is a clear error."""
    store.save("a.toml", b"1", base=None, author=ALICE, message="one")
    first = store.head()
    assert first is not None
    store.save("a.toml", b"2", base=store.blob_id("a.toml"), author=ALICE, message="two")
    store.tag("approved/A/1", first, message="m", tagger=ALICE)
    for name in ("main", "refs/heads/main", "HEAD"):
        assert store.resolve(name) == store.head()
    for name in ("HEAD^", "HEAD~1", "main~1", "approved/A/1", "refs/tags/approved/A/1", first[:7]):
        assert store.resolve(name) == first, name
        assert store.read("a.toml", name) == b"1"
        assert store.log(rev=name)[0].commit == first
    with pytest.raises(GitError, match="unknown revision 'nope'"):
        store.resolve("nope")
    with pytest.raises(GitError, match="unknown revision 'origin/main'"):
        store.read("a.toml", "origin/main")


def test_hostile_names_and_identities_are_refused(store: GitRepo) -> None:
    for name in ("-f", "a..b", "x.lock", "a b", "/x", "a/"):
        with pytest.raises(GitError, match="invalid tag name"):
            store.tag(name, "HEAD", message="m", tagger=ALICE)
    with pytest.raises(GitError, match="invalid identity"):
        store.save("a.toml", b"x", base=None, author=Identity("Eve <evil>", "e@x"), message="m")
    with pytest.raises(GitError, match="invalid base"):
        store.save("a.toml", b"x", base="--all", author=ALICE, message="m")
    with pytest.raises(GitError, match="invalid blob"):
        store.read_blob("--batch")


def test_symlinked_folder_cannot_redirect_a_write(store: GitRepo, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (store.path / "audits").symlink_to(outside)
    with pytest.raises(GitError, match="not a folder"):
        store.save("audits/x.toml", b"x", base=None, author=ALICE, message="m")
    assert list(outside.iterdir()) == []


# ----------------------------------------------------------- recovery


def test_recover_cleans_stale_locks_and_temp_files(store: GitRepo) -> None:
    first = store.save("audits/a.toml", b"a\n", base=None, author=ALICE, message="m")
    git_dir = store.path / ".git"
    old = time.time() - 60
    stale = [git_dir / "index.lock", git_dir / "refs/heads/main.lock"]
    for lock in stale:
        lock.write_text("")
        os.utime(lock, (old, old))
    temp = store.path / "audits/.auditdesk-tmp-x1"
    temp.write_bytes(b"a\n")  # complete bytes of a blob that exists
    report = store.recover()
    text = "\n".join(report)
    assert "index.lock" in text and "main.lock" in text
    assert f"blob {first.blob}" in text
    assert not any(p.exists() for p in [*stale, temp])
    assert store.save("audits/a.toml", b"b\n", base=first.blob, author=ALICE, message="m").changed
    assert store.recover() == []


def test_young_lock_is_left_alone_and_a_save_removes_a_stale_one(store: GitRepo) -> None:
    lock = store.path / ".git/refs/heads/main.lock"
    lock.write_text("")
    assert any("left" in line and "main.lock" in line for line in store.recover())
    assert lock.exists()
    os.utime(lock, (time.time() - 60, time.time() - 60))
    assert store.save("a.toml", b"x\n", base=None, author=ALICE, message="m").changed  # no recover() needed
    assert not lock.exists()


def test_recover_refreshes_an_index_left_behind(store: GitRepo) -> None:
    first = store.save("audits/a.toml", b"a\n", base=None, author=ALICE, message="m")
    store.save("audits/a.toml", b"b\n", base=first.blob, author=ALICE, message="m")
    store.save("audits/n.toml", b"n\n", base=None, author=ALICE, message="m")
    git(store.path, "read-tree", "HEAD~2")  # as if killed between update-ref and the index update
    assert git(store.path, "status", "--porcelain") != ""
    report = store.recover()
    assert sorted(line.split(":")[0] for line in report) == ["audits/a.toml", "audits/n.toml"]
    assert git(store.path, "status", "--porcelain") == ""


# ------------------------------------------------------- several processes


@pytest.mark.slow
def test_two_processes_saving_different_files(store: GitRepo) -> None:
    start = int(git(store.path, "rev-list", "--count", "HEAD"))
    procs = []
    for prefix in ("p", "q"):
        cmd, env = worker_cmd("many", str(store.path), prefix, "200")
        procs.append(subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE))
    for proc in procs:
        assert proc.wait(timeout=120) == 0, proc.stderr.read() if proc.stderr else ""
        proc.stderr and proc.stderr.close()
    assert int(git(store.path, "rev-list", "--count", "HEAD")) == start + 400
    blobs = store.blobs("audits")
    assert len(blobs) == 400
    for prefix in ("p", "q"):
        for i in range(200):
            relpath = f"audits/{prefix}-{i}.toml"
            assert store.read_blob(blobs[relpath]) == (store.path / relpath).read_bytes() == f"{prefix} = {i}\n".encode()
    authors = git(store.path, "log", "--format=%an", "HEAD~400..HEAD").split("\n")
    assert authors.count("Writer p") == authors.count("Writer q") == 200
    assert git(store.path, "status", "--porcelain") == ""
    fsck_clean(store.path)


def test_two_processes_saving_the_same_file_from_the_same_base(store: GitRepo, tmp_path: Path) -> None:
    base = store.save("audits/same.toml", b"base\n", base=None, author=ALICE, message="m").blob
    go = tmp_path / "go"
    procs = []
    for text in ("first", "second"):
        cmd, env = worker_cmd("same", str(store.path), "audits/same.toml", base, str(go), text)
        procs.append((text, subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True)))
    time.sleep(0.3)
    go.touch()
    outcomes = {}
    for text, proc in procs:
        out, _ = proc.communicate(timeout=60)
        outcomes[text] = out.split()
    kinds = sorted(o[0] for o in outcomes.values())
    assert kinds == ["conflict", "ok"], outcomes
    winner = next(t for t, o in outcomes.items() if o[0] == "ok")
    loser, (_, ref) = next((t, o) for t, o in outcomes.items() if o[0] == "conflict")
    assert store.read("audits/same.toml") == winner.encode()
    assert store.read("audits/same.toml", rev=ref) == loser.encode()
    fsck_clean(store.path)


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing_saved(tmp_path: Path) -> None:
    """30 writers killed mid-loop: half only the Python process (git children
    finish as orphans), half the whole process group (git dies mid-write too,
    leaving its locks; we then age them as if the restart came later)."""
    path = tmp_path / "crash"
    GitRepo.init(path).close()
    rng = random.Random(20240501)
    files = 3
    seen: dict[str, int] = {"dirty": 0, "locks": 0, "temp": 0, "index": 0}
    for trial in range(30):
        cmd, env = worker_cmd("loop", str(path), str(files))
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, start_new_session=True)
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 30)
        assert ready and proc.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0.0, 0.12))
        whole_group = trial % 2 == 1
        if whole_group:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        while session_alive(proc.pid):
            time.sleep(0.005)
        if whole_group:
            aged = time.time() - 60
            for lock in (path / ".git").rglob("*.lock"):
                if lock.name != "auditdesk.lock":
                    os.utime(lock, (aged, aged))

        with GitRepo(path) as repo:
            report = repo.recover()
            for key, word in (("locks", "stale lock"), ("temp", "temporary"), ("index", "index updated"),
                              ("dirty", "not committed")):
                seen[key] += any(word in line for line in report)
            assert not [p for p in (path / ".git").rglob("*.lock") if p.name != "auditdesk.lock"], report
            assert not list(path.rglob(".auditdesk-tmp-*"))
            for i in range(files):
                relpath = crash_relpath(i)
                head_bytes = repo.read(relpath) if repo.blob_id(relpath) else None
                seq = crash_seq(head_bytes) if head_bytes else 0
                if head_bytes is not None:
                    assert head_bytes == crash_content(i, seq)
                on_disk = (path / relpath).read_bytes() if (path / relpath).exists() else None
                new = crash_content(i, seq + 1)
                assert on_disk in (head_bytes, new), f"trial {trial}: {relpath} is neither old nor new"
                if on_disk == new:  # interrupted before its commit: reported, and saving it finishes it
                    assert any(relpath in line and "not committed" in line for line in report)
                    repo.save(relpath, new, base=repo.blob_id(relpath), author=ALICE, message="finish")
            assert repo.save(f"probe/{trial}.toml", b"probe\n", base=None, author=ALICE, message="probe").changed
            assert repo.status_dirty() == []
            fsck_clean(path)
    print(f"crash trials: {seen}")


# ---------------------------------------------------- long-running process


def _fds_and_children() -> tuple[int, int]:
    children = sum(len(Path(f"/proc/self/task/{t}/children").read_text().split()) for t in os.listdir("/proc/self/task"))
    return len(os.listdir("/proc/self/fd")), children


@pytest.mark.slow
def test_fds_and_child_processes_stay_flat(store: GitRepo) -> None:
    blobs: dict[str, str | None] = {"a.toml": None, "b/c.toml": None}
    for relpath in blobs:
        blobs[relpath] = store.save(relpath, b"0\n", base=None, author=ALICE, message="m").blob
    store.read("a.toml")
    before = _fds_and_children()
    for n in range(1000):
        relpath = "a.toml" if n % 2 else "b/c.toml"
        blobs[relpath] = store.save(relpath, b"%d\n" % n, base=blobs[relpath], author=ALICE, message="m").blob
        if n % 50 == 0:
            store.log(relpath, limit=3)
            store.blobs()
            store.status_dirty()
    store.read("a.toml")
    assert _fds_and_children() == before
    store.close()
    assert _fds_and_children() == (before[0] - 2, before[1] - 1)  # the cat-file child and its two pipes
    assert store.read("a.toml") == b"999\n"  # reopens the reader on demand
    store.close()
