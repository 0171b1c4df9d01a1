"""The objects a save writes by hand, read back by a second implementation.

Saves write blobs, trees and commits without git (see store/gitrepo.py).
`git fsck` checks them in other tests; here GitPython's pure-Python object
database (GitDB, which never starts git) parses the same loose objects, so a
mistake in our object format would have to fool two readers.
"""

from __future__ import annotations

from pathlib import Path

import git
import pytest

from auditdesk.audit.identity import Identity
from auditdesk.store.git import GitRepo

ANN = Identity("安 Ann", "ann@example.org")


# GitDB is deprecated as GitPython's everyday backend; here its being pure Python is the point.
@pytest.mark.filterwarnings("ignore:GitDB is deprecated:DeprecationWarning")
def test_saved_commits_trees_and_blobs_parse_in_gitpython(tmp_path: Path) -> None:
    repo = GitRepo.init(tmp_path / "store")
    saved = {}
    for n in range(3):
        for name in ("audits/a.toml", "audits/b.toml", "top.toml"):
            data = f"n = {n}\nname = '{name}'\n".encode()
            result = repo.save(name, data, base=repo.blob_id(name), author=ANN, message=f"{name}: 第 {n} 次\n\nbody line")
            saved[name] = (data, result.commit)
    repo.close()
    with git.Repo(tmp_path / "store", odbt=git.GitDB) as reader:
        head = reader.head.commit
        assert head.hexsha == saved["top.toml"][1]
        for name, (data, _) in saved.items():
            assert (head.tree / name).data_stream.read() == data
        assert sorted(e.name for e in head.tree.trees) == ["audits"]
        history = list(reader.iter_commits("main", paths="audits/a.toml"))
        assert len(history) == 3
        first = history[0]
        assert (first.author.name, first.author.email, first.committer.name) == (ANN.name, ANN.email, ANN.name)
        assert first.message == "audits/a.toml: 第 2 次\n\nbody line\n"
        assert first.authored_datetime.utcoffset() is not None
        assert len(list(reader.iter_commits("main"))) == 10  # nine saves after the store's first commit
