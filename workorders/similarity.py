"""Similar resolved cases: character n-gram TF-IDF over each model case's problem, title, summary
and tags, cosine similarity against a new request's description.

Character n-grams (1 to 3) work for Chinese, written without spaces between words, and for
English alike, with no word segmenter. The index is built by a Celery task when cases change
(``rebuild_index``) and saved as one file that every web process loads and reloads when it
changes; a search never rebuilds it.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import joblib
from django.conf import settings

from workorders.models import ModelCase

_lock = threading.Lock()
_loaded: dict = {"mtime": None, "index": None}


def _path() -> Path:
    return Path(settings.CENTER_SIMILARITY_INDEX_PATH)


def case_text(title: str, problem: str, summary: str, tags: list[str]) -> str:
    return "\n".join([title, problem, summary, " ".join(tags), " ".join(tags)])  # tags weigh double


def rebuild_index() -> int:
    """Build the index of every model case and replace the file atomically. Returns the case count."""
    # Local: scikit-learn and NumPy are loaded only by the rebuild (a task), not by every process.
    from sklearn.feature_extraction.text import TfidfVectorizer

    ids, texts = [], []
    cases = (ModelCase.objects.select_related("work_order__request").prefetch_related("tags").order_by("pk"))
    for case in cases.iterator(chunk_size=2000):
        tags = [name for tag in case.tags.all() for name in (tag.name_zh, tag.name_en)]
        ids.append(case.pk)
        texts.append(case_text(case.title, case.work_order.problem + "\n" + case.work_order.request.description,
                               case.summary, tags))
    index = {"ids": ids, "vectorizer": None, "matrix": None}
    if texts:
        import numpy  # local, as scikit-learn above

        vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=1,
                                     lowercase=True, dtype=numpy.float32)
        index.update(vectorizer=vectorizer, matrix=vectorizer.fit_transform(texts))
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    joblib.dump(index, temporary)
    os.replace(temporary, path)
    return len(ids)


def _index():
    path = _path()
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    with _lock:
        if _loaded["mtime"] != mtime:
            _loaded.update(mtime=mtime, index=joblib.load(path))
        return _loaded["index"]


def similar_case_ids(text: str, *, limit: int = 5, minimum: float = 0.05) -> list[tuple[int, float]]:
    """The most similar model cases to ``text``: [(case id, score)], best first."""
    index = _index()
    if not index or index["vectorizer"] is None or not text.strip():
        return []
    query = index["vectorizer"].transform([text])
    scores = (index["matrix"] @ query.T).toarray().ravel()
    if not len(scores):
        return []
    top = scores.argsort()[::-1][:limit]
    return [(index["ids"][i], float(scores[i])) for i in top if scores[i] >= minimum]
