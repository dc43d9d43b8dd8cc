"""Where added files go: only folders the loader reads count as "already in the corpus"."""

from __future__ import annotations

from conftest import make_settings
from ingest.staging import in_corpus, stage_target


def test_a_file_at_the_corpus_root_is_copied_into_user(tmp_path):
    settings = make_settings(tmp_path, tmp_path / "corpus")
    (settings.corpus_dir / "articles").mkdir(parents=True)
    root_file = settings.corpus_dir / "note.md"
    inside = settings.corpus_dir / "articles" / "a.txt"
    assert not in_corpus(root_file, settings)  # the loader never reads the root: it must be staged
    assert stage_target(root_file, settings) == settings.corpus_dir / "user" / "note.md"
    assert in_corpus(inside, settings) and stage_target(inside, settings) == inside
    assert stage_target(tmp_path / "x" / ".." / ".hidden.txt", settings).parent == settings.corpus_dir / "user"
